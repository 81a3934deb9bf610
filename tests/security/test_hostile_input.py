"""Hostile input into every HTML form field and every API field: a 4xx with a message, never a 500, nothing
half-written.

The forms are found by crawling the demo store as each kind of user (tests/security/crawl.py), so a new form is
covered without touching this file; a POST route that no crawled page offers fails the test until it is reached
or listed in UNREACHED with the reason. The API fields come from the OpenAPI document the app serves.
"""
import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from portal.accounts import users as accounts
from portal.demo.data import DEMO_PASSWORD, load_demo_data
from portal.demo.telesales import DEMO_PRODUCTS, shared_cart_path
from portal.marketplaces import signing
from portal.marketplaces.secrets import accepted_secrets
from portal.models import Channel, Order, OutboxItem, OutboxKind, OutboxState, Ticket, TicketStatus, TicketSurvey, User
from portal.orders import mail as order_mail
from portal.orders import statuses
from portal.telesales import carts
from portal.tickets import inbound_mail
from portal.tickets import survey as survey_links
from portal.web.ticket_forms import UPLOAD_LIMIT

from .crawl import crawl, endpoint
from .sweep import Sweep

pytestmark = pytest.mark.db

LONG, VERY_LONG = "x" * 10_000, "y" * 1_000_000
# What a hostile client puts into one form field; every other field keeps its ordinary value.
FORM_VALUES = {"long": LONG, "nul": "Ana\x00Lima", "huge": str(10**30), "negative": "-1", "nan": "NaN",
               "inf": "1e309", "list": None}
IDENTITIES = (("shopper", "maria@demo.test"), ("agent", "agente@demo.test"), ("operator", "operador@demo.test"),
              ("admin", "admin@demo.test"), ("anonymous", None))
# The forms each identity's sweep posts (each form once, by whoever uses it); the language and logout forms
# of every page are posted by the anonymous visitor.
AREAS = {"shopper": ("customer.",), "agent": ("staff.",), "operator": ("telesales.", "staff.act_for"),
         "admin": ("merchant_admin.", "telesales.approve", "telesales.reject"),
         "anonymous": ("auth.", "customer.shared_cart")}
STARTS = ("/", "/orders", "/tickets", "/account", "/account/addresses", "/staff/", "/merchant-admin/",
          "/telesales/cart", "/telesales/approvals", "/login", "/forgot", shared_cart_path())
# POST routes no page links to with a form the crawler can open; each is swept by the test named.
UNREACHED = {
    "auth.set_password": "link from an e-mail; tests/customer (set password)",
    "customer.confirm_email": "link from an e-mail; tests/customer (e-mail change)",
    "customer.unsubscribe": "the mail client's one-click POST (RFC 8058), no page; tests/jobs/test_order_mail.py",
    "customer.end_acting": "only while acting for a customer; tests/telesales/acting",
    "staff.delete_view": "only once the agent has saved a view; tests/staff/test_saved_views.py",
    "staff.rename_view": "only once the agent has saved a view; tests/staff/test_saved_views.py",
    "telesales.place": "only while an operator acts for a customer; its form has nothing but the CSRF token",
}


def _login(app, email):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if email:
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
        answer = client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
        assert answer.status_code == 302, email
    return client


@pytest.fixture
def demo(db):
    """The demo store, with what its pages need to show every form: an unused status, an API token, an
    operator's cart with an item, a failed marketplace delivery, a survey waiting for its answer."""
    load_demo_data()
    operator = db.session.scalar(db.select(User).filter_by(email="operador@demo.test"))
    carts.add_item(carts.current_cart(operator, None, create=True), DEMO_PRODUCTS[0][0], 1)
    statuses.create_status("SEM USO")
    accounts.create_api_token("ERP")
    ticket = db.session.scalar(db.select(Ticket).join(Channel).where(Channel.integrated).limit(1))
    db.session.add(OutboxItem(kind=OutboxKind.marketplace, key="hostil-1", event="message", payload={},
                              state=OutboxState.failed, attempts=3, last_error="timeout",
                              channel_id=ticket.channel_id, ticket_id=ticket.id))
    maria = db.session.scalar(db.select(User).filter_by(email="maria@demo.test"))
    survey = db.session.scalar(db.select(TicketSurvey).join(Ticket).join(Order).where(
        Ticket.status == TicketStatus.closed, Order.customer_id == maria.id).order_by(TicketSurvey.id.desc()).limit(1))
    survey.answered_at, survey.expires_at = None, datetime.now(UTC) + timedelta(days=7)
    inbound_mail.receive(b"From: ferias@mail.example\r\nTo: suporte@demo.test\r\nMessage-ID: <hostil@mail.example>"
                         b"\r\nAuto-Submitted: auto-replied\r\n\r\nFora do escritorio")
    db.session.commit()
    return db


def _forms(app, demo, only: str | None = None) -> dict:
    """Every POST form of the demo store (or of one identity's area), once per action and set of fields, with
    the identity and client that saw it."""
    adapter = app.url_map.bind("portal.test")
    found = {}
    closed = demo.session.scalar(demo.select(Ticket).where(Ticket.closed_at.is_not(None)).limit(1))
    failed = demo.session.scalar(demo.select(OutboxItem).filter_by(state=OutboxState.failed).limit(1))
    unused = statuses.get_status("SEM USO")
    waiting = demo.session.scalar(demo.select(TicketSurvey).filter_by(answered_at=None)
                                  .order_by(TicketSurvey.expires_at.desc()).limit(1))
    # The objects seeded above, and the shopper's orders and tickets, sit deep in lists: start at their pages.
    failing = demo.session.get(Ticket, failed.ticket_id)
    surveyed = demo.session.get(Ticket, waiting.ticket_id)
    starts = (*(f"/tickets/{number}" for number in demo.session.scalars(
        demo.select(Ticket.number).join(Order).where(Order.customer_id == surveyed.order.customer_id))),
        *(f"/orders/{number}" for number in demo.session.scalars(
            demo.select(Order.number).where(Order.customer_id == surveyed.order.customer_id))),
        *STARTS, f"/staff/tickets/{closed.number}",
              f"/staff/tickets/{failing.number}", f"/merchant-admin/statuses/{unused.id}",
              f"/survey/{survey_links.token_for(waiting)}", f"/unsubscribe/{order_mail.token_for(surveyed.customer)}")
    for identity, email in IDENTITIES if only is None else [i for i in IDENTITIES if i[0] == only]:
        client = _login(app, email)
        for form in crawl(client, adapter, starts):
            name = endpoint(adapter, form.action, "POST")
            if name and name.startswith(AREAS[identity]):
                found.setdefault((name, frozenset(form.controls)), (identity, client, form))
    return found


def test_every_post_route_is_reached_by_the_crawl(app, demo):
    reached = {name for name, _fields in _forms(app, demo)}
    posts = {rule.endpoint for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and not rule.endpoint.startswith("api.")}
    missing = posts - reached - set(UNREACHED) - {"auth.logout"}  # a form with nothing but its token
    assert not missing, f"POST routes no crawled page offers a form for: {sorted(missing)}"
    assert not reached & set(UNREACHED), "reached now: remove from UNREACHED"


def _post(client, form, data, **kw):
    return lambda: client.post(form.action, data=data, **kw)


@pytest.mark.parametrize("identity", list(AREAS))
def test_every_form_field_refuses_hostile_values_without_a_500(app, demo, identity):
    forms = _forms(app, demo, identity)
    sweep, problems = Sweep(demo), []
    for (name, _fields), (identity, client, form) in sorted(forms.items(), key=lambda item: item[0][0]):
        base = form.baseline()
        for control in form.controls.values():
            if control.name == "csrf_token" or control.kind == "file":
                continue
            values = dict(FORM_VALUES, list=[str(base.get(control.name, "")), "outro"])
            if control.kind == "textarea":  # free text: a megabyte instead of numbers
                values = {"long": LONG, "very_long": VERY_LONG, "nul": values["nul"], "list": values["list"]}
            for label, value in values.items():
                answer = sweep.send(_post(client, form, {**base, control.name: value}))
                if answer.problem:
                    problems.append(f"{identity} {name} {control.name}={label}: {answer.problem}")
        raw = "&".join(f"{quote(key)}={quote(str(value))}" for key, value in base.items()).encode()
        for label, body in (("invalid utf-8", raw + b"&texto=\xff\xfe"),
                            ("percent-encoded invalid utf-8", raw.replace(b"Teste", b"%C3%28%FF"))):
            answer = sweep.send(_post(client, form, body, content_type="application/x-www-form-urlencoded"))
            if answer.problem:
                problems.append(f"{identity} {name} {label}: {answer.problem}")
    assert forms and sweep.sent >= len(forms), "the crawl found no form"
    assert not problems, "\n".join(problems)


def test_a_body_over_the_limit_gets_413_and_the_error_page(app, demo):
    sweep = Sweep(demo)
    for (name, _fields), (identity, client, form) in _forms(app, demo, "agent").items():
        limit = UPLOAD_LIMIT if form.multipart else app.config["MAX_CONTENT_LENGTH"]
        big = {**form.baseline(), "padding": "z" * (limit + 1)}
        answer = sweep.send(_post(client, form, big))
        assert answer.status == 413 and answer.problem is None, (identity, name, answer)
    html = _login(app, None).post("/login", data={"email": "z" * 2_000_000})
    assert html.status_code == 413 and "error-page" in html.get_data(as_text=True)


# The API: every field of every request body, path and query parameter of the OpenAPI document.
DEEP = "[" * 10_000 + "]" * 10_000
JSON_VALUES = {"long": LONG, "very_long": VERY_LONG, "list": ["a"], "object": {"a": 1}, "number": 12345,
               "numeric_string": "12345", "true": True, "nul": "Ana\x00Lima", "huge": 10**30, "negative": -1,
               "nan": "@NaN", "inf": "@1e309", "deep": "@" + DEEP}
PARAM_VALUES = {"long": LONG, "nul": "Ana\x00Lima", "invalid_utf8": "%FF%FE", "huge": str(10**30), "negative": "-1",
                "nan": "NaN", "inf": "1e309", "list": ["1", "2"]}


def _bases(demo) -> dict:
    """A valid request of each operation that has a body: (method, path, body)."""
    from ..api import order_body

    order = demo.session.scalar(demo.select(Order).join(Channel).where(Channel.integrated).limit(1))
    return {
        "putOrder": ("PUT", "/orders/HOSTIL-1", order_body()),
        "changeOrderStatus": ("POST", f"/orders/{order.number}/status", {"status": "ENVIADO", "note": "Saiu"}),
        "createTicket": ("POST", f"/orders/{order.number}/tickets", {"subject": "Atraso", "message": "Onde?",
                                                                       "marketplace_ticket_code": "T-1"}),
        "createStatus": ("POST", "/statuses", {"name": "EM TRÂNSITO HOSTIL"}),
        "postChannelEvent": ("POST", f"/channels/{order.channel.code}/events", {
            "event_id": "evt-hostil", "type": "ticket.created",
            "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "ticket": {"id": "MKT-HOSTIL", "order": order.number, "subject": "Atraso"},
            "message": {"id": "msg-hostil", "body": "Onde está?"}}),
        "putProduct": ("PUT", "/products/HOSTIL-01", {"name": "Camiseta", "price": "49.90", "stock": 3}),
        "putProducts": ("PUT", "/products", {"products": [{"sku": "HOSTIL-02", "name": "Calça", "price": "99.00"}]}),
    }


def _encode(body) -> bytes:
    """JSON with the raw tokens JSON_VALUES marks with "@" (NaN, 1e309, deep nesting) left unquoted."""
    text = json.dumps(body)
    for value in ("@NaN", "@1e309", "@" + DEEP):
        text = text.replace(json.dumps(value), value[1:])
    return text.encode()


def _paths(schema: dict, components: dict, prefix=()):
    """Every property path of a body schema: top-level keys, and the keys of nested objects and list items."""
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    for option in schema.get("anyOf", ()):
        if "$ref" in option or option.get("type") == "array":
            schema = option
            yield from _paths(schema, components, prefix)
            return
    if schema.get("type") == "array":
        yield from _paths(schema.get("items", {}), components, (*prefix, 0))
        return
    for name, prop in schema.get("properties", {}).items():
        yield (*prefix, name)
        yield from _paths(prop, components, (*prefix, name))


def _set(body, path, value):
    import copy

    body = copy.deepcopy(body)
    target = body
    for part in path[:-1]:
        if isinstance(part, int):
            if not target:
                return None
        elif not isinstance(target.get(part), dict | list):
            return None
        target = target[part]
    target[path[-1]] = value
    return body


@pytest.fixture
def api(app, demo):
    _token, raw = accounts.create_api_token("hostile")
    demo.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    channels = {c.code: c for c in demo.session.scalars(demo.select(Channel))}

    def send(method, path, data: bytes, content_type="application/json"):
        headers = {"Authorization": f"Bearer {raw}", "Content-Type": content_type}
        if "/channels/" in path:
            code = path.split("/")[2]
            secret = (accepted_secrets(channels[code]) or ["x"])[0] if code in channels else "x"
            headers.update(signing.signed_headers(secret, data))
            headers["Content-Type"] = content_type
        return lambda: client.open("/api/v1" + path, method=method, data=data, headers=headers)
    send.client, send.raw = client, raw
    return send


def test_every_api_body_field_refuses_hostile_values(app, demo, api):
    document = api.client.get("/api/v1/openapi.json").get_json()
    components, bases = document["components"]["schemas"], _bases(demo)
    with_body = {op["operationId"]: op for item in document["paths"].values() for op in item.values()
                 if "requestBody" in op}
    assert set(with_body) == set(bases), "give each operation with a body a valid request in _bases"
    sweep, problems = Sweep(demo), []
    for operation_id, (method, path, body) in bases.items():
        assert sweep.send(api(method, path, _encode(body))).status < 300, operation_id
        schema = with_body[operation_id]["requestBody"]["content"]["application/json"]["schema"]
        for field in _paths(schema, components):
            for label, value in JSON_VALUES.items():
                hostile = _set(body, field, value)
                if hostile is None:
                    continue
                answer = sweep.send(api(method, path, _encode(hostile)))
                if answer.problem or answer.status < 400 and label in ("nul", "deep", "nan", "inf", "object"):
                    problems.append(f"{operation_id} {field}={label}: {answer.status} {answer.problem}")
        for label, data in (("invalid utf-8", _encode(body)[:-1] + b', "x": "\xff\xfe"}'),
                            ("deep", DEEP.encode()), ("deep object", b'{"a":' * 10_000 + b"1" + b"}" * 10_000),
                            ("not json", b"\x00\x01"), ("too large", b" " * (2 << 20) + _encode(body))):
            answer = sweep.send(api(method, path, data))
            expected = 413 if label == "too large" else 400
            if answer.problem or answer.status not in (expected, 401, 422):
                problems.append(f"{operation_id} body {label}: {answer.status} {answer.problem}")
    assert not problems, "\n".join(problems)


def test_every_api_path_and_query_parameter_refuses_hostile_values(app, demo, api):
    document = api.client.get("/api/v1/openapi.json").get_json()
    sweep, problems = Sweep(demo), []
    bases = {(method.upper(), base): body for method, base, body in _bases(demo).values()}
    for template, item in document["paths"].items():
        for method, op in item.items():
            for parameter in op.get("parameters", ()):
                if parameter["in"] not in ("path", "query"):
                    continue
                for label, value in PARAM_VALUES.items():
                    path = template
                    for other in (p for p in op.get("parameters", ()) if p["in"] == "path"):
                        chosen = value if other is parameter else "1"
                        chosen = chosen[0] if isinstance(chosen, list) else chosen
                        path = path.replace(f"{{{other['name']}}}", chosen if label == "invalid_utf8"
                                            else quote(chosen, safe=""))
                    if parameter["in"] == "query":
                        values = value if isinstance(value, list) else [value]
                        query = "&".join(f"{parameter['name']}={v if label == 'invalid_utf8' else quote(v)}"
                                         for v in values)
                        path += "?" + query
                    body = next((b for (m, p), b in bases.items() if m == method.upper()), None)
                    data = _encode(body) if body is not None and method != "get" else b""
                    answer = sweep.send(api(method.upper(), path.removeprefix("/api/v1"), data))
                    if answer.problem:
                        problems.append(f"{op['operationId']} {parameter['name']}={label}: {answer.problem}")
    assert sweep.sent > 100
    assert not problems, "\n".join(problems)


def test_a_nul_character_in_a_page_address_or_query_is_refused_with_the_error_page(app, demo):
    """Every HTML route with a text argument, and any page's query string, asked with a NUL: 400 and a message
    before any view reads it (PostgreSQL would refuse the value in a query)."""
    client, sweep, problems = _login(app, "admin@demo.test"), Sweep(demo), []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("api.", "static")) or "GET" not in rule.methods:
            continue
        texts = {name: "a\x00b" for name, converter in rule._converters.items()
                 if type(converter).__name__ in ("UnicodeConverter", "PathConverter")}
        numbers = {name: 1 for name in rule.arguments if name not in texts}
        adapter = app.url_map.bind("portal.test")
        urls = [adapter.build(rule.endpoint, {**numbers, **dict.fromkeys(texts, "x"), "q": "a\x00b"})]
        if texts:
            urls.append(adapter.build(rule.endpoint, {**numbers, **texts}))
        for url in urls:
            answer = sweep.send(lambda url=url: client.get(url))
            if answer.status != 400 or answer.problem:
                problems.append(f"{rule.endpoint} {url}: {answer.status} {answer.problem}")
    assert not problems, "\n".join(problems)
