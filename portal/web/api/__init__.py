"""JSON API for the store's back office (bearer tokens)."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from . import docs, kpis, order_list, products, tickets, views, webhooks  # noqa: E402,F401
