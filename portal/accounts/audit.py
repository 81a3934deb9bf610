"""The merchant area's audit log: one constructor for every entry, and the query behind its page."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import AuditEntry, User
from ..models.base import utcnow


def record(actor: User | None, action: str, target: str = "", before: dict | None = None,
           after: dict | None = None, source: str | None = None, on_behalf_of: User | None = None) -> AuditEntry:
    """Write one audit entry: who did what to which thing, with the values before and after.

    Without an actor, `source` says where the change came from (an API token, the CLI); it is kept with the
    values after, as "source". An operator acting for a customer is the actor; `on_behalf_of` is the customer.
    """
    if source:
        after = {**(after or {}), "source": source}
    entry = AuditEntry(
        user_id=getattr(actor, "id", None), on_behalf_of_id=getattr(on_behalf_of, "id", None), action=action,
        target=str(target)[:300],
        before=_jsonable(before), after=_jsonable(after), created_at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _jsonable(values: dict | None) -> dict | None:
    """Turn enums, dates and other values into what a JSON column keeps."""
    if values is None:
        return None
    clean = {}
    for key, value in values.items():
        if isinstance(value, (list, tuple, set, frozenset)):
            clean[key] = sorted(str(item) for item in value)
        elif value is None or isinstance(value, (bool, int, float, str)):
            clean[key] = value
        else:
            clean[key] = str(value)
    return clean


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Keep only the keys whose value differs between before and after."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def entries_query(user_id: int | None, date_from: date | None, date_to: date | None, tz: str):
    """Select audit entries, newest first, by one user and within whole days of the store's time zone."""
    zone = ZoneInfo(tz)
    query = (
        db.select(AuditEntry)
        .options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    if user_id is not None:
        query = query.where(AuditEntry.user_id == user_id)
    if date_from is not None:
        query = query.where(AuditEntry.created_at >= datetime.combine(date_from, time(), zone))
    if date_to is not None:
        query = query.where(AuditEntry.created_at < datetime.combine(date_to + timedelta(days=1), time(), zone))
    return query


def auditors() -> list[User]:
    """Return the users who appear in the log, for the page's user filter."""
    ids = db.select(AuditEntry.user_id).where(AuditEntry.user_id.is_not(None)).distinct()
    return list(db.session.scalars(db.select(User).where(User.id.in_(ids)).order_by(User.email)))
