"""An operator serving a customer: search, starting, what the customer area shows, ending, and the audit."""
import time

import pytest

from portal.models import AuditEntry, Role, Ticket, TicketMessage
from portal.web import acting

pytestmark = pytest.mark.db


def audit_rows(db, action):
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)))


@pytest.mark.parametrize("q", ["Joana", "joana@example", "529.982.247-25", "52998224725", "900123", "MLB-777"])
def test_search_finds_the_customer_by_each_key(client, login, operator, customer, factory, q):
    factory.order(customer, number="900123", marketplace_order_number="MLB-777")
    factory.user(name="Pedro Outro", email="pedro@example.com")
    login(operator)
    page = client.get("/staff/customers", query_string={"q": q})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-customer="{customer.id}"' in html and "Pedro Outro" not in html
    assert f'/staff/customers/{customer.id}/act' in html


@pytest.mark.parametrize("q", ["12.345.678/0001-95", "12345678000195"])
def test_search_finds_a_company_by_its_cnpj(client, login, operator, customer, factory, q):
    company = factory.user(name="Loja Exemplo Ltda", email="loja@example.com", document="12345678000195")
    factory.user(name="Outra Empresa", email="outra@example.com", document="11222333000181")
    login(operator)
    page = client.get("/staff/customers", query_string={"q": q})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-customer="{company.id}"' in html and f'/staff/customers/{company.id}/act' in html
    assert "Outra Empresa" not in html and "Joana Lima" not in html


def test_search_lists_customers_only_and_escapes_wildcards(client, login, operator, customer, factory):
    factory.user(role=Role.agent, name="Joana Agente")
    login(operator)
    html = client.get("/staff/customers", query_string={"q": "Joana"}).get_data(as_text=True)
    assert "Joana Lima" in html and "Joana Agente" not in html
    assert "data-customer=" not in client.get("/staff/customers", query_string={"q": "%"}).get_data(as_text=True)
    assert client.get("/staff/customers", query_string={"q": "x" * 201}).status_code == 422


@pytest.mark.parametrize("persona", ["agent", "shopper"])
def test_agents_and_shoppers_get_403(client, login, agent, customer, factory, csrf_from, persona):
    user = agent if persona == "agent" else factory.user()
    login(user)
    token = csrf_from(client.get("/orders").get_data(as_text=True))
    assert client.get("/staff/customers?q=Joana").status_code == 403
    assert client.post(f"/staff/customers/{customer.id}/act", data={"csrf_token": token}).status_code == 403
    with client.session_transaction() as session:
        assert acting.KEY not in session


@pytest.mark.parametrize("kind", ["staff", "inactive", "unknown"])
def test_serving_a_staff_inactive_or_unknown_account_is_refused(client, login, operator, agent, factory, act,
                                                                db, kind):
    target = {"staff": agent, "inactive": factory.user(active=False), "unknown": None}[kind]
    login(operator)
    if target is None:
        target = type("Missing", (), {"id": 999_999})()
    response = act(target)
    assert response.status_code in (403, 404)
    assert b"customer" in response.data
    with client.session_transaction() as session:
        assert acting.KEY not in session
    assert audit_rows(db, "acting.begin") == []


def test_serving_shows_the_toolbar_and_only_the_customers_data(client, login, operator, customer, factory, act, db):
    own = factory.order(customer)
    others = factory.order(factory.user(name="Outra Pessoa"))
    login(operator)
    assert client.get(f"/orders/{others.number}").status_code == 200  # staff see every order when not acting
    response = act(customer)
    assert response.status_code == 303 and response.headers["Location"].endswith("/orders")
    for path in ("/orders", f"/orders/{own.number}", "/tickets", "/account", "/account/addresses",
                 f"/orders/{own.number}/help"):
        html = client.get(path).get_data(as_text=True)
        assert "data-acting-bar" in html, path
        assert "Serving Joana Lima (joana@example.com)" in html and "Otávio Operador" in html, path
        assert "data-end-acting" in html, path
    assert own.number in client.get("/orders").get_data(as_text=True)
    assert others.number not in client.get("/orders").get_data(as_text=True)
    assert client.get(f"/orders/{others.number}").status_code == 404
    [row] = audit_rows(db, "acting.begin")
    assert (row.user_id, row.on_behalf_of_id) == (operator.id, customer.id)


def test_end_service_returns_to_search_and_audits(client, login, operator, customer, act, token, db):
    login(operator)
    act(customer)
    response = client.post("/acting/end", data={"csrf_token": token()})
    assert response.status_code == 303 and response.headers["Location"].endswith("/staff/customers")
    assert "data-acting-bar" not in client.get("/orders").get_data(as_text=True)
    [row] = audit_rows(db, "acting.end")
    assert (row.user_id, row.on_behalf_of_id) == (operator.id, customer.id)


def test_idle_for_30_minutes_ends_it_with_a_notice(client, login, operator, customer, act, db):
    login(operator)
    act(customer)
    with client.session_transaction() as session:
        session[acting.KEY] = {**session[acting.KEY], "seen": int(time.time()) - 31 * 60}
    response = client.get("/orders")
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/customers")
    assert b"30 minutes without activity" in client.get("/staff/customers").data
    assert "data-acting-bar" not in client.get("/orders").get_data(as_text=True)
    assert [row.after for row in audit_rows(db, "acting.end")] == [{"idle": True}]


def test_recent_activity_keeps_it_going(client, login, operator, customer, act):
    login(operator)
    act(customer)
    with client.session_transaction() as session:
        session[acting.KEY] = {**session[acting.KEY], "seen": int(time.time()) - 29 * 60}
    assert "data-acting-bar" in client.get("/orders").get_data(as_text=True)


def test_logout_ends_it_and_leaves_the_customers_sessions_alone(client, login, operator, customer, act, token, db):
    before = (customer.session_token, customer.password_hash, customer.email)
    login(operator)
    act(customer)
    client.post("/logout", data={"csrf_token": token()})
    with client.session_transaction() as session:
        assert acting.KEY not in session
    db.session.refresh(customer)
    assert (customer.session_token, customer.password_hash, customer.email) == before
    assert len(audit_rows(db, "acting.end")) == 1
    login(operator)
    assert "data-acting-bar" not in client.get("/orders").get_data(as_text=True)


def test_password_and_email_routes_are_refused_while_acting(client, login, operator, customer, act, token):
    login(operator)
    act(customer)
    assert client.get("/forgot").status_code == 403
    assert client.post("/forgot", data={"csrf_token": token(), "email": customer.email}).status_code == 403
    assert client.get("/access/some-token").status_code == 403


def open_ticket(client, token, order, reason):
    path = f"/orders/{order.number}/help"
    return client.post(path, data={"csrf_token": token(path), "reason": str(reason.id), "subject": "Entrega",
                                   "body": "Ligou pedindo ajuda."}, content_type="multipart/form-data")


def test_ticket_opened_and_answered_while_acting(client, login, operator, customer, factory, act, token, reason,
                                                 db):
    order = factory.order(customer)
    login(operator)
    act(customer)
    assert open_ticket(client, token, order, reason).status_code == 302
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.order_id == order.id))
    assert ticket.opened_by_operator_id == operator.id and ticket.customer_id == customer.id
    path = f"/tickets/{ticket.number}"
    assert client.post(f"{path}/reply", data={"csrf_token": token(path), "body": "Mais um detalhe"}).status_code == 302
    messages = db.session.scalars(db.select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)).all()
    assert {m.operator_id for m in messages} == {operator.id} and {m.author_id for m in messages} == {customer.id}
    assert [(r.user_id, r.on_behalf_of_id) for r in audit_rows(db, "ticket.open") + audit_rows(db, "ticket.reply")] \
        == [(operator.id, customer.id)] * 2
    client.post("/acting/end", data={"csrf_token": token()})
    staff_page = client.get(path.replace("/tickets/", "/staff/tickets/")).get_data(as_text=True)
    assert "Opened by customer service (operator Otávio Operador)" in staff_page
    client.post("/logout", data={"csrf_token": token()})
    login(customer)
    html = client.get(path).get_data(as_text=True)
    assert "data-opened-by-service" in html and html.count("data-by-service") == 2
    assert "by customer service" in html


def test_customers_own_ticket_shows_no_service_mark(client, login, customer, factory, token, reason, db):
    order = factory.order(customer)
    login(customer)
    assert open_ticket(client, token, order, reason).status_code == 302
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.order_id == order.id))
    assert ticket.opened_by_operator_id is None
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "by customer service" not in html and "data-acting-bar" not in html
    assert audit_rows(db, "ticket.open") == []


def test_the_staff_order_page_and_every_all_orders_row_offer_to_serve_the_customer(app, db, factory):
    from portal.models import Role

    operator = factory.user(Role.operator, email="row-operator@example.com")
    shopper = factory.user(email="row-shopper@example.com")
    order = factory.order(shopper)
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = operator.get_id()
        session["_fresh"] = True
    target = f'action="/staff/customers/{shopper.id}/act"'
    assert target in client.get(f"/staff/orders/{order.number}").get_data(as_text=True)
    assert target in client.get("/staff/orders").get_data(as_text=True)


def test_serving_a_second_customer_ends_the_first_in_the_audit(client, login, operator, customer, factory, act, db):
    other = factory.user(name="Pedro Outro", email="pedro@example.com")
    login(operator)
    act(customer)
    act(other)
    assert [(r.on_behalf_of_id, r.user_id) for r in audit_rows(db, "acting.end")] == [(customer.id, operator.id)]
    assert "Serving Pedro Outro" in client.get("/orders").get_data(as_text=True)


def test_an_operator_serving_a_customer_cannot_answer_their_satisfaction_question(client, login, db, factory,
                                                                                operator, customer, reason, act,
                                                                                token):
    from portal.models import TicketSurvey
    from portal.tickets import lifecycle as tickets

    ticket = tickets.open_ticket(factory.order(customer), customer, reason.id, "Pedido", "Olá")
    tickets.close_ticket(ticket, operator)
    db.session.commit()
    login(operator)
    act(customer)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "data-survey-form" not in page
    response = client.post(f"/tickets/{ticket.number}/survey", data={"csrf_token": token(), "rating": "5"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.scalar(db.select(TicketSurvey.answered_at).where(TicketSurvey.ticket_id == ticket.id)) is None
