"""The portal survives a database restart: pooled connections are checked before use and replaced."""
import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from . import cluster

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy")]

SHOPPER = "bia.restart@example.com"


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """One gunicorn on its own database, with a shopper and an API token made through the CLI."""
    database_url = cluster.create_database("portal_restart")
    instance_dir = tmp_path_factory.mktemp("restart-instance")
    env = cluster.portal_env(database_url, instance_dir)
    server = None
    try:
        printed = cluster.flask(env, ["db", "upgrade"], ["bootstrap"],
                                ["users", "create", "--email", SHOPPER, "--role", "customer", "--name", "Bia",
                                 "--password", cluster.PASSWORD],
                                ["tokens", "create", "erp"])
        api_token = printed.strip().splitlines()[-1]
        server = cluster.Instance(env, instance_dir / "gunicorn.log")
        server.wait_ready()
        yield server, database_url, api_token
    finally:
        if server is not None:
            server.stop()
        cluster.drop_database(database_url)


def _order_count(database_url: str, number: str) -> int:
    engine = create_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM orders WHERE number = :n"), {"n": number}).scalar_one()
    finally:
        engine.dispose()


def test_requests_and_writes_succeed_right_after_every_connection_is_killed(portal):
    server, database_url, api_token = portal
    shopper = requests.Session()
    assert cluster.log_in(shopper, server.url, SHOPPER).status_code == 302
    assert shopper.get(server.url + "/orders", allow_redirects=False, timeout=10).status_code == 200

    assert cluster.terminate_connections(database_url) >= 1  # the portal's pooled connection was there, and is dead
    page = shopper.get(server.url + "/orders", allow_redirects=False, timeout=10)
    assert page.status_code == 200 and "Bia" in page.text

    assert cluster.terminate_connections(database_url) >= 1
    response = requests.put(f"{server.url}/api/v1/orders/880001", timeout=10, json={
        "customer": {"email": SHOPPER, "name": "Bia"},
        "placed_at": "2026-11-02T10:15:00-03:00",
        "totals": {"subtotal": "50.00", "shipping": "0", "discount": "0", "total": "50.00"},
        "items": [{"sku": "CAM-01", "name": "Camiseta", "quantity": 1, "unit_price": "50.00"}],
    }, headers={"Authorization": f"Bearer {api_token}"})
    assert response.status_code == 201, response.text
    assert _order_count(database_url, "880001") == 1  # committed: seen from another connection

    assert cluster.terminate_connections(database_url) >= 1
    assert "880001" in shopper.get(server.url + "/orders", timeout=10).text
    assert requests.get(server.url + "/readyz", timeout=10).json()["checks"]["database"] == "ok"
