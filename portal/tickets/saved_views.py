"""Saved queue views: an agent names the current filters, for themself or shared with the team.

A view keeps the normalised query string of its filters. The queue shows at most MAX_SHOWN views (the
user's own and the shared ones) and counts them in the same statement as its tabs. A stored filter that no
longer reads (an old sort, a date mistyped by hand) is shown without a count rather than breaking the page.
"""
from urllib.parse import parse_qsl, urlencode

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from werkzeug.datastructures import MultiDict

from ..core.errors import DomainError, ValidationError
from ..extensions import db
from ..models import SavedView
from .queue import QueueFilters

MAX_NAME = 60
# A user keeps at most this many views of their own; the queue lists at most MAX_SHOWN (own and shared).
MAX_OWN = 10
MAX_SHOWN = 20


class NotAllowed(DomainError):
    status_code = 403
    code = "forbidden"


def normalised_query(filters: QueueFilters) -> str:
    """Return the filters as a stable query string, without the page."""
    return urlencode(sorted((key, str(value)) for key, value in filters.to_args().items() if key != "page"))


def filters_of(view: SavedView) -> QueueFilters | None:
    """Read a view's filters again; None when they no longer read cleanly."""
    filters = QueueFilters.from_args(MultiDict(parse_qsl(view.filter_query or "")))
    return None if filters.invalid else filters


def visible_views(user) -> list[SavedView]:
    """Return the user's own views and the shared ones, by name, in one query."""
    return list(db.session.scalars(
        db.select(SavedView).where(or_(SavedView.owner_id == user.id, SavedView.shared.is_(True)))
        .order_by(SavedView.name, SavedView.id).limit(MAX_SHOWN)))


def can_change(user, view: SavedView) -> bool:
    """The owner renames or deletes a view; an admin may also for a shared one."""
    return view.owner_id == user.id or (view.shared and user.role.value == "admin")


def _name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_l("Give the view a name."), field="name")
    if len(name) > MAX_NAME:
        raise ValidationError(_l("A view's name has at most %(num)d characters.", num=MAX_NAME), field="name")
    return name


def _unique(owner_id: int, name: str, view_id: int | None = None) -> None:
    clash = db.session.scalar(db.select(SavedView.id).where(
        SavedView.owner_id == owner_id, SavedView.name == name, SavedView.id != (view_id or 0)))
    if clash:
        raise ValidationError(_l("You already have a view named “%(name)s”.", name=name), field="name")


def save_view(user, name: str | None, filters: QueueFilters, shared: bool) -> SavedView:
    """Save the filters under a name; refuse a duplicate name, invalid filters or one view too many."""
    name = _name(name)
    if filters.invalid:
        raise ValidationError(_l("Correct the filters before saving them as a view."))
    own = db.session.scalar(db.select(db.func.count()).where(SavedView.owner_id == user.id))
    if own >= MAX_OWN:
        raise ValidationError(_l("You already have %(num)d views: delete one before saving another.", num=MAX_OWN))
    _unique(user.id, name)
    view = SavedView(owner_id=user.id, name=name, shared=bool(shared), filter_query=normalised_query(filters))
    db.session.add(view)
    db.session.flush()
    return view


def rename_view(view: SavedView, user, name: str | None) -> SavedView:
    """Rename a view the user may change."""
    _require_change(user, view)
    name = _name(name)
    _unique(view.owner_id, name, view.id)
    view.name = name
    db.session.flush()
    return view


def delete_view(view: SavedView, user) -> None:
    """Delete a view the user may change."""
    _require_change(user, view)
    db.session.delete(view)
    db.session.flush()


def _require_change(user, view: SavedView) -> None:
    if not can_change(user, view):
        raise NotAllowed(_l("Only the view's owner (or an admin, for a shared view) may change it."))
