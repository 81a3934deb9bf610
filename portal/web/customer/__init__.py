"""The buyer's portal: orders, timeline, tracking."""
from flask import Blueprint

bp = Blueprint("customer", __name__)

from . import account, help, serving, shared_cart, survey, tickets, views  # noqa: E402,F401
