"""Defaults every store starts with."""
from ..extensions import db
from ..models import Channel, StoreSettings
from .statuses import ensure_builtin_statuses


def ensure_defaults() -> None:
    """Create the built-in statuses, the store's own channel and the settings row when missing."""
    ensure_builtin_statuses()
    if db.session.scalar(db.select(Channel.id).filter_by(code=Channel.STORE_CODE)) is None:
        db.session.add(Channel(code=Channel.STORE_CODE, name="Loja virtual", is_marketplace=False))
    if db.session.get(StoreSettings, 1) is None:
        db.session.add(StoreSettings(id=1))
    db.session.flush()
