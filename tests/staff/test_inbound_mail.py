"""Staff read the mail kept aside ("Não entregues") with its reason, headers and text, and discard it."""
from email.message import EmailMessage

import pytest

from portal.models import AuditEntry, InboundMail, InboundState, Role
from portal.tickets import inbound_mail
from portal.tickets.kept_mail import kept_query


def kept(db, n: int = 0, text: str = "Estou de férias até segunda.") -> InboundMail:
    msg = EmailMessage()
    msg["From"] = f"Férias <ferias{n}@mail.example>"
    msg["To"] = "suporte@loja.example"
    msg["Subject"] = f"Resposta automática {n}"
    msg["Message-ID"] = f"<kept{n}@mail.example>"
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content(text)
    return inbound_mail.receive_and_commit(bytes(msg))


@pytest.fixture
def admin(factory):
    return factory.user(role=Role.admin, name="Alice Admin")


@pytest.mark.parametrize("role", [Role.agent, Role.operator, Role.admin])
def test_staff_see_the_list_with_the_reason_in_words_and_a_nav_link(client, login, factory, db, role):
    row = kept(db)
    login(factory.user(role=role))
    page = client.get("/staff/inbound-mail")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-mail="{row.id}"' in html and "Automatic reply" in html
    assert "ferias0@mail.example" in html
    assert 'data-inbound-mail-nav aria-current="page"' in html


def test_shoppers_and_visitors_never_reach_it(client, login, factory, db, csrf_from):
    row = kept(db)
    assert client.get("/staff/inbound-mail").status_code == 302  # to the login page
    login(factory.user(role=Role.customer))
    assert client.get("/staff/inbound-mail").status_code == 403
    assert client.get(f"/staff/inbound-mail/{row.id}").status_code == 403
    token = csrf_from(client.get("/account").get_data(as_text=True))
    assert token
    assert client.post(f"/staff/inbound-mail/{row.id}/discard", data={"csrf_token": token}).status_code == 403
    assert db.session.get(InboundMail, row.id).state is InboundState.kept


def test_the_detail_shows_headers_and_text_escaped(client, login, agent, db):
    row = kept(db, text="<script>alert('x')</script> volto logo")
    login(agent)
    html = client.get(f"/staff/inbound-mail/{row.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in html and "<script>alert(" not in html
    assert "Auto-Submitted: auto-replied" in html and "Message-ID: &lt;kept0@mail.example&gt;" in html
    assert client.get("/staff/inbound-mail/999999").status_code == 404


def test_discarding_needs_the_form_token_and_is_audited(client, login, agent, db, csrf_from):
    row = kept(db)
    login(agent)
    assert client.post(f"/staff/inbound-mail/{row.id}/discard").status_code == 400  # CSRF
    db.session.expire_all()
    assert db.session.get(InboundMail, row.id).state is InboundState.kept  # no token, nothing done
    token = csrf_from(client.get(f"/staff/inbound-mail/{row.id}").get_data(as_text=True))
    answer = client.post(f"/staff/inbound-mail/{row.id}/discard", data={"csrf_token": token})
    assert answer.status_code == 303 and answer.location.endswith("/staff/inbound-mail")
    db.session.expire_all()
    done = db.session.get(InboundMail, row.id)
    assert done.state is InboundState.discarded and done.discarded_by_id == agent.id
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "inbound_mail.discard"))
    assert entry.user_id == agent.id and entry.target == f"inbound_mail:{row.id}"
    assert f'data-mail="{row.id}"' not in client.get("/staff/inbound-mail").get_data(as_text=True)
    # Discarding again says so instead of failing.
    again = client.post(f"/staff/inbound-mail/{row.id}/discard", data={"csrf_token": token})
    assert again.status_code == 303


def test_the_list_is_paged_newest_first(client, login, agent, db):
    rows = [kept(db, n) for n in range(27)]
    login(agent)
    first = client.get("/staff/inbound-mail").get_data(as_text=True)
    assert f'data-mail="{rows[-1].id}"' in first and f'data-mail="{rows[0].id}"' not in first
    second = client.get("/staff/inbound-mail?page=2").get_data(as_text=True)
    assert f'data-mail="{rows[0].id}"' in second
    assert client.get("/staff/inbound-mail?page=0").status_code == 404
    assert client.get("/staff/inbound-mail?page=abc").status_code == 404


def test_the_list_reads_through_its_index(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plan is read from SQLite")
    sql = str(kept_query().compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    plan = " ".join(str(row) for row in db.session.execute(db.text("EXPLAIN QUERY PLAN " + sql)))
    assert "ix_inbound_mails_state_received" in plan and "TEMP B-TREE" not in plan


def test_a_ticket_opened_by_a_late_answer_links_to_the_old_one(client, login, agent, factory, shopper, db):
    from portal.models import TicketReason
    from portal.tickets import lifecycle

    reason = db.session.scalar(db.select(TicketReason).order_by(TicketReason.position))
    old = lifecycle.open_ticket(factory.order(shopper), shopper, reason.id, "Meu pedido", "Onde está?")
    new = lifecycle.open_follow_up(old, shopper, "Chegou quebrado.")
    db.session.commit()
    login(agent)
    html = client.get(f"/staff/tickets/{new.number}").get_data(as_text=True)
    assert "data-previous-ticket" in html and f"/staff/tickets/{old.number}" in html
    assert "data-previous-ticket" not in client.get(f"/staff/tickets/{old.number}").get_data(as_text=True)


def test_the_shopper_sees_which_ticket_a_follow_up_continues(client, login, factory, shopper, db):
    from portal.models import TicketReason
    from portal.tickets import lifecycle

    reason = db.session.scalar(db.select(TicketReason).order_by(TicketReason.position))
    old = lifecycle.open_ticket(factory.order(shopper), shopper, reason.id, "Meu pedido", "Onde está?")
    new = lifecycle.open_follow_up(old, shopper, "Chegou quebrado.")
    db.session.commit()
    login(shopper)
    html = client.get(f"/tickets/{new.number}").get_data(as_text=True)
    assert "data-previous-ticket" in html and f'href="/tickets/{old.number}"' in html
    assert "data-previous-ticket" not in client.get(f"/tickets/{old.number}").get_data(as_text=True)
