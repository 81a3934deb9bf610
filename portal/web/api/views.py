"""Views of the API blueprint: orders and statuses for the back office, and the OpenAPI document."""
from flask import g, jsonify
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from ...core import races
from ...core.error_pages import MESSAGES
from ...core.errors import DomainError, NotFound
from ...extensions import db
from ...models import Order, OrderStatus, OrderStatusChange
from ...orders import intake as orders
from ...orders import status_admin
from . import bp, schemas
from .auth import require_api_token
from .openapi import OPENAPI
from .serializers import error_json, order_json, status_json, store_timezone

bp.before_request(require_api_token)


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    """Undo everything the request did and answer with the error."""
    db.session.rollback()
    return error_json(error.status_code, error.code, error.message, error.field)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Answer HTTP errors (too large, not found...) in the API's error format."""
    db.session.rollback()
    status = error.code or 500
    code = (error.name or "").lower().replace(" ", "_") or str(status)
    return error_json(status, code, MESSAGES.get(status, MESSAGES[500])())


def _source() -> str:
    return f"api:{g.api_token.name}"[:100]


def _load_order(number: str) -> Order:
    """Return the order with what its JSON shows, or raise NotFound."""
    order = None
    if 0 < len(number) <= 40 and "\x00" not in number:
        order = db.session.scalar(
            db.select(Order).where(Order.number == number).options(
                selectinload(Order.items), selectinload(Order.status), selectinload(Order.channel),
                selectinload(Order.customer),
                selectinload(Order.history).options(
                    selectinload(OrderStatusChange.to_status), selectinload(OrderStatusChange.from_status),
                ),
            )
        )
    if order is None:
        raise NotFound(_("There is no order with this number."), field="number")
    return order


@bp.get("/openapi.json")
def openapi():
    """Describe the API (public, no token needed)."""
    return jsonify(OPENAPI)


@bp.get("/orders/<number>")
def get_order(number: str):
    """Show one order."""
    order = _load_order(number)
    body = order_json(order)
    db.session.commit()  # keeps the token's last-used time
    return jsonify(body)


@bp.put("/orders/<number>")
def put_order(number: str):
    """Create the order or replace it with the body; a repeat of the same body changes nothing."""
    data = schemas.parse_order(number, schemas.json_body(), store_timezone())
    source = _source()
    try:
        result = orders.upsert_order(data, source=source)
        db.session.commit()
    except (IntegrityError, OperationalError) as error:
        if not races.lost_a_race(error):
            raise
        # A simultaneous request created the same order or customer first: once more, it finds them.
        races.start_over()
        result = orders.upsert_order(data, source=source)
        db.session.commit()
    body = order_json(_load_order(data.number))
    body.update(warnings=schemas.order_warnings(data), customer_created=result.customer_created,
                changed=result.changed)
    return jsonify(body), 201 if result.created else 200


@bp.post("/orders/<number>/status")
def change_status(number: str):
    """Move the order to another status if the rules allow it."""
    order = _load_order(number)
    name, note = schemas.parse_status_change(schemas.json_body())
    status = orders.require_status(name)
    orders.change_order_status(order, status, source=_source(), note=note)
    db.session.commit()
    return jsonify(order_json(_load_order(number)))


@bp.get("/statuses")
def list_statuses():
    """List every status, built-in and additional."""
    rows = db.session.scalars(db.select(OrderStatus).order_by(OrderStatus.id))
    body = [status_json(status) for status in rows]
    db.session.commit()  # keeps the token's last-used time
    return jsonify(body)


@bp.post("/statuses")
def create_status():
    """Create an additional status; it has no type until the merchant gives it one."""
    status = status_admin.add_status(None, schemas.parse_new_status(schemas.json_body()), None, source=_source())
    db.session.commit()
    return jsonify(status_json(status)), 201


