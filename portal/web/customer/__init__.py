"""The buyer's portal: orders, timeline, tracking."""
from flask import Blueprint

bp = Blueprint("customer", __name__)

from . import (  # noqa: E402,F401
    account,
    account_switch,
    credentials,
    help,
    order_address,
    serving,
    shared_cart,
    survey,
    tickets,
    unsubscribe,
    views,
)
