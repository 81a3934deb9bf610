"""Defaults every store starts with."""
from ..extensions import db
from ..models import BUILTIN_STATUSES, Channel, OrderStatus, StoreSettings


def ensure_builtin_statuses() -> None:
    """Create the built-in statuses that are missing."""
    existing = set(db.session.scalars(db.select(OrderStatus.name)))
    for name, type_ in BUILTIN_STATUSES:
        if name not in existing:
            db.session.add(OrderStatus(name=name, type=type_, is_builtin=True))
    db.session.flush()


def ensure_defaults() -> None:
    """Create the built-in statuses, the store's own channel and the settings row when missing."""
    ensure_builtin_statuses()
    if db.session.scalar(db.select(Channel.id).filter_by(code=Channel.STORE_CODE)) is None:
        db.session.add(Channel(code=Channel.STORE_CODE, name="Loja virtual", is_marketplace=False))
    if db.session.get(StoreSettings, 1) is None:
        db.session.add(StoreSettings(id=1))
    db.session.flush()
