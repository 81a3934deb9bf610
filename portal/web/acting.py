"""An operator acting for a customer: who is being served, kept in the operator's own session.

The session holds only ids and the time of the last request; the customer's password and session are never
touched. Acting ends on "Encerrar atendimento", on logout and after `IDLE` without a request.
"""
import time
from datetime import timedelta

from flask import g, session
from flask_login import current_user

from ..access import can_use_telesales as may_act
from ..extensions import db
from ..models import Role, User

IDLE = timedelta(minutes=30)
KEY = "acting"


def begin(operator: User, customer: User) -> None:
    """Start acting for `customer` in this session (callers check `may_act` and that it is a customer)."""
    session[KEY] = {"customer": customer.id, "operator": operator.id, "seen": int(time.time())}
    g.pop("acting_customer", None)


def end() -> int | None:
    """Stop acting; return the id of the customer who was being served, if any."""
    g.pop("acting_customer", None)
    state = session.pop(KEY, None)
    return state.get("customer") if isinstance(state, dict) else None


def expired() -> bool:
    """True when this session acts for someone but has been idle longer than IDLE."""
    state = session.get(KEY)
    return isinstance(state, dict) and time.time() - state.get("seen", 0) > IDLE.total_seconds()


def acting_customer() -> User | None:
    """Return the customer this operator acts for, refreshing the idle clock; None when not acting.

    A session whose operator is no longer signed in, may no longer act, or went idle acts for no one.
    """
    if "acting_customer" in g:
        return g.acting_customer
    state = session.get(KEY)
    customer = None
    if isinstance(state, dict) and may_act(current_user) and state.get("operator") == current_user.id:
        if not expired():
            customer = db.session.get(User, state.get("customer"))
            if customer is not None and (customer.role is not Role.customer or not customer.active):
                customer = None
    if customer is None and state is not None and not expired():
        # An idle session is left for the customer area to end, audit and announce (web/customer/serving.py).
        session.pop(KEY, None)
    elif customer is not None:
        state["seen"] = int(time.time())
        session.modified = True
    g.acting_customer = customer
    return customer
