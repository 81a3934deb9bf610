"""How an API view declares its request and answers: one declaration validates the body and documents the route.

    @bp.put("/orders/<number>")
    @operation("putOrder", "Create or replace an order", body=OrderInput,
               responses={200: (OrderWritten, "Updated, or unchanged."), 201: (OrderWritten, "Created.")},
               errors=(404, 409))
    def put_order(number, body: OrderInput): ...

The view receives the validated model as `body`; `openapi.build_document` reads the declarations of every route.
"""
import functools
import json
from dataclasses import dataclass, field

import pydantic
import pydantic_core
from flask import request
from flask_babel import gettext as _

from ...core.errors import DomainError, ValidationError
from .schemas.fields import clean_text

WRITE_ERRORS = (400, 413, 422)
# What a text in the path may be: no control characters, no spaces around it (a path parameter's `pattern`).
PATH_TEXT = r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$"


class InvalidJSON(DomainError):
    status_code = 400
    code = "invalid_json"


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says about one route and method."""

    operation_id: str
    summary: str
    responses: dict  # status -> (model or None, description)
    body: type | None = None
    errors: tuple[int, ...] = ()
    error_descriptions: dict = field(default_factory=dict)
    error_model: str = "Error"
    security: str = "bearer"  # bearer, webhook or none
    headers: type | None = None  # a model whose aliases are request headers
    query: type | None = None  # a model of the query-string parameters, passed to the view as `query`
    path_parameters: dict = field(default_factory=dict)  # name -> (description, max length)
    checked_path_parameters: tuple[str, ...] = ()  # refused unless they match PATH_TEXT (422), not looked up
    description: str = ""


def operation(operation_id: str, summary: str, *, responses: dict, body: type | None = None,
              validate: bool = True, **details):
    """Declare the view's operation; with `body` (and `validate`), pass it the validated body as `body`, and
    with `query` the validated query string as `query`."""
    spec = Operation(operation_id, summary, responses, body, **details)
    read = {"body": read_body if body is not None and validate else None, "query": read_query}
    models = {"body": body, "query": spec.query}

    def decorate(view):
        readers = {name: reader for name, reader in read.items() if reader is not None and models[name] is not None}
        if readers:
            @functools.wraps(view)
            def wrapper(*args, **kwargs):
                values = {name: reader(models[name]) for name, reader in readers.items()}
                return view(*args, **values, **kwargs)
        else:
            wrapper = view
        wrapper.api_operation = spec
        return wrapper

    return decorate


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number")


def json_object(raw: bytes | None = None) -> dict:
    """Read the body (or `raw`) as a JSON object, or raise InvalidJSON."""
    if not request.is_json:
        raise InvalidJSON(_("Send a JSON object with the header Content-Type: application/json."))
    try:
        data = json.loads(request.get_data(cache=False) if raw is None else raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise InvalidJSON(_("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise InvalidJSON(_("The request body must be a JSON object."))
    return data


def field_path(loc: tuple) -> str:
    """Return `items[2].quantity` for the location ('items', 2, 'quantity')."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _message(error: dict) -> str:
    kind = error["type"]
    if kind == "portal":
        return error["ctx"]["message"]
    if kind == "missing" or (kind in ("model_type", "model_attributes_type", "list_type")
                             and error.get("input") is None):
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("Expected an object.")
    if kind == "list_type":
        return _("Expected a list.")
    if kind == "too_long":
        return _("At most %(n)d items.", n=error["ctx"]["max_length"])
    return _("This value is not valid.")


def validation_error(error: pydantic.ValidationError, field: str | None = None) -> ValidationError:
    """Name the first problem the way the API always has: a translated message and the field's dotted path."""
    first = error.errors(include_url=False)[0]
    return ValidationError(_message(first), field=field_path(first["loc"]) or field)


def validate(model, data, field: str | None = None):
    """Return `data` validated as `model` (a model or a TypeAdapter), or raise ValidationError naming the first
    problem; `field` names the value when it is not an object."""
    try:
        return model.validate_python(data) if isinstance(model, pydantic.TypeAdapter) else model.model_validate(data)
    except pydantic.ValidationError as error:
        raise validation_error(error, field) from None


def read_body(model):
    """Return the request's JSON object validated as `model`."""
    return validate(model, json_object())


def read_query(model):
    """Return the query string validated as `model`; a repeated parameter counts by its first value."""
    return validate(model, request.args.to_dict())


def path_text(value: str, name: str, max_length: int) -> str:
    """Return the path parameter, or raise ValidationError naming it: blank, too long or padded with spaces."""
    try:
        clean = clean_text(value, max_length, required=True)
    except pydantic_core.PydanticCustomError as error:
        raise ValidationError(error.context["message"], field=name) from None
    if clean != value:
        raise ValidationError(_("The order number may not start or end with spaces."), field=name)
    return clean
