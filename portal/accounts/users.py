"""Verbs on users, one-time login links and API tokens."""
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from ..core.errors import NotFound, ValidationError
from ..extensions import db
from ..models import ApiToken, LoginLink, LoginLinkPurpose, Role, User, hash_token
from ..models.base import utcnow

MIN_PASSWORD = 8
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def normalise_email(email: str, field: str = "email") -> str:
    """Return the e-mail address lower-cased, or raise ValidationError."""
    try:
        info = validate_email(str(email or "").strip(), check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        raise ValidationError(_l("Enter a valid e-mail address."), field=field) from None
    return info.normalized.lower()


def find_user(email: str) -> User | None:
    try:
        clean = normalise_email(email)
    except ValidationError:
        return None
    return db.session.scalar(db.select(User).filter_by(email=clean))


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(_l("The password needs at least %(n)d characters.", n=MIN_PASSWORD), field=field)


def create_user(email: str, role: Role, name: str = "", password: str | None = None) -> User:
    """Create a user of any role; an existing e-mail is refused."""
    clean = normalise_email(email)
    if db.session.scalar(db.select(User.id).filter_by(email=clean)):
        raise ValidationError(_l("A user with this e-mail already exists."), field="email")
    user = User(email=clean, name=(name or "").strip(), role=role)
    if password is not None:
        check_password_strength(password)
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def get_or_create_customer(email: str, name: str = "", field: str = "customer.email") -> tuple[User, bool]:
    """Return the customer with this e-mail, creating an account without a password if needed."""
    clean = normalise_email(email, field=field)
    user = db.session.scalar(db.select(User).filter_by(email=clean))
    if user is not None:
        if name and not user.name:
            user.name = name.strip()
        return user, False
    user = User(email=clean, name=(name or "").strip(), role=Role.customer)
    db.session.add(user)
    db.session.flush()
    return user, True


def issue_login_link(user: User, purpose: LoginLinkPurpose, hours: int = 24) -> str:
    """Create a single-use link for the user and return its secret token."""
    raw = secrets.token_urlsafe(32)
    db.session.add(LoginLink(
        user=user, token_hash=hash_token(raw), purpose=purpose, expires_at=utcnow() + timedelta(hours=hours),
    ))
    db.session.flush()
    return raw


def find_login_link(raw: str) -> LoginLink | None:
    """Return the usable (unused, unexpired, active user) link for a token, or None."""
    if not raw or len(raw) > 200:
        return None
    link = db.session.scalar(db.select(LoginLink).filter_by(token_hash=hash_token(raw)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow() or not link.user.active:
        return None
    return link


def use_login_link(raw: str, password: str) -> User:
    """Set the password through a link, spend the link and end older sessions."""
    link = find_login_link(raw)
    if link is None:
        raise NotFound(_l("This link is invalid, expired or was already used."))
    check_password_strength(password)
    link.used_at = utcnow()
    user = link.user
    user.set_password(password)
    user.end_sessions()
    # Any other outstanding link for this user dies with this one.
    for other in db.session.scalars(db.select(LoginLink).filter_by(user_id=user.id, used_at=None)):
        other.used_at = link.used_at
    db.session.flush()
    return user


def create_api_token(name: str) -> tuple[ApiToken, str]:
    """Create a token; the raw secret is returned once and never stored."""
    clean = (name or "").strip()
    if not clean or len(clean) > 100:
        raise ValidationError(_l("A token name needs 1 to 100 characters."), field="name")
    raw = "pt_" + secrets.token_urlsafe(32)
    token = ApiToken(name=clean, token_hash=hash_token(raw), prefix=raw[:10])
    db.session.add(token)
    db.session.flush()
    return token, raw


def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def authenticate_api_token(raw: str) -> ApiToken | None:
    """Return the active token matching the raw secret, noting when it was last used."""
    if not raw or len(raw) > 200:
        return None
    token = db.session.scalar(db.select(ApiToken).filter_by(token_hash=hash_token(raw), revoked_at=None))
    if token is not None:
        now = utcnow()
        # Writing on every request would serialise API calls on one row; a minute is precise enough.
        if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
            token.last_used_at = now
            db.session.flush()
    return token


def save_language(user: User, locale: str) -> bool:
    """Keep the language the user chose on their account (pages and e-mails use it); True when it changed."""
    if user.locale == locale:
        return False
    user.locale = locale
    db.session.flush()
    return True
