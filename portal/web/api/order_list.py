"""Views of the API blueprint: the list of orders, newest first, such as those placed in the portal."""
from flask import jsonify
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Order
from . import bp
from .schemas.products import OrderList, OrdersQuery
from .serializers import iso, money, store_timezone
from .spec import operation


def _summary(order: Order, zone) -> dict:
    return {
        "number": order.number,
        "channel": {"code": order.channel.code, "name": order.channel.name,
                    "is_marketplace": order.channel.is_marketplace},
        "customer": {"email": order.customer.email, "name": order.customer.name},
        "status": {"name": order.status.name, "type": order.status.type.value if order.status.type else None},
        "placed_at": iso(order.placed_at, zone),
        "totals": {"subtotal": money(order.subtotal), "shipping": money(order.shipping_total),
                   "discount": money(order.discount_total), "total": money(order.total)},
        "created_in_portal": order.created_in_portal,
        "placed_by_email": order.placed_by_email,
        "price_approval": order.price_approval.value,
    }


@bp.get("/orders")
@operation("listOrders", "List orders, newest first", query=OrdersQuery, errors=(422,),
           responses={200: (OrderList, "One page of orders.")},
           description="`created_in_portal=1` lists the orders placed in the portal (by an operator or from a "
                       "shared cart); `has_next` tells whether another page follows.")
def list_orders(query: OrdersQuery):
    """List one page of orders, newest first, optionally only those placed in the portal (or not)."""
    select = db.select(Order).options(joinedload(Order.channel), joinedload(Order.customer),
                                      joinedload(Order.status))
    if query.created_in_portal is not None:
        select = select.where(Order.created_in_portal.is_(query.created_in_portal))
    select = select.order_by(Order.placed_at.desc(), Order.id.desc())
    rows = list(db.session.scalars(select.limit(query.per_page + 1).offset((query.page - 1) * query.per_page)))
    zone = store_timezone()
    body = {"orders": [_summary(order, zone) for order in rows[:query.per_page]], "page": query.page,
            "per_page": query.per_page, "has_next": len(rows) > query.per_page}
    db.session.commit()  # keeps the token's last-used time
    return jsonify(body)
