"""Bulk actions on the queue's selected rows: assign, forward, an internal note, close.

The queue posts the selected rows here; the first POST only shows what would be done (the tickets, their
subjects, the action) and the confirmed one acts. Each ticket goes through the same service verb as the
single action, with the version the agent saw in the queue, in a savepoint of its own: a ticket that
changed meanwhile or that a rule refuses is reported by number and reason, and the others are done. One
commit at the end, one audit entry per ticket acted on.
"""
from dataclasses import dataclass
from urllib.parse import parse_qsl

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from ... import access
from ...accounts import audit
from ...core.errors import DomainError
from ...extensions import db
from ...models import Visibility
from ...tickets import lifecycle as tickets
from ...tickets.actions import MAX_NOTE
from ...tickets.numbers import normalise_ticket_number
from ...tickets.queue import QueueFilters
from ..ticket_forms import csrf_failed
from . import bp
from .context import colleagues

MAX_TICKETS = 50
ME = "me"


@dataclass(frozen=True)
class BulkAction:
    """One bulk action: what the menu says, the audit action of each ticket, and what it asks for."""

    code: str
    label: object
    action: str
    needs_colleague: bool = False
    needs_text: bool = False


BULK_ACTIONS = (
    BulkAction("assign", _l("Assign to"), action="ticket.bulk_assign", needs_colleague=True),
    BulkAction("forward", _l("Forward to a colleague (with an optional note)"), action="ticket.bulk_forward",
               needs_colleague=True),
    BulkAction("note", _l("Add an internal note"), action="ticket.bulk_note", needs_text=True),
    BulkAction("close", _l("Close"), action="ticket.bulk_close"),
)
BY_CODE = {action.code: action for action in BULK_ACTIONS}


class BulkForm(FlaskForm):
    """The queue's bulk bar; the selected rows come as `ticket` values "number:version", read apart."""

    action = SelectField(_l("Action on the selected tickets"), validate_choice=True)
    to_user = SelectField(_l("Colleague"), validate_choice=True, validators=[Optional()])
    text = TextAreaField(_l("Note"), validators=[Optional(), Length(max=MAX_NOTE)])
    back = HiddenField()
    confirm = HiddenField()


def bulk_form(people=None, formdata=None) -> BulkForm:
    """Build the bulk bar's form with its choices; `formdata=None` renders it empty (the queue page)."""
    form = BulkForm() if formdata is not None else BulkForm(formdata=None)
    form.action.choices = [("", _l("Choose an action"))] + [(action.code, action.label) for action in BULK_ACTIONS]
    people = colleagues() if people is None else people
    form.to_user.choices = [("", _l("Choose a person")), (ME, _l("Me"))] + [
        (str(person.id), person.display_name) for person in people]
    return form


@dataclass(frozen=True)
class Selected:
    """One selected row as posted: the ticket number (as typed, when it does not read) and its version."""

    number: str
    version: int | None

    @property
    def value(self) -> str:
        return f"{self.number}:{self.version}"


def read_selection(values: list[str]) -> tuple[list[Selected], list[str]]:
    """Read the posted rows, each once; return them and the values that are not a ticket and a version."""
    rows, unreadable, seen = [], [], set()
    for raw in values:
        number, _sep, version = (raw or "").partition(":")
        normalised = normalise_ticket_number(number[:40])
        if normalised is None or not (version.isascii() and version.isdigit() and len(version) <= 9):
            unreadable.append(number[:20])
            continue
        if normalised not in seen:
            seen.add(normalised)
            rows.append(Selected(normalised, int(version)))
    return rows, unreadable


def back_to_queue(back: str | None) -> str:
    """The queue under the filters it was posted from (read through the filters, so never another site)."""
    filters = QueueFilters.from_args(MultiDict(parse_qsl((back or "")[:2000])))
    return url_for(".queue", **filters.to_args())


def _problem(message: str, status: int, form=None):
    html = render_template("staff/bulk.html", problem=message, form=form, back=back_to_queue(
        form.back.data if form is not None else None))
    return html, status


def _colleague(form: BulkForm):
    """The person the tickets are assigned or forwarded to (the current user for "me")."""
    if form.to_user.data == ME:
        return current_user
    return access.get_staff_user_or_404(int(form.to_user.data))


@bp.route("/bulk", methods=["POST"])
def bulk():
    """Show what a bulk action would do to the selected tickets; once confirmed, do it, ticket by ticket."""
    form = bulk_form(formdata=request.form)
    if not form.validate_on_submit():
        return _form_problem(form)
    posted = request.form.getlist("ticket")
    if len(posted) > MAX_TICKETS:
        return _problem(_("Select at most %(max)d tickets for one bulk action.", max=MAX_TICKETS), 400, form)
    action = BY_CODE[form.action.data]
    if action.needs_colleague and not form.to_user.data:
        return _problem(_("Choose the person to give the tickets to."), 422, form)
    if action.needs_text and not (form.text.data or "").strip():
        return _problem(_("Write the note to add."), 422, form)
    selection, unreadable = read_selection(posted)
    if not selection and not unreadable:
        return _problem(_("Select at least one ticket in the queue."), 422, form)
    found = access.visible_tickets([row.number for row in selection], current_user)
    missing = [row.number for row in selection if row.number not in found] + unreadable
    if form.confirm.data != "1":
        rows = [(row, found[row.number]) for row in selection if row.number in found]
        person = _colleague(form) if action.needs_colleague else None
        return render_template("staff/bulk.html", form=form, action=action, rows=rows, missing=missing,
                               person=person, back=back_to_queue(form.back.data))
    person = _colleague(form) if action.needs_colleague else None
    done, refused = _act_on_each(action, selection, found, person, form)
    refused = [(number, _("no such ticket")) for number in missing] + refused
    db.session.commit()
    flash(summary(action, len(done), refused), "warning" if refused else "success")
    return redirect(back_to_queue(form.back.data))


def _form_problem(form: BulkForm):
    """Answer a bulk form that does not validate, saying which part."""
    if csrf_failed(form):
        return _problem(_("The form expired. Go back to the queue and try again."), 400, form)
    if "to_user" in form.errors:
        return _problem(_("Choose a person from the list."), 422, form)
    if "text" in form.errors:
        return _problem(_("Write at most %(max)d characters.", max=MAX_NOTE), 422, form)
    return _problem(_("Choose an action from the list."), 422, form)


def _act_on_each(action: BulkAction, selection, found, person, form) -> tuple[list, list]:
    """Act on each found ticket in its own savepoint; return the numbers done and (number, reason) refused."""
    done, refused = [], []
    for row in selection:
        ticket = found.get(row.number)
        if ticket is None:
            continue
        try:
            with db.session.begin_nested():
                _act(action, ticket, row.version, person, form.text.data or "")
                audit.record(current_user, action.action, f"ticket:{ticket.number}",
                             before={"version": row.version}, after=_audited(action, person, form))
        except tickets.StaleTicket:
            refused.append((row.number, _("changed meanwhile (reload the queue)")))
        except DomainError as error:
            refused.append((row.number, str(error.message)))
        else:
            done.append(row.number)
    return done, refused


def _act(action: BulkAction, ticket, version: int, person, text: str) -> None:
    """Run the single action's own service verb on one ticket."""
    if action.code == "assign":
        if person.id == current_user.id:
            tickets.take_ticket(ticket, current_user, expected_version=version)
        else:
            tickets.forward_ticket(ticket, current_user, person, "", expected_version=version)
    elif action.code == "forward":
        tickets.forward_ticket(ticket, current_user, person, text, expected_version=version)
    elif action.code == "note":
        tickets.reply_as_staff(ticket, current_user, text, Visibility.internal, expected_version=version)
    else:
        tickets.close_ticket(ticket, current_user, expected_version=version)


def _audited(action: BulkAction, person, form: BulkForm) -> dict:
    after = {"bulk": True}
    if person is not None:
        after["assignee_id"] = person.id
    if action.code in ("forward", "note") and (form.text.data or "").strip():
        after["text"] = form.text.data.strip()[:300]
    return after


def done_message(code: str, count: int) -> str:
    """Say how many tickets the action changed, in the user's language."""
    if code == "assign":
        return ngettext("%(num)d ticket assigned", "%(num)d tickets assigned", count)
    if code == "forward":
        return ngettext("%(num)d ticket forwarded", "%(num)d tickets forwarded", count)
    if code == "note":
        return ngettext("%(num)d ticket got the internal note", "%(num)d tickets got the internal note", count)
    return ngettext("%(num)d ticket closed", "%(num)d tickets closed", count)


def summary(action: BulkAction, done: int, refused: list[tuple[str, str]]) -> str:
    """The flash after a bulk action: "3 tickets closed; 1 not: 12345678901 changed meanwhile (reload)"."""
    text = done_message(action.code, done)
    if not refused:
        return text + "."
    reasons = "; ".join(_("%(number)s: %(reason)s", number=number, reason=reason) for number, reason in refused)
    return _("%(done)s; %(not_done)s", done=text, not_done=ngettext(
        "%(num)d not: %(reasons)s", "%(num)d not: %(reasons)s", len(refused), reasons=reasons))
