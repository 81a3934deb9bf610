"""Verbs on order statuses and status rules."""
from flask_babel import lazy_gettext as _l

from ..core.errors import TransitionNotAllowed, ValidationError
from ..extensions import db
from ..models import OrderStatus, StatusRule, StatusType


def normalise_status_name(name: str) -> str:
    """Return a status name as stored: trimmed, single-spaced, upper case."""
    return " ".join(str(name).split()).upper()


def get_status(name: str) -> OrderStatus | None:
    return db.session.scalar(db.select(OrderStatus).filter_by(name=normalise_status_name(name)))


def create_status(name: str, type_: StatusType | None = None) -> OrderStatus:
    """Create an additional status; without a type it counts as in progress."""
    clean = normalise_status_name(name)
    if not clean or len(clean) > 80:
        raise ValidationError(_l("A status name needs 1 to 80 characters."), field="name")
    if get_status(clean):
        raise ValidationError(_l("A status named %(name)s already exists.", name=clean), field="name")
    status = OrderStatus(name=clean, type=type_, is_builtin=False)
    db.session.add(status)
    db.session.flush()
    return status


def set_status_type(status: OrderStatus, type_: StatusType | None) -> None:
    if status.is_builtin:
        raise ValidationError(_l("The type of a built-in status cannot change."), field="type")
    status.type = type_
    db.session.flush()


def add_rule(from_status: OrderStatus, to_status: OrderStatus) -> StatusRule:
    """Allow orders in `from_status` to move to `to_status` (idempotent)."""
    rule = db.session.scalar(
        db.select(StatusRule).filter_by(from_status_id=from_status.id, to_status_id=to_status.id)
    )
    if rule is None:
        rule = StatusRule(from_status=from_status, to_status=to_status)
        db.session.add(rule)
        db.session.flush()
    return rule


def remove_rule(from_status: OrderStatus, to_status: OrderStatus) -> bool:
    rule = db.session.scalar(
        db.select(StatusRule).filter_by(from_status_id=from_status.id, to_status_id=to_status.id)
    )
    if rule is None:
        return False
    db.session.delete(rule)
    db.session.flush()
    return True


def check_transition(current: OrderStatus, new: OrderStatus) -> None:
    """Raise TransitionNotAllowed when rules exist for `current` and none leads to `new`."""
    if current.id == new.id:
        return
    allowed = set(db.session.scalars(db.select(StatusRule.to_status_id).filter_by(from_status_id=current.id)))
    if allowed and new.id not in allowed:
        raise TransitionNotAllowed(
            _l("The status rules do not allow %(old)s to change to %(new)s.", old=current.name, new=new.name),
            field="status",
        )
