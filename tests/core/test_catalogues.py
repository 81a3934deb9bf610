"""Message catalogues are parsed once per process and locale, and each request still gets its own language."""
from collections import Counter

import pytest
from babel import support
from flask_wtf.i18n import translations as wtforms_messages

from portal.core.i18n import WTFORMS_DOMAIN
from portal.extensions import babel

pytestmark = pytest.mark.db


@pytest.fixture
def catalogue_loads(monkeypatch):
    """Empty the per-process caches and count every catalogue babel loads, by (domain, locale)."""
    babel.domain_instance.cache.clear()
    WTFORMS_DOMAIN.cache.clear()
    loads = Counter()
    original = support.Translations.load.__func__

    def counting_load(cls, dirname=None, locales=None, domain=None):
        loads[domain, str(locales[0])] += 1
        return original(cls, dirname, locales, domain)

    monkeypatch.setattr(support.Translations, "load", classmethod(counting_load))
    return loads


@pytest.fixture
def order_number(factory, login):
    user = factory.user()
    login(user)
    return factory.order(user, paid=True).number


def wtforms_says(app, language: str) -> str:
    """Return WTForms' own 'Not a valid choice.' message as a request in this language reads it."""
    with app.app_context(), app.test_request_context(headers={"Accept-Language": language}):
        return wtforms_messages.gettext("Not a valid choice.")


def test_each_catalogue_is_parsed_once_per_locale_across_requests(client, order_number, csrf_from, catalogue_loads):
    for _ in range(5):
        for language, placed in (("pt-BR", "Pedido realizado"), ("en", "Order placed")):
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
            html = client.get(f"/orders/{order_number}").get_data(as_text=True)
            assert placed in html
            token = csrf_from(html)
            bad_choice = client.post("/language", data={"lang": "xx", "next": "/", "csrf_token": token})
            assert bad_choice.status_code == 400
    assert catalogue_loads == {
        ("messages", "pt_BR"): 1, ("messages", "en"): 1, ("wtforms", "pt_BR"): 1, ("wtforms", "en"): 1,
    }


def test_switching_language_between_requests_gives_each_request_its_own(client, order_number, csrf_from):
    url = f"/orders/{order_number}"
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pt-BR"
    for lang, html_lang, placed in (("en", "en", "Order placed"), ("pt_BR", "pt-BR", "Pedido realizado"),
                                    ("en", "en", "Order placed")):
        token = csrf_from(client.get(url).get_data(as_text=True))
        client.post("/language", data={"lang": lang, "next": url, "csrf_token": token})
        html = client.get(url).get_data(as_text=True)
        assert f'<html lang="{html_lang}">' in html and placed in html


def test_wtforms_messages_follow_the_request_language(app):
    assert wtforms_says(app, "pt-BR") == "Escolha inválida."
    assert wtforms_says(app, "en") == "Not a valid choice."
    assert wtforms_says(app, "pt-BR") == "Escolha inválida."


def test_forced_locale_reaches_wtforms_messages(app):
    from flask_babel import force_locale

    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        assert wtforms_messages.gettext("Not a valid choice.") == "Not a valid choice."
        with force_locale("pt_BR"):
            assert wtforms_messages.gettext("Not a valid choice.") == "Escolha inválida."
        assert wtforms_messages.gettext("Not a valid choice.") == "Not a valid choice."


def test_templates_follow_a_forced_locale_and_return_to_the_pages_own(app, db):
    from flask import render_template_string
    from flask_babel import force_locale

    page = '{{ _("My orders") }} / {{ ngettext("%(num)d day pending", "%(num)d days pending", 2) }}'
    with app.test_request_context("/", headers={"Accept-Language": "pt-BR"}):
        before = render_template_string(page)
        with force_locale("en"):  # a mail in its reader's language, rendered inside a pt_BR request
            inside = render_template_string(page)
        after = render_template_string(page)
    assert before == after == "Meus pedidos / 2 dias pendentes"
    assert inside == "My orders / 2 days pending"
