"""The merchant's verbs on text modules and sales channels, each audited."""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from ..extensions import db
from ..models import Channel, Order, TextModule, Ticket
from ..models.base import utcnow
from . import audit
from .errors import Conflict, ValidationError

CODE = re.compile(r"[a-z0-9_]{2,50}")
MODULE_FIELDS = ("title", "body", "channel_id")
CHANNEL_FIELDS = ("name", "is_marketplace", "sla_hours", "sla_working_days", "active")
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


def create_module(actor, channel_id: int | None, title: str, body: str) -> TextModule:
    """Add a text module at the end of its channel's list."""
    module = TextModule(channel_id=channel_id, title=title.strip(), body=body.strip(),
                        position=_next_position(channel_id), created_at=utcnow())
    db.session.add(module)
    db.session.flush()
    audit.record(actor, "text_module.create", module.title, None, {k: getattr(module, k) for k in MODULE_FIELDS})
    return module


def update_module(actor, module: TextModule, channel_id: int | None, title: str, body: str) -> TextModule:
    """Change a module's text, title or channel (a new channel puts it at the end of that list)."""
    before = {key: getattr(module, key) for key in MODULE_FIELDS}
    if channel_id != module.channel_id:
        module.position = _next_position(channel_id)
    module.channel_id, module.title, module.body = channel_id, title.strip(), body.strip()
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
    index = siblings.index(module)
    target = index + step
    if not 0 <= target < len(siblings):
        return module
    for position, item in enumerate(siblings, start=1):
        item.position = position
    siblings[index].position, siblings[target].position = siblings[target].position, siblings[index].position
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


def _check_channel_values(values: dict) -> None:
    hours = values.get("sla_hours")
    if hours is None or not 1 <= hours <= 24 * 30:
        raise ValidationError(_l("The response time must be between 1 and 720 hours."), field="sla_hours")


def create_channel(actor, code: str, values: dict) -> Channel:
    """Add a sales channel with its SLA; the code is what the API and marketplaces use and never changes."""
    code = (code or "").strip().lower()
    if not CODE.fullmatch(code):
        raise ValidationError(_l("Use 2 to 50 lower-case letters, digits or underscores."), field="code")
    if db.session.scalar(db.select(Channel.id).where(Channel.code == code)) is not None:
        raise Conflict(_l("A channel with the code %(code)s already exists.", code=code), field="code")
    _check_channel_values(values)
    channel = Channel(code=code, **values)
    db.session.add(channel)
    db.session.flush()
    audit.record(actor, "channel.create", code, None, values)
    return channel


def update_channel(actor, channel: Channel, values: dict) -> Channel:
    """Change a channel's name, marketplace flag, SLA or activity; open tickets keep their due time."""
    _check_channel_values(values)
    if channel.code == Channel.STORE_CODE and (values.get("is_marketplace") or not values.get("active", True)):
        raise ValidationError(_l("The store's own channel is always active and is not a marketplace."),
                              field="is_marketplace")
    before = {key: getattr(channel, key) for key in CHANNEL_FIELDS}
    for key, value in values.items():
        setattr(channel, key, value)
    db.session.flush()
    old, new = audit.changes(before, {key: getattr(channel, key) for key in CHANNEL_FIELDS})
    audit.record(actor, "channel.update", channel.code, old, new)
    return channel
