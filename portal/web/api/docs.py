"""The API's description: the OpenAPI document and a page that reads it (public, no token needed)."""
from flask import current_app, jsonify, render_template
from flask_babel import gettext as _

from . import bp
from .openapi import REF, document
from .spec import operation

REF_PREFIX = REF.split("{", 1)[0]


@bp.get("/openapi.json")
@operation("getOpenAPI", "This document", security="none",
           responses={200: (None, "The OpenAPI 3.1 document, generated from the API's models.")})
def openapi():
    """Answer the OpenAPI document, built once per process from the routes and their models."""
    return jsonify(document(current_app))


@bp.get("/docs")
@operation("getDocs", "This document as a page", security="none",
           responses={200: (None, "An HTML page listing every operation and schema.")})
def docs():
    """Show the document as a page with no scripts and no outside assets."""
    doc = document(current_app)
    return render_template("api/docs.html", info=doc["info"], operations=operations(doc), schemas=schemas(doc))


def type_parts(schema: dict) -> list[tuple[str, str]]:
    """Describe a schema as ("text", ...) and ("ref", name) parts, such as ItemInput[] or string | null."""
    if "$ref" in schema:
        return [("ref", schema["$ref"].removeprefix(REF_PREFIX))]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            parts = []
            for option in schema[key]:
                parts += ([("text", " | ")] if parts else []) + type_parts(option)
            return parts
    if schema.get("type") == "array":
        return type_parts(schema.get("items", {})) + [("text", "[]")]
    kind = schema.get("type", "any")
    return [("text", " | ".join(kind) if isinstance(kind, list) else kind)]


def constraints(schema: dict) -> str:
    """Say in words what limits the value: length, range, pattern, choices, format."""
    for option in schema.get("anyOf", ()):
        schema = {**option, **{key: value for key, value in schema.items() if key != "anyOf"}}
    said = []
    if "maxLength" in schema:
        said.append(_("at most %(n)d characters", n=schema["maxLength"]))
    if "maxItems" in schema:
        said.append(_("at most %(n)d items", n=schema["maxItems"]))
    if "minimum" in schema and "maximum" in schema:
        said.append(_("from %(low)s to %(high)s", low=schema["minimum"], high=schema["maximum"]))
    if "enum" in schema or "const" in schema:
        values = schema.get("enum", [schema.get("const")])
        said.append(_("one of: %(values)s", values=", ".join("null" if v is None else str(v) for v in values)))
    for key, label in (("format", _("format")), ("pattern", _("pattern")), ("default", _("default"))):
        if key in schema:
            said.append(f"{label} {schema[key]}")
    return "; ".join(said)


def operations(doc: dict) -> list[dict]:
    """List each operation with its parameters, body and answers, in the document's order."""
    found = []
    for path, methods in doc["paths"].items():
        for method, spec in methods.items():
            body = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            found.append({
                "id": spec["operationId"], "method": method.upper(), "path": path, "summary": spec["summary"],
                "description": spec.get("description", ""), "security": spec.get("security", doc["security"]),
                "parameters": [{**param, "parts": type_parts(param["schema"]), "limits": constraints(param["schema"])}
                               for param in spec.get("parameters", ())],
                "body": type_parts(body) if body else None,
                "responses": [{"status": status, "description": answer["description"],
                               "parts": type_parts(answer["content"]["application/json"]["schema"])
                               if "content" in answer else []} for status, answer in spec["responses"].items()],
            })
    return found


def schemas(doc: dict) -> list[dict]:
    """List each component schema with its fields, or its variants for a choice of schemas."""
    found = []
    for name, schema in doc["components"]["schemas"].items():
        required = set(schema.get("required", ()))
        found.append({
            "name": name, "description": schema.get("description", ""),
            "variants": type_parts(schema) if "properties" not in schema else [],
            "closed": schema.get("additionalProperties") is False,
            "fields": [{"name": key, "required": key in required, "parts": type_parts(prop),
                        "limits": constraints(prop), "description": prop.get("description", "")}
                       for key, prop in schema.get("properties", {}).items()],
        })
    return found
