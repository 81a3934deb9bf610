"""The OpenAPI 3.1 document of the back-office API, built once at import."""


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _str(max_length: int | None = None, nullable: bool = True, **extra) -> dict:
    schema = {"type": ["string", "null"] if nullable else "string", **extra}
    if max_length:
        schema["maxLength"] = max_length
    return schema


def _obj(properties: dict, required: tuple = (), closed: bool = True, **extra) -> dict:
    schema = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    return schema


AMOUNT_IN = {
    "description": "Zero or more, at most two decimals; a decimal string is safest.",
    "oneOf": [
        {"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,2})?$", "examples": ["19.90"]},
        {"type": "number", "minimum": 0, "maximum": 9999999999.99},
    ],
}
AMOUNT_OUT = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "examples": ["19.90"]}
DATETIME_IN = {
    "type": ["string", "null"], "format": "date-time",
    "description": "ISO 8601; without an offset the time is read in the store's time zone.",
}
DATETIME_OUT = {"type": ["string", "null"], "format": "date-time", "description": "ISO 8601 with offset."}
ADDRESS_KEYS = ("name", "street", "number", "complement", "district", "city", "state", "postal_code", "country")
STATUS_TYPE = {"type": ["string", "null"], "enum": ["in_progress", "completed", "cancelled", None]}

SCHEMAS = {
    "Error": _obj({"error": _obj({
        "code": {"type": "string", "examples": ["validation_error"]},
        "message": {"type": "string", "description": "In the caller's language (Accept-Language)."},
        "field": _str(description="Dotted path of the offending field, such as items[2].quantity."),
    }, required=("code", "message", "field"))}, required=("error",)),
    "Address": _obj({key: _str(200) for key in ADDRESS_KEYS}),
    "Customer": _obj({"email": _str(254, nullable=False, format="email"), "name": _str(200)}, required=("email",)),
    "TotalsInput": _obj({key: AMOUNT_IN for key in ("subtotal", "shipping", "discount", "total")}),
    "Invoice": _obj({
        "number": _str(40),
        "access_key": _str(44, pattern="^[0-9]{44}$", description="NF-e access key with a valid check digit."),
        "url": _str(2048, format="uri", description="http or https."),
    }),
    "ItemInput": _obj({
        "sku": _str(80), "name": _str(300, nullable=False),
        "quantity": {"type": "integer", "minimum": 1, "maximum": 1000000}, "unit_price": AMOUNT_IN,
    }, required=("name", "quantity", "unit_price")),
    "OrderInput": _obj({
        "number": _str(40, description="Optional; must equal the number in the path."),
        "customer": _ref("Customer"),
        "channel": _str(50, description="Channel code; default loja."),
        "status": _str(80, description="Status name; default AGUARDANDO PAGAMENTO on create, unchanged on update."),
        "marketplace_order_number": _str(80), "delivery_number": _str(80),
        "placed_at": {**DATETIME_IN, "type": "string"}, "paid_at": DATETIME_IN, "shipped_at": DATETIME_IN,
        "expected_delivery_on": {"type": ["string", "null"], "format": "date",
                                 "description": "Delivery date promised to the shopper (YYYY-MM-DD)."},
        "shipping_code": _str(2048, description="Correios code or tracking URL."),
        "carrier": _str(100), "payment_method": _str(100),
        "currency": _str(3, pattern="^[A-Za-z]{3}$", default="BRL"),
        "totals": _ref("TotalsInput"), "invoice": _ref("Invoice"),
        "items": {"type": "array", "maxItems": 500, "items": _ref("ItemInput")},
        "delivery_address": _ref("Address"), "billing_address": _ref("Address"),
    }, required=("customer", "placed_at")),
    "Tracking": _obj({
        "kind": {"type": "string", "enum": ["correios", "embed", "new_tab", "none"]},
        "url": _str(), "code": _str(),
    }),
    "Item": _obj({
        "sku": {"type": "string"}, "name": {"type": "string"}, "quantity": {"type": "integer"},
        "unit_price": AMOUNT_OUT, "line_total": AMOUNT_OUT,
    }),
    "HistoryEntry": _obj({
        "from_status": _str(), "to_status": {"type": "string"}, "changed_at": DATETIME_OUT,
        "source": {"type": "string"}, "note": _str(),
    }),
    "Order": _obj({
        "number": {"type": "string"},
        "channel": _obj({
            "code": {"type": "string"}, "name": {"type": "string"}, "is_marketplace": {"type": "boolean"},
        }),
        "customer": _ref("Customer"),
        "status": _obj({"name": {"type": "string"}, "type": STATUS_TYPE}),
        "marketplace_order_number": _str(), "delivery_number": _str(),
        "placed_at": DATETIME_OUT, "paid_at": DATETIME_OUT, "shipped_at": DATETIME_OUT,
        "expected_delivery_on": {"type": ["string", "null"], "format": "date"},
        "shipping_code": _str(), "tracking": _ref("Tracking"),
        "carrier": _str(), "payment_method": _str(), "currency": {"type": "string"},
        "totals": _obj({key: AMOUNT_OUT for key in ("subtotal", "shipping", "discount", "total")}),
        "invoice": _ref("Invoice"),
        "items": {"type": "array", "items": _ref("Item")},
        "delivery_address": {"oneOf": [_ref("Address"), {"type": "null"}]},
        "billing_address": {"oneOf": [_ref("Address"), {"type": "null"}]},
        "history": {"type": "array", "items": _ref("HistoryEntry")},
        "created_at": DATETIME_OUT, "updated_at": DATETIME_OUT,
    }, closed=False),
    "Warning": _obj({"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}),
    "OrderWritten": {"allOf": [_ref("Order"), _obj({
        "warnings": {"type": "array", "items": _ref("Warning")},
        "customer_created": {"type": "boolean"},
        "changed": {"type": "boolean", "description": "False when the body matched the stored order."},
    }, closed=False)]},
    "Status": _obj({
        "name": {"type": "string"}, "type": STATUS_TYPE,
        "builtin": {"type": "boolean"}, "retired": {"type": "boolean"},
    }),
    "StatusInput": _obj({"name": _str(80, nullable=False)}, required=("name",)),
    "TicketInput": _obj({
        "subject": _str(200, nullable=False), "message": _str(10000, nullable=False, description="Plain text or "
                                                              "simple HTML; sanitised."),
        "channel": _str(50, description="Channel code; default the order's channel."),
        "marketplace_ticket_code": _str(80, description="The marketplace's own ticket code. Sending a code "
                                                         "already registered on the channel answers that ticket."),
    }, required=("subject", "message")),
    "TicketMessage": _obj({
        "author": {"type": "string", "enum": ["customer", "staff", "marketplace", "system"]},
        "visibility": {"type": "string", "enum": ["customer", "marketplace"]},
        "body_html": {"type": "string"}, "created_at": DATETIME_OUT,
    }),
    "Ticket": _obj({
        "number": {"type": "string", "pattern": "^[0-9]{11}$", "description": "11 digits, Verhoeff check digit."},
        "order": {"type": "string"}, "channel": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "waiting", "closed"]},
        "subject": {"type": "string"}, "marketplace_ticket_code": _str(), "escalated": {"type": "boolean"},
        "open_since": DATETIME_OUT,
        "due_at": {**DATETIME_OUT, "description": "When an answer is due; null while waiting or closed."},
        "created_at": DATETIME_OUT, "updated_at": DATETIME_OUT, "closed_at": DATETIME_OUT,
        "messages": {"type": "array", "items": _ref("TicketMessage"),
                     "description": "Internal notes are never included."},
    }, closed=False),
    "StatusChangeInput": _obj({"status": _str(80, nullable=False), "note": _str(2000)}, required=("status",)),
}

# The webhook of integrated marketplaces (docs/integrations.md): signed, idempotent by event_id.
_EVENT_BASE = {
    "event_id": _str(120, nullable=False, description="Unique per channel; a repeat answers duplicate."),
    "occurred_at": {"type": "string", "format": "date-time", "description": "ISO 8601 with an offset."},
    "ticket": _obj({"id": _str(80, nullable=False, description="The marketplace's ticket id."),
                    "order": _str(80, nullable=False, description="Marketplace order number, or the store's."),
                    "subject": _str(200, description="Required when the ticket does not exist yet.")},
                   required=("id", "order"), closed=False),
}
_EVENT_MESSAGE = _obj({"id": _str(120, nullable=False), "body": _str(10000, nullable=False)}, required=("id", "body"),
                      closed=False, description="Text or simple HTML; sanitised.")
WEBHOOK_ERRORS = {
    "400": "The body is not a JSON object (invalid_json).", "413": "The body exceeds 1 MB (too_large).",
    "401": "Signature or timestamp missing (signature_missing), timestamp more than 300 s off "
           "(timestamp_out_of_range) or wrong signature (signature_invalid).",
    "404": "No integrated marketplace channel with this code (unknown_channel), or no such order (unknown_order).",
    "409": "Lost a race with parallel deliveries several times (conflict); send it again.",
    "422": "A field is wrong; `field` names it (validation_error).",
}


def _event(kind: str, required: tuple, **extra) -> dict:
    return _obj({**_EVENT_BASE, "type": {"type": "string", "const": kind}, **extra},
                required=("event_id", "type", "occurred_at", "ticket", *required), closed=False)


SCHEMAS.update({
    "TicketCreatedEvent": _event("ticket.created", (), message=_EVENT_MESSAGE),
    "MessageCreatedEvent": _event("message.created", ("message",), message=_EVENT_MESSAGE),
    "StatusChangedEvent": _event("ticket.status_changed", ("status",),
                                 status={"type": "string", "enum": ["open", "waiting", "closed"]}),
    "WebhookEvent": {"oneOf": [_ref("TicketCreatedEvent"), _ref("MessageCreatedEvent"), _ref("StatusChangedEvent")],
                     "discriminator": {"propertyName": "type"}},
    "WebhookResult": _obj({"result": {"type": "string", "enum": ["applied", "duplicate", "stale"]}, "ticket": _str(
        pattern="^[0-9]{11}$"), "request_id": {"type": "string"}}, required=("result", "ticket", "request_id")),
    "WebhookError": _obj({"error": _obj({
        "code": {"type": "string", "examples": ["signature_invalid", "unknown_order"]}, "message": {"type": "string"},
        "field": _str(description="Dotted path, such as message.body."), "request_id": {"type": "string"},
    }, required=("code", "message", "field", "request_id"))}, required=("error",)),
})


def _error(description: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}
    if headers:
        response["headers"] = headers
    return response


RESPONSES = {
    "InvalidJSON": _error("The body is not a JSON object (code invalid_json)."),
    "Unauthorized": _error("Missing, invalid or revoked token.", {
        "WWW-Authenticate": {"schema": {"type": "string", "const": "Bearer"}},
    }),
    "NotFound": _error("No order (or ticket, or channel) with this number or code."),
    "Conflict": _error("The status rules forbid the change (code transition_not_allowed)."),
    "TooLarge": _error("The body exceeds 1 MB."),
    "Invalid": _error("A field is wrong; `field` names it (code validation_error)."),
}


def _json(schema_name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema_name)}}}


def _body(schema_name: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema_name)}}}


def _errors(*names: str) -> dict:
    codes = {"InvalidJSON": "400", "Unauthorized": "401", "NotFound": "404", "Conflict": "409",
             "TooLarge": "413", "Invalid": "422"}
    return {codes[name]: {"$ref": f"#/components/responses/{name}"} for name in ("Unauthorized", *names)}


NUMBER = {"name": "number", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 40}}
WRITE_ERRORS = ("InvalidJSON", "TooLarge", "Invalid")

PATHS = {
    "/api/v1/orders/{number}": {
        "parameters": [NUMBER],
        "get": {"operationId": "getOrder", "summary": "Show an order",
                "responses": {"200": _json("Order", "The order."), **_errors("NotFound")}},
        "put": {"operationId": "putOrder", "summary": "Create or replace an order (idempotent)",
                "requestBody": _body("OrderInput"),
                "responses": {"200": _json("OrderWritten", "Updated, or unchanged."),
                              "201": _json("OrderWritten", "Created."), **_errors("Conflict", *WRITE_ERRORS)}},
    },
    "/api/v1/orders/{number}/status": {
        "parameters": [NUMBER],
        "post": {"operationId": "changeOrderStatus", "summary": "Change the status of an order",
                 "requestBody": _body("StatusChangeInput"),
                 "responses": {"200": _json("Order", "The order after the change."),
                               **_errors("NotFound", "Conflict", *WRITE_ERRORS)}},
    },
    "/api/v1/orders/{number}/tickets": {
        "parameters": [NUMBER],
        "post": {"operationId": "createTicket", "summary": "Register a ticket on an order",
                 "requestBody": _body("TicketInput"),
                 "responses": {"200": _json("Ticket", "A ticket with this marketplace code already existed."),
                               "201": _json("Ticket", "Created; due_at is the channel's SLA."),
                               **_errors("NotFound", *WRITE_ERRORS)}},
    },
    "/api/v1/tickets/{number}": {
        "parameters": [{"name": "number", "in": "path", "required": True,
                        "schema": {"type": "string", "maxLength": 40}}],
        "get": {"operationId": "getTicket", "summary": "Show a ticket",
                "responses": {"200": _json("Ticket", "The ticket."), **_errors("NotFound")}},
    },
    "/api/v1/statuses": {
        "get": {"operationId": "listStatuses", "summary": "List statuses",
                "responses": {"200": {"description": "Every status.", "content": {"application/json": {
                    "schema": {"type": "array", "items": _ref("Status")}}}}, **_errors()}},
        "post": {"operationId": "createStatus", "summary": "Create an additional status (without a type)",
                 "requestBody": _body("StatusInput"),
                 "responses": {"201": _json("Status", "Created."), **_errors(*WRITE_ERRORS)}},
    },
    "/api/v1/channels/{code}/events": {
        "parameters": [{"name": "code", "in": "path", "required": True, "schema": _str(50, nullable=False)}, {
            "name": "X-Portal-Timestamp", "in": "header", "required": True, "description": "Unix time of sending.",
            "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"}}, {
            "name": "X-Portal-Signature", "in": "header", "required": True, "schema": {"type": "string"},
            "description": "sha256=<hex HMAC-SHA256(secret, timestamp + '.' + raw body)>; several, comma-separated, "
                           "while a secret is rotated. Nothing is written unless it matches."}],
        "post": {"operationId": "postChannelEvent", "summary": "Deliver a marketplace event (signed webhook)",
                 "security": [{"webhookSignature": []}],
                 "requestBody": _body("WebhookEvent"),
                 "responses": {"200": _json("WebhookResult", "Applied, or a repeat that changed nothing."),
                               **{code: _json("WebhookError", text) for code, text in WEBHOOK_ERRORS.items()}}},
    },
    "/api/v1/openapi.json": {
        "get": {"operationId": "getOpenAPI", "summary": "This document", "security": [],
                "responses": {"200": {"description": "The OpenAPI 3.1 document.",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}}},
    },
}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "Portal back-office API",
        "version": "1.0.0",
        "description": "Orders and statuses for the store's back office. Create a token with "
                       "`flask tokens create NAME` and send it as `Authorization: Bearer <token>`. "
                       "Integrated marketplaces post to /api/v1/channels/{code}/events, signed instead.",
    },
    "servers": [{"url": "/"}],
    "security": [{"bearerAuth": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}, "webhookSignature": {
            "type": "apiKey", "in": "header", "name": "X-Portal-Signature", "description": "docs/integrations.md"}},
        "schemas": SCHEMAS,
        "responses": RESPONSES,
    },
}
