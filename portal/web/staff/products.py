"""The catalogue as operators see it: searchable by SKU or name, paginated."""
from flask import render_template, request

from ...telesales import catalogue
from . import bp
from .orders import telesales_only

PER_PAGE = 25


@bp.route("/products")
@telesales_only
def products():
    """List the products the search finds, active ones by default."""
    filters = catalogue.ProductFilters.from_args(request.args)
    page = catalogue.product_page(filters, PER_PAGE)
    return render_template("staff/products.html", filters=filters, page=page, amount=catalogue.cents_text)
