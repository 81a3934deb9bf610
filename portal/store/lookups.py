"""The short lists many pages show (channels, ticket reasons, the staff, the trusted tracking hosts), kept by each
process while unchanged.

Every flush that adds, changes or removes a channel, a ticket reason, a staff account or a trusted tracking host
gives the settings row a new random `lists_version`, in the same transaction. A page reads that token with the
store settings it loads anyway, and a process reuses the lists it read under the same token: they cost no query
until one of them changes, in any process. A token is never used twice, so a transaction rolled back after the
lists were read under its token leaves nothing that a later change could match. The ORM's bulk statements on
those tables (`session.execute(delete(TrustedHost)…)`) renew it too; plain SQL must set it itself.
"""
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import get_locale
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..core.templating import store_settings
from ..extensions import db
from ..models import STAFF_ROLES, Channel, Role, StoreSettings, TicketReason, TrustedHost, User
from ..models.tickets import reason_label

# Every change to one of these shows in the lists; of a staff account, only a change to these fields does (a new
# password or session does not).
_LISTED = (Channel, TicketReason, TrustedHost)
_USER_FIELDS = ("name", "email", "role", "active")


@dataclass(frozen=True)
class ChannelItem:
    id: int
    code: str
    name: str
    is_marketplace: bool
    active: bool


@dataclass(frozen=True)
class ReasonItem:
    id: int
    code: str
    label: str
    labels: tuple[tuple[str, str], ...]
    active: bool

    @property
    def shown_label(self) -> str:
        """The label in the language of the page being drawn (as TicketReason.shown_label)."""
        return reason_label(self.code, self.label, dict(self.labels), str(get_locale() or ""))


@dataclass(frozen=True)
class StaffItem:
    id: int
    name: str | None
    email: str
    role: Role
    active: bool

    @property
    def display_name(self) -> str:
        return self.name or self.email


@dataclass(frozen=True)
class Lists:
    channels: tuple[ChannelItem, ...]  # by name
    reasons: tuple[ReasonItem, ...]  # in the merchant's order
    staff: tuple[StaffItem, ...]  # every staff account, active or not, by name and address
    trusted_hosts: tuple[str, ...]  # the hosts whose https tracking pages show inside the portal, sorted


def _read() -> Lists:
    channels = tuple(ChannelItem(*row) for row in db.session.execute(
        db.select(Channel.id, Channel.code, Channel.name, Channel.is_marketplace, Channel.active)
        .order_by(Channel.name, Channel.id)))
    reasons = tuple(ReasonItem(r.id, r.code, r.label, tuple(sorted((r.labels or {}).items())), r.active)
                    for r in db.session.scalars(db.select(TicketReason)
                                                .order_by(TicketReason.position, TicketReason.id)))
    staff = tuple(StaffItem(u.id, u.name, u.email, u.role, u.active) for u in db.session.execute(
        db.select(User.id, User.name, User.email, User.role, User.active)
        .where(User.role.in_(STAFF_ROLES)).order_by(User.name, User.email, User.id)))
    hosts = tuple(db.session.scalars(db.select(TrustedHost.host).order_by(TrustedHost.host)))
    return Lists(channels, reasons, staff, hosts)


def lists() -> Lists:
    """Return the channels, reasons, staff and trusted hosts, read again only when the settings' token changed."""
    token = store_settings().lists_version
    kept = current_app.extensions.setdefault("store_lists", {})
    if token and kept.get("token") == token:
        return kept["lists"]
    fresh = _read()
    if token:
        # One assignment: a thread reading meanwhile sees the old pair or the new one, never half of each.
        current_app.extensions["store_lists"] = {"token": token, "lists": fresh}
    return fresh


def trusted_hosts() -> list[str]:
    """Return the trusted tracking hosts (as TrustedHost.all_hosts), from the kept lists."""
    return list(lists().trusted_hosts)


def colleagues(of: User) -> list[StaffItem]:
    """Return the active staff a ticket can be handed to, `of` (the signed-in user) left out."""
    return [person for person in lists().staff if person.active and person.id != of.id]


def _touches_lists(session: Session) -> bool:
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, _LISTED) or (isinstance(obj, User) and obj.role in STAFF_ROLES):
            return True
    for obj in session.dirty:
        if isinstance(obj, _LISTED) and session.is_modified(obj, include_collections=False):
            return True
        if isinstance(obj, User):
            attrs = inspect(obj).attrs
            if attrs.role.history.has_changes() or (
                    obj.role in STAFF_ROLES and any(attrs[name].history.has_changes() for name in _USER_FIELDS)):
                return True
    return False


@event.listens_for(Session, "do_orm_execute")
def _bulk_change(state) -> None:
    """A bulk INSERT, UPDATE or DELETE of the ORM on a listed table renews the token in the same transaction."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, (*_LISTED, User)):
        state.session.execute(db.update(StoreSettings).where(StoreSettings.id == 1)
                              .values(lists_version=secrets.token_hex(8)))


@event.listens_for(Session, "before_flush")
def _new_token(session: Session, _context, _instances) -> None:
    """Give the settings a new lists token when this flush changes what the lists hold."""
    if not _touches_lists(session):
        return
    with session.no_autoflush:
        settings = session.get(StoreSettings, 1)
    if settings is not None:
        settings.lists_version = secrets.token_hex(8)
