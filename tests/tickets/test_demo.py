"""Demo tickets and the bulk filler behind `flask demo scale`."""
from portal.demo.data import load_demo_data
from portal.demo.scale import fill, measure
from portal.models import Channel, TextModule, Ticket, TicketStatus


def test_demo_has_tickets_in_every_situation(db, app):
    load_demo_data()
    rows = db.session.scalars(db.select(Ticket)).all()
    assert {t.status for t in rows} == set(TicketStatus)
    assert any(t.forwarded_by_id for t in rows) and any(t.escalated for t in rows)
    assert db.session.scalar(db.select(db.func.count()).select_from(TextModule)) >= 3
    amazon = db.session.scalar(db.select(Channel).filter_by(code="amazon"))
    store = db.session.scalar(db.select(Channel).filter_by(code=Channel.STORE_CODE))
    assert (amazon.sla_hours, amazon.sla_working_days) == (24, False)
    assert (store.sla_hours, store.sla_working_days) == (48, True)
    assert amazon.is_integrated and amazon.webhook_secret and amazon.outbound_url.startswith("http://127.0.0.1:")


def test_fill_and_measure(db):
    counts = fill(400, 100)
    assert counts == {"orders": 400, "tickets": 100, "customers": 100}
    numbers = db.session.scalars(db.select(Ticket.number)).all()
    assert len(numbers) == len(set(numbers)) == 100
    results = measure(runs=1, echo=lambda _line: None)
    assert all(queries <= 3 for _name, _ms, _p95, queries, _page_ms, _page_p95, _page_queries in results)
    assert all(p95 >= ms and page_p95 >= page_ms for _name, ms, p95, _q, page_ms, page_p95, _pq in results)
    # The whole page (session user, settings, filter choices, rows) stays a fixed, small number of queries.
    page_queries = {page for *_rest, page in results}
    assert max(page_queries) <= 9 and len(results) == 18
