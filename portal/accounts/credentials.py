"""A customer's own e-mail address and password: asking for and confirming a new address, changing the password.

A new address is only taken once the link e-mailed to it is opened: the link's token is random, only its hash is
kept (`EmailChange`), it expires and works once. Only the account holder calls these verbs, never an operator
serving them (the web layer refuses); each step is audited with the customer as the actor.
"""
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from ..core.errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import EmailChange, User, hash_token
from ..models.base import utcnow
from . import audit, events
from .users import check_password_strength, normalise_email

EMAIL_CHANGE_HOURS = 24
MAX_TOKEN = 200
WRONG_PASSWORD = _l("The current password is not right.")
EMAIL_TAKEN = _l("Another account already uses this e-mail address. Choose another one.")
LINK_INVALID = _l("This link is invalid, expired or was already used.")


def _check_current_password(user: User, password: str, field: str) -> None:
    if user.password_hash and not user.check_password(password or ""):
        raise ValidationError(WRONG_PASSWORD, field=field)


def _taken(email: str, user: User) -> bool:
    return db.session.scalar(db.select(User.id).where(User.email == email, User.id != user.id)) is not None


def _void_pending(user: User, moment) -> None:
    for pending in db.session.scalars(db.select(EmailChange).where(EmailChange.user_id == user.id,
                                                                   EmailChange.used_at.is_(None))):
        pending.used_at = moment


def request_email_change(user: User, new_email: str, password: str,
                         hours: int = EMAIL_CHANGE_HOURS) -> tuple[EmailChange, str]:
    """Keep a pending change to `new_email` and return it with the link's secret token (sent, never stored)."""
    clean = normalise_email(new_email, field="new_email")
    if clean == user.email:
        raise ValidationError(_l("This is already your e-mail address."), field="new_email")
    _check_current_password(user, password, "password")
    if _taken(clean, user):
        raise ValidationError(EMAIL_TAKEN, field="new_email")
    moment = utcnow()
    _void_pending(user, moment)  # only the latest link works
    raw = secrets.token_urlsafe(32)
    change = EmailChange(user_id=user.id, new_email=clean, token_hash=hash_token(raw), created_at=moment,
                         expires_at=moment + timedelta(hours=hours))
    db.session.add(change)
    db.session.flush()
    audit.record(user, "email.change_requested", f"user:{user.id}", {"email": user.email}, {"new_email": clean})
    return change, raw


def find_email_change(raw: str, user: User) -> EmailChange | None:
    """Return the usable (unused, unexpired) pending change of this user for a token, or None."""
    if not raw or len(raw) > MAX_TOKEN:
        return None
    change = db.session.scalar(db.select(EmailChange).where(EmailChange.token_hash == hash_token(raw)))
    if change is None or change.user_id != user.id or change.used_at is not None or change.expires_at <= utcnow():
        return None
    return change


def confirm_email_change(raw: str, user: User) -> str:
    """Take the new address through the link, spend it and tell the back office; return the old address."""
    change = find_email_change(raw, user)
    if change is None:
        raise NotFound(LINK_INVALID)
    if _taken(change.new_email, user):
        raise Conflict(EMAIL_TAKEN, field="new_email")
    old = user.email
    _void_pending(user, utcnow())
    user.email = change.new_email
    db.session.flush()
    audit.record(user, "email.change_confirmed", f"user:{user.id}", {"email": old}, {"email": user.email})
    events.customer_updated(user)
    return old


def change_password(user: User, current: str, new: str) -> User:
    """Set a new password (the current one must be right) and end every other session of the user."""
    _check_current_password(user, current, "current_password")
    check_password_strength(new, field="new_password")
    user.set_password(new)
    user.end_sessions()
    db.session.flush()
    audit.record(user, "password.change", f"user:{user.id}")
    return user
