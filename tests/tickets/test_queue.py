"""The staff queue's filters, search, tab counts and query budget."""
from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from portal.models import TicketStatus, Visibility
from portal.tickets import lifecycle as tickets
from portal.tickets.queue import QueueFilters, queue_page, queue_query, row_names, tab_counts


def _numbers(db, filters, user):
    return {t.number for t in db.session.scalars(queue_query(filters, user)).unique()}


def _filters(**args):
    return QueueFilters.from_args(MultiDict(args))


@pytest.fixture
def queue(open_ticket, factory, marketplace, agent, agent2, clock, reason, db):
    """Tickets on several channels, reasons, days, assignees and statuses."""
    from portal.models import TicketReason

    other_reason = db.session.scalar(db.select(TicketReason).where(TicketReason.id != reason.id))
    clock.set(datetime(2026, 11, 16, 12, 0, tzinfo=UTC))
    store = open_ticket()
    clock.set(datetime(2026, 11, 17, 12, 0, tzinfo=UTC))
    mkt = open_ticket(channel=marketplace, marketplace_order_number="MKT-777")
    mkt.marketplace_ticket_code = "AMZ-TICKET-1"
    mine = open_ticket()
    tickets.take_ticket(mine, agent, expected_version=mine.version)
    other = open_ticket()
    other.reason = other_reason
    tickets.forward_ticket(other, agent, agent2, "", expected_version=other.version)
    waiting = open_ticket()
    tickets.reply_as_staff(waiting, agent, "Oi", Visibility.customer, expected_version=waiting.version)
    closed = open_ticket()
    tickets.close_ticket(closed, agent)
    db.session.flush()
    return {"store": store, "mkt": mkt, "mine": mine, "other": other, "waiting": waiting, "closed": closed,
            "other_reason": other_reason}


def test_open_tab_sorted_by_due_time(db, queue, agent):
    rows = db.session.scalars(queue_query(_filters(), agent)).unique().all()
    assert rows[0] == queue["store"]  # opened first, due first
    assert {t.status for t in rows} == {TicketStatus.open}
    assert [t.due_at for t in rows] == sorted(t.due_at for t in rows)


@pytest.mark.parametrize(("args", "expected"), [
    ({}, {"store", "mkt", "mine", "other"}),
    ({"tab": "waiting"}, {"waiting"}),
    ({"tab": "closed"}, {"closed"}),
    ({"tab": "bogus"}, {"store", "mkt", "mine", "other"}),
    ({"assignee": "me"}, {"mine"}),
    ({"assignee": "unassigned"}, {"store", "mkt"}),
    ({"date_from": "2026-11-17"}, {"mkt", "mine", "other"}),
    ({"date_to": "2026-11-16"}, {"store"}),
    ({"date_from": "2026-11-16", "date_to": "2026-11-16"}, {"store"}),
])
def test_filters(db, queue, agent, args, expected):
    assert _numbers(db, _filters(**args), agent) == {queue[name].number for name in expected}


def test_channel_and_reason_filters(db, queue, agent, marketplace):
    assert _numbers(db, _filters(channel=str(marketplace.id)), agent) == {queue["mkt"].number}
    assert _numbers(db, _filters(reason=str(queue["other_reason"].id)), agent) == {queue["other"].number}


@pytest.mark.parametrize(("kind", "tab"), [
    ("ticket", "open"), ("spaced ticket", "open"), ("order", "open"), ("marketplace order", "open"),
    ("marketplace code", "open"), ("ticket", "closed"),
])
def test_search_by_each_number(db, queue, agent, kind, tab):
    target = queue["closed"] if tab == "closed" else queue["mkt"]
    q = {
        "ticket": target.number,
        "spaced ticket": f"{target.number[:3]} {target.number[3:7]}-{target.number[7:]}",
        "order": target.order.number,
        "marketplace order": "MKT-777",
        "marketplace code": "AMZ-TICKET-1",
    }[kind]
    filters = _filters(q=q, tab=tab)
    assert filters.errors == {}
    assert _numbers(db, filters, agent) == {target.number}


def test_mistyped_ticket_number_gives_a_clear_message(db, queue, agent):
    number = queue["mkt"].number
    swapped = number[:4] + number[5] + number[4] + number[6:]
    if swapped == number:
        swapped = number[:-1] + str((int(number[-1]) + 1) % 10)
    filters = _filters(q=swapped)
    assert "not a valid ticket number" in str(filters.errors["q"])
    assert _numbers(db, filters, agent) == set()


def test_bad_dates_are_explained_and_ignored(db, queue, agent):
    filters = _filters(date_from="23/11/2026", date_to="2026-11-01", page="-3")
    assert set(filters.errors) == {"date_from"}
    assert filters.page == 1
    filters = _filters(date_from="2026-11-20", date_to="2026-11-01")
    assert "date_to" in filters.errors and filters.date_to is None


def test_filters_round_trip_through_the_url():
    args = {"tab": "waiting", "channel": "3", "reason": "2", "date_from": "2026-11-01", "date_to": "2026-11-30",
            "assignee": "me", "q": "12345", "page": "4", "sort": "newest"}
    assert _filters(**args).to_args() == {**args, "channel": 3, "reason": 2, "page": 4}
    assert _filters().to_args() == {"tab": "open"}


def test_tab_counts_in_one_query(db, queue, agent, count_queries):
    with count_queries() as statements:
        counts = tab_counts(_filters(tab="closed"), agent)
    assert len(statements) == 1
    assert counts == {TicketStatus.open: 4, TicketStatus.waiting: 1, TicketStatus.closed: 1}
    assert tab_counts(_filters(assignee="me"), agent)[TicketStatus.open] == 1


def _page_queries(db, count_queries, agent, per_page, **args):
    db.session.expire_all()
    agent.role  # noqa: B018 - the signed-in user is loaded before the page starts
    row_names([])  # the kept lists (channels, staff) are read once, then kept
    with count_queries() as statements:
        filters = _filters(**args)
        page = queue_page(filters, agent, per_page, tab_counts(filters, agent))
        names = row_names(page.items)
        rows = [(t.order.number, names.channels[t.channel_id], t.customer.name, names.people.get(t.assignee_id),
                 names.people.get(t.forwarded_by_id)) for t in page.items]
    return len(statements), len(rows), page


def test_page_query_count_is_fixed_whatever_the_page_size(db, queue, agent, count_queries):
    small = _page_queries(db, count_queries, agent, 1)
    large = _page_queries(db, count_queries, agent, 50)
    assert small[1] == 1 and large[1] == 4
    assert small[0] == large[0] == 2  # the tab counts, then the page with its joins
    assert small[2].total == large[2].total == 4 and small[2].pages == 4


def test_rows_name_their_channel_assignee_and_forwarder_even_once_no_longer_staff(db, queue, agent, factory,
                                                                                  count_queries):
    from portal.models import Role
    from portal.tickets import actions

    mine = queue["mine"]
    former = factory.user(role=Role.agent, name="Rita Antiga")
    actions.forward_ticket(mine, former, agent, "Para você", expected_version=None)
    db.session.flush()
    page = queue_page(_filters(), agent, 50)
    names = row_names(page.items)
    assert names.people[mine.assignee_id] == agent.name and names.people[mine.forwarded_by_id] == "Rita Antiga"
    assert {names.channels[t.channel_id] for t in page.items} == {"Loja virtual", "Amazon"}
    former.role, agent.active = Role.customer, False  # left the team; and the assignee's account closed
    db.session.flush()
    with count_queries() as statements:
        names = row_names(page.items)
    assert names.people[mine.forwarded_by_id] == "Rita Antiga" and names.people[mine.assignee_id] == agent.name
    # The lists are read again (they changed), and the one who is no longer staff in one statement more.
    assert len([s for s in statements if "FROM users" in s and "IN" in s]) == 2, statements


@pytest.mark.parametrize("args", [{}, {"assignee": "unassigned"}, {"sort": "newest"}, {"tab": "closed"}])
def test_filter_first_and_walk_plans_give_the_same_pages(db, queue, agent, monkeypatch, args):
    from portal.tickets import queue as ticket_queue

    pages = []
    for limit in (0, 10_000):  # walk the tab in order / filter first, then sort
        monkeypatch.setattr(ticket_queue, "SELECTIVE_ROWS", limit)
        filters = _filters(**args)
        pages.append([[t.number for t in queue_page(filters.with_page(n), agent, 2).items] for n in (1, 2, 3)])
    assert pages[0] == pages[1]
    expected = [t.number for t in db.session.scalars(queue_query(_filters(**args), agent)).unique()]
    assert sum(pages[0], []) == expected


def test_customers_only_ever_see_their_own(db, queue, factory):
    stranger = factory.user()
    assert _numbers(db, _filters(), stranger) == set()


@pytest.fixture
def small_cap(monkeypatch):
    """Make "more than SELECTIVE_ROWS" reachable with a handful of tickets: counts stop at 4 (3 + 1)."""
    from portal.tickets import queue as ticket_queue

    monkeypatch.setattr(ticket_queue, "SELECTIVE_ROWS", 3)
    monkeypatch.setattr(ticket_queue, "COUNT_CAP", 4)
    return ticket_queue


def test_counts_stop_at_the_cap_and_a_capped_tab_pages_its_first_rows(db, queue, agent, small_cap):
    counts = tab_counts(_filters(), agent)
    assert counts[TicketStatus.open] == 4 and small_cap.is_capped(counts[TicketStatus.open])
    assert counts[TicketStatus.waiting] == 1 and not small_cap.is_capped(counts[TicketStatus.waiting])
    page = queue_page(_filters(), agent, 2, counts)
    assert page.capped and page.total == 3 and page.pages == 2
    assert len(page.items) == 2 and page.has_next
    last = queue_page(_filters(page="2"), agent, 2, counts)
    assert last.items and not last.has_next  # the pages stop at the cap; narrower filters reach the rest
    # The rows are the same as an uncapped walk would give, in due order.
    everything = db.session.scalars(queue_query(_filters(), agent)).unique().all()
    assert [t.id for t in page.items + last.items] == [t.id for t in everything[:len(page.items + last.items)]]


def test_the_page_says_more_than_and_the_filters_still_narrow_it(client, login, db, queue, agent, small_cap):
    login(agent)
    html = client.get("/staff/").get_data(as_text=True)
    assert '<span class="ticket-tabs__count" data-count>3+</span>' in html
    assert "More than 3 tickets" in html and "Page 1 of" not in html
    narrowed = client.get("/staff/?assignee=unassigned").get_data(as_text=True)
    assert "2 tickets" in narrowed and "More than" not in narrowed


@pytest.mark.parametrize("args, walks", [
    ({"reason": "1"}, True), ({"channel": "1"}, True), ({"assignee": "me"}, True), ({"assignee": "unassigned"}, True),
    ({"reason": "1", "sort": "due_desc"}, True), ({"reason": "1", "sort": "newest"}, False),
    ({"reason": "1", "channel": "1"}, False), ({"date_from": "2026-11-01"}, False),
    ({"channel": "1", "late": "1"}, False),
])
def test_one_indexed_filter_in_due_order_walks_its_index_the_others_filter_first(db, queue, agent, count_queries,
                                                                                args, walks):
    """A page of one channel, reason or assignee in due order is one range of that column's index: walking it
    reads only the page, where filtering first would read and sort every match (up to 10,000)."""
    filters = _filters(**args)
    counts = tab_counts(filters, agent)
    with count_queries() as statements:
        queue_page(filters, agent, 25, counts).items  # noqa: B018
    assert len(statements) == 1
    assert ("MATERIALIZED" not in statements[0]) is walks, statements[0]
