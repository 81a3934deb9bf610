"""Schemathesis against the OpenAPI document the API serves, with every check: the document and the API agree.

Each operation gets a few generated requests (derandomized, so a run is repeatable), sent to the Flask app in
process with a valid bearer token, against the demo store; about half of the requests that name an order, a
ticket or a channel name one that exists, so that they reach past the 404s. Every check schemathesis has runs on
every answer: no 5xx, documented statuses, content types and headers, answers that match their schema,
schema-valid requests accepted, invalid ones refused, the token required, unsupported methods answered 405.
"""
import hashlib
from datetime import date, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from portal import create_app
from portal.accounts import users as accounts
from portal.demo.data import load_demo_data
from portal.models import Channel, Order, Product, Ticket
from portal.web.api.openapi import build_document

pytestmark = pytest.mark.db

load_all_checks()
ALL_CHECKS = CHECKS.get_all()


@pytest.fixture
def seeded(db):
    """The demo store, an API token and one object of each kind the paths name."""
    load_demo_data()
    _token, raw = accounts.create_api_token("schemathesis")
    integrated = db.session.scalar(db.select(Channel).where(Channel.integrated).order_by(Channel.id).limit(1))
    values = {
        "number": db.session.scalar(db.select(Order.number).order_by(Order.id).limit(1)),
        "ticket": db.session.scalar(db.select(Ticket.number).order_by(Ticket.id).limit(1)),
        "code": integrated.code,
        "sku": db.session.scalar(db.select(Product.sku).order_by(Product.id).limit(1)),
        "status": "ENVIADO",
    }
    db.session.commit()
    return raw, values


# The document depends only on the routes and their models: read it from an app of its own at collection time
# (the requests go to the test's app, on the test's database).
schema = schemathesis.openapi.from_dict(build_document(create_app({"TESTING": True,
                                                                   "SQLALCHEMY_DATABASE_URI": "sqlite://"})))


class _TestApp:
    """The WSGI app schemathesis sends to: the test's app, known only once the test runs."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


TEST_APP = _TestApp()
schema.app = TEST_APP


def _coherent(case, values: dict) -> None:
    """Make a schema-valid case keep the rules the document states in words, not in schemas: about half of them
    name objects that exist (chosen by the generated value, so repeatably); a `number` or `sku` in the body
    equals the one in the path; a status to change to and a KPI channel exist; a KPI period spans at most 366
    days; a list of products names each SKU once. Cases meant
    to be invalid are sent as generated."""
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return
    for name, generated in (case.path_parameters or {}).items():
        if hashlib.sha256(repr(generated).encode()).digest()[0] % 2:
            continue
        key = "ticket" if name == "number" and case.path.startswith("/api/v1/tickets") else name
        if key in values:
            case.path_parameters[name] = values[key]
    body = case.body if isinstance(case.body, dict) else {}
    for name in ("number", "sku"):
        if body.get(name) is not None and name in (case.path_parameters or {}):
            body[name] = case.path_parameters[name]
    for name, key in (("status", "status"), ("channel", "code")):
        if isinstance(body.get(name), str):
            body[name] = values[key]  # a status and a channel that exist; the rules may still refuse (409)
    if isinstance(body.get("products"), list):  # each SKU once in a list
        seen = set()
        body["products"] = [item for item in body["products"] if not isinstance(item, dict)
                            or item.get("sku") not in seen and not seen.add(item.get("sku"))]
    query = case.query if isinstance(case.query, dict) else {}
    if "channel" in query:
        query["channel"] = values["code"]  # a channel that exists
    try:
        start = date.fromisoformat(str(query.get("from")))
    except ValueError:
        start = None
    if start is not None:  # a period of at most 366 days
        query["to"] = (start + timedelta(days=30)).isoformat()


@schema.parametrize()
@settings(max_examples=12, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_document(case, app, seeded):
    raw, values = seeded
    _coherent(case, values)
    TEST_APP.app = app
    # Identity: the WSGI transport reads the body as it is, and the app compresses what a client accepts.
    headers = {"Authorization": f"Bearer {raw}", "Accept-Encoding": "identity"}
    case.call_and_validate(headers=headers, checks=ALL_CHECKS)
