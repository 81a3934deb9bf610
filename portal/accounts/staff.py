"""The merchant's verbs on staff users and back-office API tokens, each audited."""
from flask_babel import lazy_gettext as _l

from ..core.errors import Conflict, ValidationError
from ..extensions import db
from ..models import STAFF_ROLES, ApiToken, LoginLinkPurpose, Role, User
from . import audit
from . import users as accounts


def staff_query():
    """Select every non-customer user, active first, by e-mail."""
    return db.select(User).where(User.role.in_(STAFF_ROLES)).order_by(User.active.desc(), User.email)


def _check_role(role) -> Role:
    try:
        role = Role(role)
    except ValueError:
        role = None
    if role not in STAFF_ROLES:
        raise ValidationError(_l("Choose agent, operator or administrator."), field="role")
    return role


def add_staff(actor, email: str, name: str, role, password: str | None, link_hours: int) -> tuple[User, str | None]:
    """Create a staff user; without a password, return a first-access link token to send by e-mail."""
    user = accounts.create_user(email, _check_role(role), name=name, password=password or None)
    raw = None if password else accounts.issue_login_link(user, LoginLinkPurpose.first_access, hours=link_hours)
    audit.record(actor, "staff.create", user.email, None,
                 {"name": user.name, "role": user.role, "invited": raw is not None})
    return user, raw


def _ensure_another_admin(user: User) -> None:
    """Refuse to leave the store without an active administrator.

    Every active admin row, the target's included, is locked in id order before counting (where the database
    can lock), so two admins demoting each other at once are serialised and the second sees the first's change.
    """
    admins = db.session.scalars(
        db.select(User.id)
        .where(User.role == Role.admin, User.active.is_(True))
        .order_by(User.id)
        .with_for_update()
    ).all()
    if not [admin_id for admin_id in admins if admin_id != user.id]:
        raise Conflict(_l("%(email)s is the last active administrator and must stay one.", email=user.email),
                       field="role")


def change_role(actor, user: User, role) -> User:
    role = _check_role(role)
    if role is user.role:
        return user
    if user.role is Role.admin and user.active:
        _ensure_another_admin(user)
    before = user.role
    user.role = role
    db.session.flush()
    audit.record(actor, "staff.role", user.email, {"role": before}, {"role": role})
    return user


def set_active(actor, user: User, active: bool) -> User:
    """Deactivate (ending every session at once) or reactivate a staff user."""
    if user.active == active:
        return user
    if not active and user.role is Role.admin:
        _ensure_another_admin(user)
    user.active = active
    user.end_sessions()
    db.session.flush()
    audit.record(actor, "staff.activate" if active else "staff.deactivate", user.email,
                 {"active": not active}, {"active": active})
    return user


def tokens() -> list[ApiToken]:
    return list(db.session.scalars(
        db.select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def create_token(actor, name: str) -> tuple[ApiToken, str]:
    token, raw = accounts.create_api_token(name)
    audit.record(actor, "token.create", token.name, None, {"name": token.name, "prefix": token.prefix})
    return token, raw


def revoke_token(actor, token: ApiToken) -> None:
    if token.revoked_at is not None:
        return
    accounts.revoke_api_token(token)
    audit.record(actor, "token.revoke", token.name, {"active": True}, {"active": False, "prefix": token.prefix})


def set_can_approve_prices(actor, user: User, allowed: bool) -> User:
    """Grant or withdraw the "aprovar preços" permission (admins have it anyway)."""
    if user.can_approve_prices == allowed:
        return user
    user.can_approve_prices = allowed
    db.session.flush()
    audit.record(actor, "staff.approve_prices", user.email, {"can_approve_prices": not allowed},
                 {"can_approve_prices": allowed})
    return user
