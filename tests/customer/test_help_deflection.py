"""Help deflection: a delivery question is answered before the ticket form, and whether it solved it is counted."""
import re
from datetime import date, timedelta

import pytest

from portal.kpis import figures
from portal.models import DeflectionOutcome, HelpDeflection, Role, Ticket, TicketReason, TrackingSnapshot
from portal.models.base import utcnow
from portal.orders import tracking, tracking_refresh
from portal.tickets import deflection as deflections

from ..factories import PASSWORD

pytestmark = pytest.mark.db

CODE = "AA123456785BR"
EVENTS = [
    {"when": "2026-11-03T09:15:00", "description": "Objeto postado", "place": "CURITIBA/PR"},
    {"when": "2026-11-05T14:40:00", "description": "Objeto saiu para entrega", "place": "SAO PAULO/SP"},
]


@pytest.fixture(autouse=True)
def no_correios(app, monkeypatch):
    monkeypatch.setitem(app.config, "CORREIOS_BASE_URL", "")
    tracking._client.cache_clear()
    yield
    tracking._client.cache_clear()


@pytest.fixture
def sign_in(app, csrf_from):
    """Return a new client reading English, signed in as the user through the real login form."""
    def _sign_in(user):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        page = client.get("/login")
        response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                               "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert response.status_code == 302
        return client
    return _sign_in


def reason_by_code(db, code: str) -> TicketReason:
    return db.session.scalar(db.select(TicketReason).where(TicketReason.code == code))


@pytest.fixture
def delivery(db):
    return reason_by_code(db, "onde_esta_meu_pedido")


@pytest.fixture
def defective(db):
    return reason_by_code(db, "produto_com_defeito")


@pytest.fixture
def shopper(factory):
    return factory.user(name="Joana Lima")


@pytest.fixture
def shipped(factory, shopper, db):
    """A shipped order, late, with a promised date and a fresh Correios snapshot of two events."""
    order = factory.order(shopper, "ENVIADO", paid=True, shipped=True, shipping_code=CODE,
                          expected_delivery_on=date(2026, 11, 20), late_since=utcnow() - timedelta(days=2))
    db.session.add(TrackingSnapshot(code=CODE, fetched_at=utcnow(), events=EVENTS))
    db.session.commit()
    return order


def deflections_of(db, order) -> list[HelpDeflection]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(HelpDeflection).where(HelpDeflection.order_id == order.id)))


def show_answer(client, order, reason) -> str:
    response = client.get(f"/orders/{order.number}/help?reason={reason.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def press(client, csrf_from, html: str, outcome: str):
    """Press one of the answer's buttons, as the browser posts it."""
    action = re.search(r'<form class="help-outcome" method="post" action="([^"]+)"', html).group(1)
    return client.post(action, data={"csrf_token": csrf_from(html), "outcome": outcome})


def test_a_delivery_reason_shows_the_answer_first_and_no_ticket_form(sign_in, shopper, shipped, delivery, db):
    client = sign_in(shopper)
    html = show_answer(client, shipped, delivery)
    assert "data-ticket-form" not in html and "data-deflection-answer" in html
    assert 'data-answer-step="delivered" data-state="current"' in html and "Order delivered" in html
    latest = html[html.index("data-latest-event"):]
    assert latest.index("Objeto saiu para entrega") < latest.index("</div>") and "SAO PAULO/SP" in latest
    assert "Objeto postado" not in html
    expected = html[html.index("data-expected-delivery"):]
    assert expected.index("Nov 20, 2026") < expected.index("</div>")
    assert "data-late" in html and "Your order is running late." in html
    assert "This solved it" in html and "I still need help" in html
    [row] = deflections_of(db, shipped)
    assert row.outcome is None and row.customer_id == shopper.id and row.reason_id == delivery.id
    assert row.shown["step"] == "delivered" and row.shown["late"] is True and row.shown["expected"] == "2026-11-20"
    assert row.shown["event"] == {"description": "Objeto saiu para entrega", "place": "SAO PAULO/SP",
                                  "when": "2026-11-05T14:40:00"}
    show_answer(client, shipped, delivery)  # a reload is the same answer, not a second one
    assert len(deflections_of(db, shipped)) == 1


def test_an_order_on_time_is_not_called_late(sign_in, shopper, factory, delivery, db):
    order = factory.order(shopper, "A ENVIAR", paid=True)
    db.session.commit()
    html = show_answer(sign_in(shopper), order, delivery)
    assert "data-late" not in html and 'data-answer-step="shipped"' in html
    assert "Not informed by the carrier" in html
    assert deflections_of(db, order)[0].shown["late"] is False


def test_a_stale_snapshot_is_shown_while_the_worker_is_asked(app, sign_in, shopper, shipped, delivery, db,
                                                            monkeypatch):
    for key, value in {"CORREIOS_BASE_URL": "http://127.0.0.1:9", "CORREIOS_USER": "demo",
                       "CORREIOS_ACCESS_CODE": "secret", "CORREIOS_CONTRACT_CARD": "0067599079"}.items():
        monkeypatch.setitem(app.config, key, value)
    tracking._client.cache_clear()
    asked = []
    monkeypatch.setattr(tracking_refresh, "_ask_worker", lambda code, since: asked.append(code))
    db.session.get(TrackingSnapshot, CODE).fetched_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    html = show_answer(sign_in(shopper), shipped, delivery)
    assert asked == [CODE]
    assert "Objeto saiu para entrega" in html  # the cached answer at once; the page never waits for Correios


def test_this_solved_it_records_resolved_and_opens_no_ticket(sign_in, shopper, shipped, delivery, csrf_from, db):
    client = sign_in(shopper)
    html = show_answer(client, shipped, delivery)
    response = press(client, csrf_from, html, "resolved")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/orders/{shipped.number}")
    [row] = deflections_of(db, shipped)
    assert row.outcome is DeflectionOutcome.resolved and row.decided_at is not None and row.ticket_id is None
    assert db.session.scalar(db.select(Ticket).where(Ticket.order_id == shipped.id)) is None
    assert "Glad it is sorted" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_double_click_counts_once(sign_in, shopper, shipped, delivery, csrf_from, db):
    client = sign_in(shopper)
    html = show_answer(client, shipped, delivery)
    assert press(client, csrf_from, html, "resolved").status_code == 303
    first = deflections_of(db, shipped)[0].decided_at
    assert press(client, csrf_from, html, "resolved").status_code == 303
    [row] = deflections_of(db, shipped)
    assert row.outcome is DeflectionOutcome.resolved and row.decided_at == first
    [counted] = figures.deflection_per_reason(figures.parse_period("", ""))
    assert (counted.shown, counted.resolved, counted.needed_help) == (1, 1, 0)


def test_i_still_need_help_prefills_the_form_and_the_agent_sees_what_was_shown(
        sign_in, shopper, shipped, delivery, csrf_from, db, factory):
    client = sign_in(shopper)
    html = show_answer(client, shipped, delivery)
    response = press(client, csrf_from, html, "needed_help")
    assert response.status_code == 303
    [row] = deflections_of(db, shipped)
    assert row.outcome is DeflectionOutcome.needed_help
    location = response.headers["Location"]
    assert "need_help=1" in location and f"deflection={row.id}" in location and f"reason={delivery.id}" in location
    form = client.get(location).get_data(as_text=True)
    assert "data-ticket-form" in form and "data-came-from" in form
    assert f'<option selected value="{delivery.id}">Where is my order?</option>' in form
    assert 'name="subject" required type="text" value="Where is my order?"' in form
    assert f'name="deflection" type="hidden" value="{row.id}"' in form
    opened = client.post(f"/orders/{shipped.number}/help", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(form), "reason": str(delivery.id), "subject": "Where is my order?",
        "body": "Ainda não chegou.", "deflection": str(row.id)})
    assert opened.status_code == 302
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.order_id == shipped.id))
    [row] = deflections_of(db, shipped)
    assert row.ticket_id == ticket.id and row.outcome is DeflectionOutcome.needed_help

    workspace = sign_in(factory.user(Role.agent)).get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)
    panel = workspace[workspace.index("data-shown-before"):]
    panel = panel[:panel.index("</section>")]
    assert "Shown to the shopper before the ticket" in panel and "Order delivered" in panel
    assert "Objeto saiu para entrega" in panel and "SAO PAULO/SP" in panel and "Nov 20, 2026" in panel
    assert 'data-shown-late="yes"' in panel


def test_a_ticket_without_an_answer_has_no_panel(sign_in, shopper, factory, defective, csrf_from, db):
    order = factory.order(shopper)
    db.session.commit()
    client = sign_in(shopper)
    form = client.get(f"/orders/{order.number}/help?reason={defective.id}").get_data(as_text=True)
    client.post(f"/orders/{order.number}/help", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(form), "reason": str(defective.id), "subject": "Quebrado", "body": "Veio quebrado."})
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.order_id == order.id))
    workspace = sign_in(factory.user(Role.agent)).get(f"/staff/tickets/{ticket.number}").get_data(as_text=True)
    assert "data-shown-before" not in workspace


def test_a_reason_not_about_delivery_shows_the_form_directly(sign_in, shopper, shipped, defective, db):
    html = sign_in(shopper).get(f"/orders/{shipped.number}/help?reason={defective.id}").get_data(as_text=True)
    assert "data-ticket-form" in html and "data-deflection-answer" not in html and "data-came-from" not in html
    assert f'<option selected value="{defective.id}">Defective product</option>' in html
    assert deflections_of(db, shipped) == []


def test_the_help_page_asks_first_and_refuses_an_unknown_reason(sign_in, shopper, shipped, db):
    client = sign_in(shopper)
    html = client.get(f"/orders/{shipped.number}/help").get_data(as_text=True)
    assert "data-reason-picker" in html and 'method="get"' in html and "Where is my order?" in html
    assert "data-ticket-form" not in html and "data-deflection-answer" not in html
    bad = client.get(f"/orders/{shipped.number}/help?reason=999999")
    assert bad.status_code == 422 and "Choose one of the reasons below." in bad.get_data(as_text=True)
    assert deflections_of(db, shipped) == []


def test_another_shoppers_answer_is_404(sign_in, shopper, shipped, delivery, csrf_from, factory, db):
    html = show_answer(sign_in(shopper), shipped, delivery)
    [row] = deflections_of(db, shipped)
    other = factory.user(name="Outra Pessoa")
    own = factory.order(other)
    db.session.commit()
    intruder = sign_in(other)
    token = csrf_from(intruder.get("/orders").get_data(as_text=True))
    data = {"csrf_token": token, "outcome": "resolved"}
    assert intruder.post(f"/orders/{shipped.number}/help/answers/{row.id}", data=data).status_code == 404
    assert intruder.post(f"/orders/{own.number}/help/answers/{row.id}", data=data).status_code == 404
    assert intruder.get(f"/orders/{own.number}/help?reason={delivery.id}&need_help=1&deflection={row.id}"
                        ).status_code == 404
    ticket_post = intruder.post(f"/orders/{own.number}/help", content_type="multipart/form-data", data={
        "csrf_token": token, "reason": str(delivery.id), "subject": "x", "body": "y", "deflection": str(row.id)})
    assert ticket_post.status_code == 404
    agent = sign_in(factory.user(Role.agent))
    assert agent.post(f"/orders/{shipped.number}/help/answers/{row.id}",
                      data={"csrf_token": csrf_from(agent.get("/staff/").get_data(as_text=True)),
                            "outcome": "resolved"}).status_code == 403
    [row] = deflections_of(db, shipped)
    assert row.outcome is None and row.ticket_id is None
    assert db.session.scalar(db.select(Ticket).where(Ticket.order_id == own.id)) is None
    assert "data-deflection-answer" in html


def test_a_post_without_csrf_is_refused_and_writes_nothing(sign_in, shopper, shipped, delivery, db):
    client = sign_in(shopper)
    show_answer(client, shipped, delivery)
    [row] = deflections_of(db, shipped)
    response = client.post(f"/orders/{shipped.number}/help/answers/{row.id}", data={"outcome": "resolved"})
    assert response.status_code == 400
    assert deflections_of(db, shipped)[0].outcome is None


def test_an_unknown_outcome_is_refused(sign_in, shopper, shipped, delivery, csrf_from, db):
    client = sign_in(shopper)
    html = show_answer(client, shipped, delivery)
    assert press(client, csrf_from, html, "maybe").status_code == 400
    assert deflections_of(db, shipped)[0].outcome is None


def _shown(order, reason, outcome=None, days_ago=0):
    row = deflections.record_shown(order, order.customer, reason, deflections.answer_for(order),
                                   now=utcnow() - timedelta(days=days_ago))
    if outcome is not None:
        deflections.decide(row, outcome)
    return row


def test_the_merchant_sees_the_resolution_rate_per_reason(sign_in, factory, delivery, defective, db,
                                                          count_queries):
    orders = [factory.order(factory.user()) for _ in range(4)]
    _shown(orders[0], delivery, DeflectionOutcome.resolved)
    _shown(orders[1], delivery, DeflectionOutcome.resolved)
    _shown(orders[2], delivery, DeflectionOutcome.needed_help)
    _shown(orders[3], defective)
    _shown(orders[3], delivery, DeflectionOutcome.resolved, days_ago=45)  # before the default 30 days
    db.session.commit()
    period = figures.parse_period("", "")
    with count_queries() as statements:
        rows = {row.label: row for row in figures.deflection_per_reason(period)}
    assert len(statements) == 2  # the grouped counts, then the reasons' labels
    where, other = rows[delivery.shown_label], rows[defective.shown_label]
    assert (where.shown, where.resolved, where.needed_help, where.rate) == (3, 2, 1, 66.7)
    assert (other.shown, other.resolved, other.rate) == (1, 0, 0.0)

    page = sign_in(factory.user(Role.admin)).get("/staff/kpis").get_data(as_text=True)
    section = page[page.index("data-kpi-deflection"):]
    row = section[section.index('data-deflection-reason="Where is my order?"'):]
    row = row[:row.index("</tr>")]
    assert "<td data-shown>3</td>" in row and "<td data-resolved>2</td>" in row and "66.7%" in row
    agent_page = sign_in(factory.user(Role.agent)).get("/staff/kpis").get_data(as_text=True)
    assert "data-kpi-deflection" not in agent_page and "Answered before a ticket" not in agent_page
