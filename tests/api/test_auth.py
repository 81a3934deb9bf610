"""Bearer-token authentication of the API area."""
import pytest

from portal.accounts import users as accounts
from portal.models import ApiToken

ENDPOINTS = [
    ("GET", "/api/v1/orders/123"),
    ("PUT", "/api/v1/orders/123"),
    ("POST", "/api/v1/orders/123/status"),
    ("GET", "/api/v1/statuses"),
    ("POST", "/api/v1/statuses"),
]


def _assert_401(response):
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized"
    assert error["message"]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_missing_token_is_refused_everywhere(client, factory, method, path):
    _assert_401(client.open(path, method=method, json={}))


@pytest.mark.parametrize("header", [
    "Bearer pt_not-a-real-token", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "pt_without_scheme",
    "Bearer " + "x" * 5000,
])
def test_invalid_token_is_refused(client, factory, header):
    _assert_401(client.get("/api/v1/statuses", headers={"Authorization": header}))


def test_revoked_token_is_refused(client, factory, db):
    token, raw = accounts.create_api_token("old integration")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/statuses", headers=headers).status_code == 200
    accounts.revoke_api_token(db.session.get(ApiToken, token.id))
    db.session.commit()
    _assert_401(client.get("/api/v1/statuses", headers=headers))


def test_valid_token_passes_and_is_marked_used(client, factory, db):
    token, raw = accounts.create_api_token("erp")
    response = client.get("/api/v1/statuses", headers={"Authorization": f"bearer {raw}"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None


def test_openapi_document_needs_no_token(client, factory):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.1")
