"""url_filler builds, for every value, the URL url_for would build: the same quoting, the same other arguments."""
import pytest
from flask import url_for

from portal.core.templating import url_filler

VALUES = ["S000123", "MLB 2000/77", "pedido?#1", "açaí&50%", "a;b=c@d", "ÿ\u2028", "..", ""]


@pytest.mark.parametrize("value", VALUES)
def test_each_value_gives_the_url_url_for_gives(app, value):
    with app.test_request_context("/"):
        order = url_filler("staff.order_print", "number")
        ticket = url_filler("staff.ticket", "ticket_number", tab="x y")
        assert order(value) == url_for("staff.order_print", number=value)
        assert ticket(value) == url_for("staff.ticket", ticket_number=value, tab="x y")
