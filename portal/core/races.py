"""Starting a request's work again after a simultaneous request wrote the same rows first."""
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from ..extensions import db


def lost_a_race(error: Exception) -> bool:
    """Tell whether a write failed because a simultaneous request wrote the same rows first."""
    if isinstance(error, IntegrityError):
        return True
    # SQLite answers a write that another writer overtook with "database is locked", not a unique violation.
    return isinstance(error, OperationalError) and db.session.get_bind().dialect.name == "sqlite" \
        and "locked" in str(error.orig)


def start_over() -> None:
    """Roll back and begin again; on SQLite with the write lock held first, so that the other writer's rows show.

    SQLite has one writer at a time: a transaction that read before another writer committed can never write,
    however long it waits, while one that starts with a write waits for the lock and then sees everything.
    A statement that changes nothing still takes that lock.
    """
    db.session.rollback()
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("DELETE FROM channels WHERE 0"))


def start_attempt(attempt: int) -> None:
    """Begin attempt number `attempt` (0 first) of a request's writes.

    A retry always starts over. The first attempt starts over on SQLite only, for its write lock: on
    PostgreSQL the rows the request read (its channel, say) stay loaded instead of being read again.
    """
    if attempt or db.session.get_bind().dialect.name == "sqlite":
        start_over()
