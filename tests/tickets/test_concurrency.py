"""Two agents answering one ticket at the same moment, each in their own connection: nothing is lost.

This test commits for real (two connections cannot see each other's uncommitted rows), so it does not use
the rolled-back `db` fixture; it deletes what it created afterwards.
"""
import threading
from decimal import Decimal

import pytest
from sqlalchemy import Integer, delete, func, select

from portal.core.errors import ValidationError
from portal.extensions import db
from portal.models import Refund, Role, Ticket, TicketMessage, TicketReason, User, Visibility
from portal.store.setup import ensure_defaults
from portal.tickets import lifecycle as tickets
from tests.factories import Factory


@pytest.fixture
def committed(app):
    """Yield a helper that commits data for real, and delete every row created meanwhile afterwards."""
    tables = [t for t in db.metadata.sorted_tables if "id" in t.c and isinstance(t.c.id.type, Integer)]
    with app.app_context():
        before = {t.name: db.session.scalar(select(func.coalesce(func.max(t.c.id), 0))) for t in tables}
        db.session.commit()
    yield
    with app.app_context():
        for table in reversed(tables):
            db.session.execute(delete(table).where(table.c.id > before[table.name]))
        db.session.commit()


def _setup(app) -> tuple[str, int, int]:
    with app.app_context():
        ensure_defaults()
        factory = Factory(db)
        first, second = factory.user(Role.agent, name="Ana"), factory.user(Role.agent, name="Bruno")
        customer = factory.user(Role.customer)
        reason = db.session.scalar(select(TicketReason).order_by(TicketReason.position))
        ticket = tickets.open_ticket(factory.order(customer), customer, reason.id, "Atraso", "Onde está?")
        db.session.commit()
        return ticket.number, first.id, second.id


def test_two_agents_replying_at_once_never_lose_an_answer(app, committed):
    number, first_id, second_id = _setup(app)
    loaded = threading.Barrier(2, timeout=10)
    first_flushed = threading.Event()
    outcome: dict = {}

    def agent(user_id: int, text: str, first: bool):
        with app.app_context():
            user = db.session.get(User, user_id)
            ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
            version = ticket.version
            loaded.wait()  # both agents have the page open with the same version
            if not first:
                first_flushed.wait(10)
            try:
                tickets.reply_as_staff(ticket, user, text, Visibility.customer, expected_version=version)
                if first:
                    first_flushed.set()
                    threading.Event().wait(0.3)  # hold the row while the other agent sends
                db.session.commit()
                outcome[text] = "saved"
            except tickets.StaleTicket as error:
                db.session.rollback()
                outcome[text] = error
            finally:
                first_flushed.set()
                db.session.remove()

    threads = [threading.Thread(target=agent, args=(first_id, "Resposta da Ana", True)),
               threading.Thread(target=agent, args=(second_id, "Resposta do Bruno", False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert outcome["Resposta da Ana"] == "saved"
    stale = outcome["Resposta do Bruno"]
    assert isinstance(stale, tickets.StaleTicket)
    assert stale.text == "Resposta do Bruno"  # handed back for the page to keep in the reply box
    with app.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
        bodies = db.session.scalars(select(TicketMessage.body_html).where(TicketMessage.ticket_id == ticket.id))
        texts = " ".join(bodies)
        assert "Resposta da Ana" in texts and "Resposta do Bruno" not in texts
        assert ticket.version == 2
        assert [e.kind for e in ticket.events] == ["opened", "message"]
        db.session.remove()


def test_two_tickets_of_one_order_cannot_refund_more_than_its_total(app, committed):
    """Each ticket's version is fine, yet the order's remainder is shared: the second refund must see the first."""
    with app.app_context():
        ensure_defaults()
        factory = Factory(db)
        agents = [factory.user(Role.agent, name=name).id for name in ("Ana", "Bruno")]
        customer = factory.user(Role.customer)
        order = factory.order(customer)  # totals 215.90
        reason = db.session.scalar(select(TicketReason).order_by(TicketReason.position))
        numbers = [tickets.open_ticket(order, customer, reason.id, f"Pedido {n}", "Reembolso?").number
                   for n in range(2)]
        db.session.commit()
    loaded = threading.Barrier(2, timeout=10)
    outcome: dict = {}

    def agent(index: int):
        with app.app_context():
            user = db.session.get(User, agents[index])
            ticket = db.session.scalar(select(Ticket).where(Ticket.number == numbers[index]))
            loaded.wait()
            try:
                tickets.refund(ticket, user, "200.00", "Produto com defeito", expected_version=ticket.version)
                threading.Event().wait(0.3)  # hold the lock while the other agent refunds
                db.session.commit()
                outcome[index] = "saved"
            except (tickets.StaleTicket, ValidationError) as error:
                db.session.rollback()
                outcome[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(map(str, outcome.values())).count("saved") == 1
    with app.app_context():
        total = db.session.scalar(select(func.sum(Refund.amount)))
        assert total == Decimal("200.00")
        db.session.remove()


def test_two_answers_to_one_survey_at_once_give_one(app, committed):
    """The shopper double-submits the survey (or answers from the mail and the page at once): one answer stays."""
    from portal.models import TicketSurvey
    from portal.tickets import survey as surveys

    number, agent_id, _second = _setup(app)
    with app.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
        tickets.close_ticket(ticket, db.session.get(User, agent_id))
        db.session.commit()
        survey_id = db.session.scalar(select(TicketSurvey.id).where(TicketSurvey.ticket_id == ticket.id))
    loaded = threading.Barrier(2, timeout=10)
    results = []

    def answer(rating: int):
        with app.app_context():
            survey = db.session.get(TicketSurvey, survey_id)
            surveys.check_open(survey)
            loaded.wait()
            try:
                surveys.answer(survey, rating, None)
                db.session.commit()
                results.append("answered")
            except Exception as exc:  # noqa: BLE001 - the test reads how the loser lost
                db.session.rollback()
                results.append(type(exc).__name__)

    threads = [threading.Thread(target=answer, args=(value,)) for value in (2, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["Conflict", "answered"]
    with app.app_context():
        assert db.session.get(TicketSurvey, survey_id).rating in (2, 5)
