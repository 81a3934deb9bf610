"""Views of the API blueprint: orders and statuses for the back office."""
from flask import g, jsonify
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException

from ... import access
from ...core import races
from ...core.error_pages import MESSAGES, error_headers
from ...core.errors import Conflict, DomainError, NotFound, ValidationError
from ...extensions import db
from ...models import Order, OrderStatus
from ...orders import intake as orders
from ...orders import status_admin, statuses
from . import bp
from .auth import require_api_token
from .schemas.orders import Order as OrderReply
from .schemas.orders import OrderInput, OrderWritten, Status, StatusChangeInput, StatusInput, StatusList
from .serializers import error_json, order_json, order_warnings, status_json, store_timezone
from .spec import WRITE_ERRORS, operation, path_text

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
    return error_json(status, code, MESSAGES.get(status, MESSAGES[500])(), headers=error_headers(error))


def _source() -> str:
    return f"api:{g.api_token.name}"[:100]


API_ORDER = (*access.ORDER_DETAILS, joinedload(Order.customer))


def _load_order(number: str) -> Order:
    """Return the order with what its JSON shows, or raise NotFound."""
    order = None
    if 0 < len(number) <= 40 and "\x00" not in number:
        order = db.session.scalar(
            db.select(Order).where(Order.number == number).options(*API_ORDER)
        )
    if order is None:
        raise NotFound(_("There is no order with this number."), field="number")
    return order


NUMBER = {"number": ("The store's order number.", 40)}


@bp.get("/orders/<number>")
@operation("getOrder", "Show an order", responses={200: (OrderReply, "The order.")}, errors=(404,),
           path_parameters=NUMBER)
def get_order(number: str):
    """Show one order."""
    order = _load_order(number)
    body = order_json(order)
    db.session.commit()  # keeps the token's last-used time
    return jsonify(body)


@bp.put("/orders/<number>")
@operation("putOrder", "Create or replace an order (idempotent)", body=OrderInput, path_parameters=NUMBER,
           checked_path_parameters=("number",),
           responses={200: (OrderWritten, "Updated, or unchanged."), 201: (OrderWritten, "Created.")},
           errors=(409, *WRITE_ERRORS))
def put_order(number: str, body: OrderInput):
    """Create the order or replace it with the body; a repeat of the same body changes nothing."""
    number = path_text(number, "number", 40)
    if body.number is not None and body.number != number:
        raise ValidationError(_("The number in the body differs from the one in the address."), field="number")
    data = body.to_input(number, store_timezone())
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
    answer = order_json(_load_order(data.number))
    answer.update(warnings=order_warnings(data), customer_created=result.customer_created,
                changed=result.changed)
    return jsonify(answer), 201 if result.created else 200


@bp.post("/orders/<number>/status")
@operation("changeOrderStatus", "Change the status of an order", body=StatusChangeInput, path_parameters=NUMBER,
           responses={200: (OrderReply, "The order after the change.")}, errors=(404, 409, *WRITE_ERRORS))
def change_status(number: str, body: StatusChangeInput):
    """Move the order to another status if the rules allow it."""
    order = _load_order(number)
    status = orders.require_status(body.status)
    orders.change_order_status(order, status, source=_source(), note=body.note)
    db.session.commit()
    return jsonify(order_json(_load_order(number)))


@bp.get("/statuses")
@operation("listStatuses", "List statuses", responses={200: (StatusList, "Every status.")})
def list_statuses():
    """List every status, built-in and additional."""
    rows = db.session.scalars(db.select(OrderStatus).order_by(OrderStatus.id))
    body = [status_json(status) for status in rows]
    db.session.commit()  # keeps the token's last-used time
    return jsonify(body)


@bp.post("/statuses")
@operation("createStatus", "Create an additional status (without a type)", body=StatusInput,
           responses={201: (Status, "Created.")}, errors=(409, *WRITE_ERRORS),
           error_descriptions={409: "A status with this name exists already (conflict); names are compared "
                                    "trimmed, single-spaced and in upper case."})
def create_status(body: StatusInput):
    """Create an additional status; it has no type until the merchant gives it one."""
    if statuses.get_status(body.name) is not None:
        raise Conflict(_("A status named %(name)s already exists.", name=statuses.normalise_status_name(body.name)),
                       field="name")
    status = status_admin.add_status(None, body.name, None, source=_source())
    db.session.commit()
    return jsonify(status_json(status)), 201


