"""Finding a customer for the call centre: by name, e-mail, CPF/CNPJ or one of their orders' numbers."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, or_

from ..accounts.documents import digits_of
from ..core.errors import ValidationError
from ..extensions import db
from ..models import Order, Role, User

MAX_QUERY = 200


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def search_query(q: str):
    """Select active customers (never staff) matching `q`, by name; an empty `q` selects nothing."""
    q = (q or "").strip()
    if len(q) > MAX_QUERY:
        raise ValidationError(_l("Write at most %(max)d characters.", max=MAX_QUERY), field="q")
    query = db.select(User).where(User.role == Role.customer, User.active.is_(True)).order_by(User.name, User.id)
    if not q:
        return query.where(false())
    pattern = _like(q)
    orders = db.select(Order.customer_id).where(or_(Order.number == q[:40], Order.marketplace_order_number == q[:80]))
    conditions = [
        func.lower(User.name).like(pattern, escape="\\"),
        func.lower(User.email).like(pattern, escape="\\"),
        User.id.in_(orders),
    ]
    digits = digits_of(q)
    if digits.isdigit() and len(digits) in (11, 14):
        conditions.append(User.document == digits)
    return query.where(or_(*conditions))
