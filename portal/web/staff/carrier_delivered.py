"""Orders the carrier delivered while the store's status is still open: the list staff work through to close them."""
from flask import abort, render_template, request

from ...extensions import db
from ...orders import carrier_delivery
from . import bp

PER_PAGE = 25
MAX_PAGE = 10_000


@bp.route("/carrier-delivered")
def carrier_delivered():
    """List the orders Correios reported delivered that the store has not completed, latest delivery first."""
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 5 else 0
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    pagination = db.paginate(carrier_delivery.still_open_query(), page=page, per_page=PER_PAGE, error_out=False)
    return render_template("staff/carrier_delivered.html", pagination=pagination)
