"""The merchant's verbs on text modules (canned answers per channel), each audited."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from ..accounts import audit
from ..core.errors import ValidationError
from ..core.ordering import swap_with_neighbour
from ..extensions import db
from ..models import Order, StoreSettings, TextModule, Ticket
from ..models.base import utcnow

MODULE_FIELDS = ("title", "body", "channel_id", "texts")
MAX_TITLE, MAX_BODY = 120, 5000


def clean_texts(texts: dict[str, tuple[str | None, str | None]] | None, languages) -> dict | None:
    """Check a module's texts per language: a title needs its text; an empty pair drops the language."""
    clean = {}
    for locale, (title, body) in (texts or {}).items():
        if locale not in languages:
            raise ValidationError(_l("This language is not available."), field=f"body_{locale}")
        title, body = (title or "").strip(), (body or "").strip()
        if len(title) > MAX_TITLE:
            raise ValidationError(_l("Write at most %(max)d characters.", max=MAX_TITLE), field=f"title_{locale}")
        if len(body) > MAX_BODY:
            raise ValidationError(_l("Write at most %(max)d characters.", max=MAX_BODY), field=f"body_{locale}")
        if title and not body:
            raise ValidationError(_l("Write the text of this language too, or clear its title."),
                                  field=f"body_{locale}")
        if body:
            clean[locale] = {"title": title, "body": body}
    return clean or None


def ticket_language(ticket: Ticket) -> str:
    """The language a ticket is answered in: its channel's, else the customer's, else the store's default."""
    languages = current_app.config["LANGUAGES"]
    for candidate in (ticket.channel.locale if ticket.channel else None,
                      ticket.customer.locale if ticket.customer else None):
        if candidate in languages:
            return candidate
    return StoreSettings.get().default_locale or current_app.config["BABEL_DEFAULT_LOCALE"]
SAMPLE_TICKET_NUMBER = "12345678903"


def modules_query(channel_id: int | None, store_wide: bool):
    """Select the modules of one channel (or the store-wide ones, or all), in their order."""
    query = db.select(TextModule).order_by(TextModule.channel_id.is_(None), TextModule.channel_id,
                                           TextModule.position, TextModule.id)
    if store_wide:
        return query.where(TextModule.channel_id.is_(None))
    if channel_id is not None:
        query = query.where(TextModule.channel_id == channel_id)
    return query


def _next_position(channel_id: int | None) -> int:
    same = TextModule.channel_id.is_(None) if channel_id is None else TextModule.channel_id == channel_id
    return (db.session.scalar(db.select(func.max(TextModule.position)).where(same)) or 0) + 1


def create_module(actor, channel_id: int | None, title: str, body: str, texts: dict | None = None) -> TextModule:
    """Add a text module at the end of its channel's list, with its texts in other languages."""
    texts = clean_texts(texts, current_app.config["LANGUAGES"])
    module = TextModule(channel_id=channel_id, title=title.strip(), body=body.strip(), texts=texts,
                        position=_next_position(channel_id), created_at=utcnow())
    db.session.add(module)
    db.session.flush()
    audit.record(actor, "text_module.create", module.title, None, {k: getattr(module, k) for k in MODULE_FIELDS})
    return module


def update_module(actor, module: TextModule, channel_id: int | None, title: str, body: str,
                  texts: dict | None = None) -> TextModule:
    """Change a module's texts, title or channel (a new channel puts it at the end of that list).

    `texts` None keeps the texts in other languages as they are."""
    texts = module.texts if texts is None else clean_texts(texts, current_app.config["LANGUAGES"])
    before = {key: getattr(module, key) for key in MODULE_FIELDS}
    if channel_id != module.channel_id:
        module.position = _next_position(channel_id)
    module.channel_id, module.title, module.body = channel_id, title.strip(), body.strip()
    module.texts = texts
    db.session.flush()
    old, new = audit.changes(before, {key: getattr(module, key) for key in MODULE_FIELDS})
    audit.record(actor, "text_module.update", module.title, old, new)
    return module


def set_retired(actor, module: TextModule, retired: bool) -> TextModule:
    """Retire a module (agents no longer see it) or bring it back."""
    if module.retired != retired:
        module.retired = retired
        db.session.flush()
        audit.record(actor, "text_module.retire" if retired else "text_module.restore", module.title,
                     {"retired": not retired}, {"retired": retired})
    return module


def move_module(actor, module: TextModule, step: int) -> TextModule:
    """Swap the module with its neighbour in its channel's list (step -1 = up, +1 = down)."""
    siblings = list(db.session.scalars(modules_query(module.channel_id, module.channel_id is None)))
    if swap_with_neighbour(siblings, module, step) is None:
        return module
    db.session.flush()
    audit.record(actor, "text_module.move", module.title, None, {"position": module.position})
    return module


def sample_ticket(channel_id: int | None) -> Ticket | None:
    """Build an unsaved ticket on the channel's latest order (any order for store-wide modules), for previews."""
    query = db.select(Order).order_by(Order.placed_at.desc(), Order.id.desc()).limit(1)
    if channel_id is not None:
        query = query.where(Order.channel_id == channel_id)
    order = db.session.scalar(query)
    if order is None:
        return None
    # Never added to the session: the relationships below have no backrefs that could cascade it in.
    ticket = Ticket(number=SAMPLE_TICKET_NUMBER, subject="", channel_id=order.channel_id,
                    customer_id=order.customer_id, order_id=order.id)
    ticket.order, ticket.channel, ticket.customer = order, order.channel, order.customer
    return ticket
