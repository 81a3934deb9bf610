"""Who may see and do what: predicates and loaders, the one place for permissions."""
from flask import abort
from sqlalchemy.orm import selectinload

from .extensions import db
from .models import Order, OrderStatusChange, Role, User


def is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role.is_staff


def can_see_order(user: User, order: Order) -> bool:
    """A customer sees their own orders; staff see every order."""
    if not getattr(user, "is_authenticated", False):
        return False
    return order.customer_id == user.id or user.role.is_staff


def can_manage_store(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role is Role.admin


def customer_orders_query(user: User):
    """Select the orders a customer may list, newest first."""
    return (
        db.select(Order)
        .where(Order.customer_id == user.id)
        .options(selectinload(Order.status), selectinload(Order.channel))
        .order_by(Order.placed_at.desc(), Order.id.desc())
    )


def get_order_or_404(number: str, user: User) -> Order:
    """Return the order with everything its page shows, if the user may see it.

    Raises 404 both when the order does not exist and when it is not the user's,
    so that nobody can learn which order numbers exist.
    """
    order = db.session.scalar(
        db.select(Order)
        .where(Order.number == str(number)[:40])
        .options(
            selectinload(Order.items),
            selectinload(Order.status),
            selectinload(Order.channel),
            selectinload(Order.history).options(
                selectinload(OrderStatusChange.to_status), selectinload(OrderStatusChange.from_status)
            ),
        )
    )
    if order is None or not can_see_order(user, order):
        abort(404)
    return order
