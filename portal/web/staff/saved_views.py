"""Saved queue views: save the current filters under a name, rename or delete a view."""
from urllib.parse import parse_qsl

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from ...core.errors import DomainError
from ...extensions import db
from ...models import SavedView
from ...tickets import saved_views
from ...tickets.queue import QueueFilters
from ..ticket_forms import csrf_failed
from . import bp
from .queue import render_queue


class SaveViewForm(FlaskForm):
    """Name the filters in `query` (the queue's query string) and say whether the team sees them."""

    name = StringField(_l("View name"), validators=[DataRequired(), Length(max=saved_views.MAX_NAME)])
    shared = BooleanField(_l("Share with the team"))
    query = HiddenField()


class RenameViewForm(FlaskForm):
    name = StringField(_l("New name"), validators=[DataRequired(), Length(max=saved_views.MAX_NAME)])


class DeleteViewForm(FlaskForm):
    """Only the CSRF token: deleting is a POST."""


def get_saved_view_or_404(view_id: int) -> SavedView:
    """Return a view the user sees (their own or a shared one); others answer 404 like missing views."""
    view = db.session.get(SavedView, view_id)
    if view is None or not (view.owner_id == current_user.id or view.shared):
        abort(404)
    return view


def _filters_in(query: str | None) -> QueueFilters:
    return QueueFilters.from_args(MultiDict(parse_qsl(query or "")))


def _refused(form, filters: QueueFilters, error: str | None = None):
    db.session.rollback()
    status = 400 if csrf_failed(form) else getattr(error, "status_code", 422)
    message = getattr(error, "message", None) or _("The view could not be saved: check its name.")
    return render_queue(filters, status=status, view_error=message, view_form=form)


@bp.route("/views", methods=["POST"])
def save_view():
    """Save the current filters as a named view."""
    form = SaveViewForm()
    filters = _filters_in(form.query.data)
    if not form.validate_on_submit():
        return _refused(form, filters)
    try:
        view = saved_views.save_view(current_user, form.name.data, filters, form.shared.data)
    except DomainError as error:
        return _refused(form, filters, error)
    db.session.commit()
    flash(_("View “%(name)s” saved.", name=view.name), "success")
    return redirect(url_for(".queue", view=view.id, **filters.to_args()))


@bp.route("/views/<int:view_id>/rename", methods=["POST"])
def rename_view(view_id: int):
    """Rename a view."""
    view = get_saved_view_or_404(view_id)
    form = RenameViewForm()
    filters = _filters_in(request.args.get("back", ""))
    if not form.validate_on_submit():
        return _refused(form, filters)
    try:
        saved_views.rename_view(view, current_user, form.name.data)
    except DomainError as error:
        return _refused(form, filters, error)
    db.session.commit()
    flash(_("View renamed to “%(name)s”.", name=view.name), "success")
    return redirect(url_for(".queue", **filters.to_args()))


@bp.route("/views/<int:view_id>/delete", methods=["POST"])
def delete_view(view_id: int):
    """Delete a view (its owner, or an admin for a shared one)."""
    view = get_saved_view_or_404(view_id)
    form = DeleteViewForm()
    filters = _filters_in(request.args.get("back", ""))
    if not form.validate_on_submit():
        return _refused(form, filters)
    name = view.name
    try:
        saved_views.delete_view(view, current_user)
    except DomainError as error:
        return _refused(form, filters, error)
    db.session.commit()
    flash(_("View “%(name)s” deleted.", name=name), "success")
    return redirect(url_for(".queue", **filters.to_args()))
