"""The staff area (/staff): the ticket queue, the ticket workspace and the printable order page."""
from flask import Blueprint, abort
from flask_login import current_user

from ... import access
from ...extensions import login

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.before_request
def require_staff():
    """Gate the whole area once: anonymous visitors sign in, customers get 403."""
    if not current_user.is_authenticated:
        return login.unauthorized()
    if not access.is_staff(current_user):
        abort(403)
    return None


from . import actions, bulk, customers, inbound_mail, kpis, orders, products, queue, saved_views, workspace  # noqa: E402,F401
from .carrier_delivered import carrier_delivered  # noqa: E402,F401
from .deliveries import retry_delivery  # noqa: E402,F401
from .register import register_ticket  # noqa: E402,F401
