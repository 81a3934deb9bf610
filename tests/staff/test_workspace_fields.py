"""The workspace writes its fields out in Python (web/field_html.py): the markup must be WTForms' own."""
import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from portal.core.templating import time_tag
from portal.web.field_html import field_html, radios_html
from portal.web.ticket_forms import CancelUnitForm, EscalateForm, ForwardForm, RefundForm, StaffReplyForm

pytestmark = pytest.mark.db


def _same(html) -> str:
    return re.sub(r"\s+", " ", str(html)).strip()


def _macro(app, field, **kwargs):
    template = app.jinja_env.from_string('{% from "_macros/forms.html" import field %}{{ field(f, **kw) }}')
    return template.render(f=field, kw=kwargs)


def _forms(posted: MultiDict | None):
    reply = StaffReplyForm(formdata=posted, version=3, visibility="customer")
    reply.visibility.choices = [("customer", "Yes"), ("internal", 'No: "internal" <note>')]
    escalate = EscalateForm(formdata=posted, version=3)
    escalate.reason.choices = [("", "Choose a reason"), ("cannot_help", "We cannot help & need support")]
    cancel = CancelUnitForm(formdata=posted, version=3)
    cancel.item.choices = [(7, "Camiseta <P> × 2"), (8, "Tênis × 1")]
    forward = ForwardForm(formdata=posted, version=3)
    forward.to_user.choices = [(5, "Alice"), (4, 'Otávio "Tavinho"')]
    refund = RefundForm(formdata=posted, version=3)
    for form in (reply, escalate, cancel, forward, refund):
        if posted is not None:
            form.validate()
    return reply, escalate, cancel, forward, refund


CALLS = [
    (0, "body", {"rows": 8, "id": "reply-body"}),
    (0, "body", {"rows": 6, "id": "reply-body", "readonly": True, "hint": "Copy <it>"}),
    (1, "reason", {}), (1, "note", {"rows": 3}),
    (2, "item", {}), (2, "quantity", {"min": 1, "inputmode": "numeric"}), (2, "reason", {}),
    (3, "to_user", {}), (3, "note", {"rows": 3}),
    (4, "amount", {"inputmode": "decimal", "autocomplete": "off"}), (4, "reason", {}),
]


@pytest.mark.parametrize("posted", [None, MultiDict({"body": 'Olá "cliente" <b>', "amount": "x<1",
                                                     "quantity": "0", "item": "8", "to_user": "4",
                                                     "note": "a & b", "reason": "", "version": "3"})],
                         ids=["blank", "posted with errors"])
def test_fields_are_the_markup_of_the_field_macro(app, posted):
    with app.test_request_context("/staff/tickets/1", headers={"Accept-Language": "en"}):
        forms = _forms(posted)
        for index, name, kwargs in CALLS:
            field = getattr(forms[index], name)
            assert _same(field_html(field, **kwargs)) == _same(_macro(app, field, **kwargs)), name


@pytest.mark.parametrize("chosen", ["customer", "internal"])
def test_radios_are_the_markup_of_wtforms_options(app, chosen):
    with app.test_request_context("/staff/tickets/1"):
        reply = _forms(None)[0]
        reply.visibility.data = chosen
        options = "\n".join(f'<div class="choice">{option()} {option.label()}</div>' for option in reply.visibility)
        expected = (f'<fieldset class="choice-group">\n<legend>{Markup.escape(reply.visibility.label.text)}'
                    f"</legend>\n{options}\n</fieldset>")
        assert _same(radios_html(reply.visibility)) == _same(expected)


def test_the_time_tag_follows_the_request_locale_and_zone(app):
    moment = datetime(2026, 11, 18, 13, 5, tzinfo=UTC)
    with app.test_request_context("/"):
        with force_locale("en"):
            english = str(time_tag(moment))
        with force_locale("pt_BR"):
            portuguese = str(time_tag(moment))
            again = str(time_tag(moment))
    assert english.startswith('<time datetime="2026-11-18T13:05:00+00:00">')
    assert "10:05" in portuguese and english != portuguese  # São Paulo time, each in its own language
    assert again == portuguese and time_tag(None) == ""
