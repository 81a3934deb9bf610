"""Users of every role, their one-time login links and the back office's API tokens."""
import enum
import hashlib
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, Enum, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .base import UTCDateTime, utcnow


class Role(enum.StrEnum):
    customer = "customer"
    agent = "agent"
    operator = "operator"
    admin = "admin"

    @property
    def label(self):
        return ROLE_LABELS[self]

    @property
    def is_staff(self) -> bool:
        return self is not Role.customer


STAFF_ROLES = (Role.agent, Role.operator, Role.admin)

ROLE_LABELS = {
    Role.customer: _l("Customer"),
    Role.agent: _l("Agent"),
    Role.operator: _l("Operator"),
    Role.admin: _l("Administrator"),
}


def hash_token(raw: str) -> str:
    """Return the SHA-256 hex digest under which a secret token is stored."""
    return hashlib.sha256(raw.encode()).hexdigest()


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # The staff among many customers: forwarding and assignment lists, the merchant's staff page.
        Index("ix_users_role_name", "role", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20), default=Role.customer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    # Personal data the customer keeps in "Minha conta"; the CPF/CNPJ is stored as digits only.
    document: Mapped[str | None] = mapped_column(String(14), index=True)
    phone: Mapped[str | None] = mapped_column(String(30))
    # The "aprovar preços" permission: admins have it by default; the merchant may grant it to staff.
    can_approve_prices: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The shopper turned order-update e-mails off (one-click unsubscribe or "Minha conta"); ticket mail still goes.
    order_mail_off: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Rotated on logout, password change and deactivation so that every session cookie
    # issued before stops working at once.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        """Invalidate every session this user has open."""
        self.session_token = secrets.token_hex(16)

    @property
    def display_name(self) -> str:
        return self.name or self.email


class LoginLinkPurpose(enum.StrEnum):
    first_access = "first_access"
    reset = "reset"


class LoginLink(db.Model):
    """A single-use, expiring link that lets a user set a password."""

    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[LoginLinkPurpose] = mapped_column(Enum(LoginLinkPurpose, native_enum=False, length=20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class EmailChange(db.Model):
    """A pending change of a user's e-mail address, made only once the link sent to the new address is used."""

    __tablename__ = "email_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    new_email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class ApiToken(db.Model):
    """A bearer token for the back office; only its hash is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_active", "token_hash", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
