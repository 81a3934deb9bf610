"""The OpenAPI 3.1 document, built from the routes of the URL map and the models their operations declare."""
import re

from flask import Flask
from pydantic.json_schema import models_json_schema

from .schemas.errors import Error, WebhookError
from .spec import PATH_TEXT, Operation

REF = "#/components/schemas/{model}"
ERROR_MODELS = {"Error": Error, "WebhookError": WebhookError}
ERRORS = {
    400: "The body is not a JSON object, or not sent as application/json (invalid_json).",
    401: "Missing, invalid or revoked token (unauthorized).",
    404: "No order (or ticket, or channel) with this number or code (not_found).",
    409: "The status rules forbid the change (transition_not_allowed).",
    413: "The body exceeds 1 MB.",
    422: "A field is wrong; `field` names it (validation_error).",
}
INFO = {
    "title": "Portal back-office API",
    "version": "1.0.0",
    "description": "Orders, statuses and tickets for the store's back office. Create a token with "
                   "`flask tokens create NAME` and send it as `Authorization: Bearer <token>`. "
                   "Integrated marketplaces post to /api/v1/channels/{code}/events, signed instead.",
}
SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer"},
    "webhookSignature": {"type": "apiKey", "in": "header", "name": "X-Portal-Signature",
                         "description": "HMAC-SHA256 of the timestamp and the raw body; docs/integrations.md."},
}
_ARGUMENT = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


def openapi_path(rule: str) -> str:
    """Return `/orders/{number}` for the Flask rule `/orders/<number>`."""
    return _ARGUMENT.sub(r"{\1}", rule)


def _operations(app: Flask) -> list[tuple[str, str, Operation]]:
    """Return (rule, method, operation) for every route of the API blueprint; refuse an undeclared one."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.endpoint.startswith("api."):
            continue
        spec = getattr(app.view_functions[rule.endpoint], "api_operation", None)
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        if spec is None or len(methods) != 1:
            raise LookupError(f"{rule.endpoint} needs one method and an @operation declaration")
        found.append((rule.rule, methods[0], spec))
    return found


def _schemas(operations) -> tuple[dict, dict]:
    """Return the schema reference of each model, and the components they need."""
    models = set(ERROR_MODELS.values())
    for _path, _method, spec in operations:
        models.update(model for model, _text in spec.responses.values() if model is not None)
        models.update(model for model in (spec.body, spec.headers) if model is not None)
    inputs = {spec.body for _path, _method, spec in operations if spec.body is not None}
    ordered = sorted(models, key=lambda model: model.__name__)
    keys = [(model, "validation" if model in inputs else "serialization") for model in ordered]
    refs, definitions = models_json_schema(keys, ref_template=REF)
    return {model: refs[(model, mode)] for model, mode in keys}, definitions.get("$defs", {})


def _content(ref: dict) -> dict:
    return {"application/json": {"schema": ref}}


def _parameters(path: str, spec: Operation, refs: dict, components: dict) -> list[dict]:
    parameters = [{
        "name": name, "in": "path", "required": True,
        "description": spec.path_parameters.get(name, ("", 40))[0],
        "schema": {"type": "string", "maxLength": spec.path_parameters.get(name, ("", 40))[1],
                   **({"pattern": PATH_TEXT} if name in spec.checked_path_parameters else {})},
    } for name in re.findall(r"{([^}]+)}", path)]
    if spec.headers is not None:
        schema = components[refs[spec.headers]["$ref"].rsplit("/", 1)[1]]
        for name, prop in schema["properties"].items():
            description = prop.get("description", "")
            parameters.append({"name": name, "in": "header", "required": name in schema.get("required", ()),
                               "description": description,
                               "schema": {key: value for key, value in prop.items()
                                          if key not in ("description", "title")}})
    if spec.query is not None:
        parameters += query_parameters(spec.query)
    return parameters


def query_parameters(model) -> list[dict]:
    """Describe the fields of a query-string model as `in: query` parameters."""
    schema = model.model_json_schema()
    return [{
        "name": name, "in": "query", "required": name in schema.get("required", ()),
        "description": prop.get("description", ""),
        "schema": {key: value for key, value in prop.items()
                   if key not in ("description", "title") and not (key == "default" and value is None)},
    } for name, prop in schema.get("properties", {}).items()]


def _operation(path: str, spec: Operation, refs: dict, components: dict) -> dict:
    responses = {str(status): {"description": text, **({"content": _content(refs[model])} if model else {})}
                 for status, (model, text) in sorted(spec.responses.items())}
    codes = set(spec.errors) | ({401} if spec.security == "bearer" else set())
    for status in sorted(codes):
        text = spec.error_descriptions.get(status, ERRORS[status])
        responses[str(status)] = {"description": text, "content": _content(refs[ERROR_MODELS[spec.error_model]])}
    if 401 in codes and spec.security == "bearer":
        responses["401"]["headers"] = {"WWW-Authenticate": {"schema": {"type": "string", "const": "Bearer"}}}
    document = {"operationId": spec.operation_id, "summary": spec.summary}
    if spec.description:
        document["description"] = spec.description
    parameters = _parameters(path, spec, refs, components)
    if parameters:
        document["parameters"] = parameters
    if spec.security != "bearer":
        document["security"] = [{"webhookSignature": []}] if spec.security == "webhook" else []
    if spec.body is not None:
        document["requestBody"] = {"required": True, "content": _content(refs[spec.body])}
    document["responses"] = responses
    return document


def build_document(app: Flask) -> dict:
    """Describe every route of the API blueprint from its declared operation."""
    operations = _operations(app)
    refs, components = _schemas(operations)
    paths: dict = {}
    for rule, method, spec in operations:
        path = openapi_path(rule)
        paths.setdefault(path, {})[method.lower()] = _operation(path, spec, refs, components)
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {"securitySchemes": SECURITY_SCHEMES, "schemas": components},
    }


def document(app: Flask) -> dict:
    """Return the app's document, built on first use."""
    cached = app.extensions.get("api_openapi")
    if cached is None:
        cached = app.extensions["api_openapi"] = build_document(app)
    return cached
