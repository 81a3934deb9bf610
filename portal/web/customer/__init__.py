"""The buyer's portal: orders, timeline, tracking."""
from flask import Blueprint

bp = Blueprint("customer", __name__)

from . import account, serving, shared_cart, tickets, views  # noqa: E402,F401
