"""The call centre's pages (/telesales): carts for the customer being served or to share, and price approvals."""
from flask import Blueprint, abort, request
from flask_login import current_user

from ... import access
from ...extensions import login

bp = Blueprint("telesales", __name__, url_prefix="/telesales")

# Price approval is its own permission: the merchant may grant it to staff who do not sell.
APPROVAL_ENDPOINTS = frozenset({"telesales.approvals", "telesales.approve", "telesales.reject"})


@bp.before_request
def require_operator():
    """Gate the area once: anonymous visitors sign in; shoppers and agents get 403 (approvers reach approvals)."""
    if not current_user.is_authenticated:
        return login.unauthorized()
    if request.endpoint in APPROVAL_ENDPOINTS:
        allowed = access.can_approve_prices(current_user)
    else:
        allowed = access.can_use_telesales(current_user)
    if not allowed:
        abort(403)
    return None


from . import approvals, cart  # noqa: E402,F401

__all__ = ["bp"]
