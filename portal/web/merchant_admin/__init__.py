"""The merchant area (/merchant-admin): statuses, rules, hosts, colours, activation, staff, tokens, audit."""
from flask import Blueprint, abort
from flask_login import current_user

from ... import access
from ...extensions import login

bp = Blueprint("merchant_admin", __name__, url_prefix="/merchant-admin")


@bp.before_request
def require_admin():
    """Gate the whole area once: anonymous visitors sign in, everyone but an admin gets 403."""
    if not current_user.is_authenticated:
        return login.unauthorized()
    if not access.can_manage_store(current_user):
        abort(403)
    return None


from . import (  # noqa: E402,F401
    channels,
    reasons,
    text_modules,
    views_audit,
    views_hosts,
    views_settings,
    views_staff,
    views_statuses,
    views_telesales,
)
from .switch import register_portal_switch  # noqa: E402

__all__ = ["bp", "register_portal_switch"]
