"""The OpenAPI document describes every route of the API blueprint."""
import re


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def test_every_api_route_is_documented(app, client, db):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    routes = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")]
    assert routes
    for rule in routes:
        path = _openapi_path(rule.rule)
        assert path in document["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], (method, path)


def test_security_and_error_schema_are_described(client, db):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearerAuth": []}]
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    schemas = document["components"]["schemas"]
    error = schemas["Error"]["properties"]["error"]
    error = schemas[error["$ref"].rsplit("/", 1)[1]] if "$ref" in error else error
    assert set(error["required"]) == {"code", "message", "field"}


def test_every_reference_resolves(client, db):
    document = client.get("/api/v1/openapi.json").get_json()
    text = str(document)
    for kind, name in re.findall(r"#/components/(\w+)/(\w+)", text):
        assert name in document["components"][kind], (kind, name)
