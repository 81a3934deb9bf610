"""The merchant's verbs on the reasons a shopper picks when opening a ticket, each audited."""
import re
import unicodedata

from flask_babel import lazy_gettext as _l

from ..accounts import audit
from ..core.errors import Conflict, ValidationError
from ..core.ordering import swap_with_neighbour
from ..extensions import db
from ..models import TicketReason

MAX_LABEL = 200


def reasons_query():
    """Select every reason in the order shoppers see them."""
    return db.select(TicketReason).order_by(TicketReason.position, TicketReason.id)


def _label(value: str | None) -> str:
    label = " ".join((value or "").split())
    if not label:
        raise ValidationError(_l("Write the reason as shoppers will read it."), field="label")
    if len(label) > MAX_LABEL:
        raise ValidationError(_l("Write at most %(max)d characters.", max=MAX_LABEL), field="label")
    return label


def _same_label(label: str, exclude_id: int | None = None) -> bool:
    query = db.select(TicketReason.id).where(db.func.lower(TicketReason.label) == label.lower())
    if exclude_id is not None:
        query = query.where(TicketReason.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def _code_for(label: str) -> str:
    """Derive a stable code from the label ("Troca ou devolução" -> "troca_ou_devolucao"), unique."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_")[:40] or "motivo"
    taken = set(db.session.scalars(db.select(TicketReason.code).where(TicketReason.code.like(f"{base}%"))))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    return code


def create_reason(actor, label: str) -> TicketReason:
    """Add a reason at the end of the list."""
    label = _label(label)
    if _same_label(label):
        raise Conflict(_l("There is already a reason with this text."), field="label")
    last = db.session.scalar(db.select(db.func.max(TicketReason.position))) or 0
    reason = TicketReason(code=_code_for(label), label=label, position=last + 1, active=True)
    db.session.add(reason)
    db.session.flush()
    audit.record(actor, "ticket_reason.create", reason.label, None, {"label": reason.label})
    return reason


def rename_reason(actor, reason: TicketReason, label: str) -> TicketReason:
    """Change the text of a reason; tickets that used it show the new text."""
    label = _label(label)
    if _same_label(label, exclude_id=reason.id):
        raise Conflict(_l("There is already a reason with this text."), field="label")
    before = reason.label
    if before != label:
        reason.label = label
        db.session.flush()
        audit.record(actor, "ticket_reason.update", label, {"label": before}, {"label": label})
    return reason


def set_labels(actor, reason: TicketReason, labels: dict[str, str | None], languages) -> TicketReason:
    """Give the reason its text in other languages; an empty text drops that language (the label is shown)."""
    clean = {}
    for locale, value in labels.items():
        if locale not in languages:
            raise ValidationError(_l("This language is not available."), field=f"label_{locale}")
        text = " ".join((value or "").split())
        if len(text) > MAX_LABEL:
            raise ValidationError(_l("Write at most %(max)d characters.", max=MAX_LABEL), field=f"label_{locale}")
        if text:
            clean[locale] = text
    before = dict(reason.labels or {})
    if before != clean:
        reason.labels = clean or None
        db.session.flush()
        audit.record(actor, "ticket_reason.translate", reason.label, {"labels": before}, {"labels": clean})
    return reason


def set_reason_active(actor, reason: TicketReason, active: bool) -> TicketReason:
    """Offer a reason to shoppers again, or retire it (tickets that used it keep it)."""
    if reason.active == active:
        return reason
    if not active:
        others = db.session.scalar(db.select(db.func.count()).select_from(TicketReason)
                                   .where(TicketReason.active.is_(True), TicketReason.id != reason.id))
        if not others:
            raise Conflict(_l("Keep at least one reason: shoppers must pick one to open a ticket."), field="label")
    reason.active = active
    db.session.flush()
    audit.record(actor, "ticket_reason.restore" if active else "ticket_reason.retire", reason.label,
                 {"active": not active}, {"active": active})
    return reason


def move_reason(actor, reason: TicketReason, step: int) -> TicketReason:
    """Swap the reason with its neighbour in the list (step -1 = up, +1 = down)."""
    places = swap_with_neighbour(list(db.session.scalars(reasons_query())), reason, step)
    if places is None:
        return reason
    db.session.flush()
    audit.record(actor, "ticket_reason.move", reason.label, {"position": places[0]}, {"position": places[1]})
    return reason


def set_about_delivery(actor, reason: TicketReason, about_delivery: bool) -> TicketReason:
    """Say whether the reason asks where the order is: the help page then answers that before the ticket form."""
    if reason.about_delivery == about_delivery:
        return reason
    reason.about_delivery = about_delivery
    db.session.flush()
    audit.record(actor, "ticket_reason.about_delivery", reason.label, {"about_delivery": not about_delivery},
                 {"about_delivery": about_delivery})
    return reason
