"""The staff queue: tabs and counts, the seed's columns, filters in the URL, paging, search, query counts."""
import re
from datetime import UTC, datetime, timedelta

import pytest

from portal.models import TicketStatus
from portal.tickets import lifecycle as tickets
from portal.web.staff.queue import PER_PAGE

pytestmark = pytest.mark.db


def numbers_on(html: str) -> list[str]:
    return re.findall(r'data-ticket="(\d{11})"', html)


def test_queue_shows_the_seed_columns_and_counts(client, login, agent, make_ticket, factory):
    marketplace = factory.channel()
    first = make_ticket(channel=marketplace, marketplace_order_number="MLB-777")
    make_ticket()
    login(agent)
    html = client.get("/staff/").get_data(as_text=True)
    assert set(numbers_on(html)) >= {first.number}
    for column in ("User", "Date", "Channel", "Marketplace order", "Site order", "Customer", "Subject",
                   "Situation", "Received from"):
        assert re.search(f">{column}(</a>)?</th>", html), column
    assert "MLB-777" in html and "Mercado Livre" in html and "Joana Lima" in html
    assert re.search(r'data-tab="open"[^>]*aria-current="page"[^<]*<span[^>]*data-count>2<', html)
    assert 'data-situation="pending"' in html and "Pending" in html


def test_overdue_and_priority_have_text_labels(client, login, agent, ticket, db):
    ticket.open_since = datetime.now(UTC) - timedelta(days=3)
    ticket.due_at = datetime.now(UTC) - timedelta(days=1)
    db.session.commit()
    login(agent)
    html = client.get("/staff/").get_data(as_text=True)
    assert 'data-situation="overdue"' in html and "Overdue" in html and "3 days pending" in html


def test_tabs_count_each_status(client, login, agent, make_ticket, db):
    open_one, waiting, closed = make_ticket(), make_ticket(), make_ticket()
    tickets.reply_as_staff(waiting, agent, "Resposta", tickets.Visibility.customer, expected_version=waiting.version)
    tickets.close_ticket(closed, agent)
    db.session.commit()
    login(agent)
    html = client.get("/staff/?tab=waiting").get_data(as_text=True)
    assert numbers_on(html) == [waiting.number]
    counts = dict(re.findall(r'data-tab="(\w+)".*?data-count>(\d+)<', html, re.S))
    assert counts == {"open": "1", "waiting": "1", "closed": "1"}
    assert open_one.status is TicketStatus.open


def test_search_by_ticket_number_and_orders(client, login, agent, make_ticket, factory):
    wanted = make_ticket(marketplace_order_number="MKT-1", channel=factory.channel())
    make_ticket()
    login(agent)
    for q in (wanted.number, wanted.order.number, "MKT-1"):
        assert numbers_on(client.get("/staff/", query_string={"q": q}).get_data(as_text=True)) == [wanted.number]


def test_a_mistyped_ticket_number_gets_a_clear_message(client, login, agent, ticket):
    login(agent)
    wrong = ticket.number[:-1] + str((int(ticket.number[-1]) + 1) % 10)
    response = client.get("/staff/", query_string={"q": wrong})
    assert response.status_code in (200, 422)
    assert 'id="q-search-error"' in response.get_data(as_text=True)


def test_filters_survive_paging(client, login, agent, make_ticket, factory):
    channel = factory.channel()
    for _ in range(PER_PAGE + 2):
        make_ticket(channel=channel)
    make_ticket()
    login(agent)
    html = client.get(f"/staff/?channel={channel.id}&assignee=unassigned").get_data(as_text=True)
    assert len(numbers_on(html)) == PER_PAGE
    next_link = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert f"channel={channel.id}" in next_link and "page=2" in next_link and "assignee=unassigned" in next_link
    second = client.get(next_link).get_data(as_text=True)
    assert len(numbers_on(second)) == 2
    assert f'<option value="{channel.id}" selected' in second


def test_queue_query_count_does_not_grow_with_rows(client, login, agent, make_ticket, count_queries, db):
    login(agent)
    make_ticket()
    client.get("/staff/")  # the lists of channels, reasons and colleagues are read once, then kept
    db.session.expire_all()  # as in a new request's session: the user and the settings are read again
    with count_queries() as few:
        client.get("/staff/")
    for _ in range(8):
        make_ticket()
    db.session.expire_all()
    with count_queries() as many:
        client.get("/staff/")
    assert len(many) == len(few)
    # user, store settings, saved views, tab and view counts, page
    assert len(few) <= 5, few


def test_assignee_filter(client, login, agent, colleague, make_ticket, db):
    mine, unassigned = make_ticket(), make_ticket()
    tickets.take_ticket(mine, agent, expected_version=mine.version)
    db.session.commit()
    login(agent)
    assert numbers_on(client.get("/staff/?assignee=me").get_data(as_text=True)) == [mine.number]
    assert numbers_on(client.get("/staff/?assignee=unassigned").get_data(as_text=True)) == [unassigned.number]


def test_queue_on_a_phone_is_cards_with_labels(client, login, agent, ticket):
    login(agent)
    html = client.get("/staff/").get_data(as_text=True)
    assert 'data-label="Situation"' in html and 'class="queue"' in html


def test_period_and_reason_filters_and_a_reversed_period(client, login, agent, make_ticket, db):
    old, new = make_ticket(), make_ticket()
    old.created_at = datetime(2026, 1, 10, 15, tzinfo=UTC)
    db.session.commit()
    login(agent)
    html = client.get("/staff/?date_from=2026-01-01&date_to=2026-01-31").get_data(as_text=True)
    assert numbers_on(html) == [old.number]
    html = client.get(f"/staff/?reason={new.reason_id}&date_from=2026-02-01").get_data(as_text=True)
    assert numbers_on(html) == [new.number]
    html = client.get("/staff/?date_from=2026-02-01&date_to=2026-01-01").get_data(as_text=True)
    assert 'id="q-to-error"' in html


def test_a_search_shows_the_tab_where_the_ticket_is(client, login, agent, make_ticket, db):
    waiting = make_ticket()
    make_ticket()
    tickets.reply_as_staff(waiting, agent, "Resposta", tickets.Visibility.customer, expected_version=waiting.version)
    db.session.commit()
    login(agent)
    html = client.get("/staff/", query_string={"tab": "open", "q": waiting.number}).get_data(as_text=True)
    assert numbers_on(html) == [waiting.number]
    assert re.search(r'data-tab="waiting"[^>]*aria-current="page"', html)
    assert "Found in the tab" in html


def test_search_by_the_marketplaces_ticket_code(client, login, agent, make_ticket, factory, db):
    wanted = make_ticket(channel=factory.channel())
    wanted.marketplace_ticket_code = "ML-TICKET-42"
    make_ticket()
    db.session.commit()
    login(agent)
    html = client.get("/staff/", query_string={"q": "ML-TICKET-42"}).get_data(as_text=True)
    assert numbers_on(html) == [wanted.number]


@pytest.mark.parametrize(("days", "english", "portuguese"), [
    (0, "pending since today", "pendente desde hoje"),
    (1, "1 day pending", "1 dia pendente"),
    (2, "2 days pending", "2 dias pendentes"),
])
def test_days_pending_read_as_words_in_each_language(client, login, agent, ticket, db, days, english, portuguese):
    ticket.open_since = datetime.now(UTC) - timedelta(days=days, hours=1)
    db.session.commit()
    login(agent)
    assert english in client.get("/staff/").get_data(as_text=True)
    html = client.get("/staff/", headers={"Accept-Language": "pt-BR"}).get_data(as_text=True)
    assert portuguese in html and "0 dia" not in html


def test_the_reply_by_column_sorts_both_ways_and_shows_a_past_deadline(client, login, agent, make_ticket, db):
    late, soon, later = make_ticket(), make_ticket(), make_ticket()
    now = datetime.now(UTC)
    late.due_at, soon.due_at, later.due_at = now - timedelta(hours=2), now + timedelta(hours=3), now + timedelta(days=2)
    db.session.commit()
    login(agent)
    html = client.get("/staff/").get_data(as_text=True)
    assert numbers_on(html) == [late.number, soon.number, later.number]
    assert ">Reply by</a>" in html and 'aria-sort="ascending"' in html
    assert re.search(rf'data-ticket="{late.number}".*?queue__due--past.*?data-due-past>2 hours ago<', html, re.S)
    assert re.search(rf'data-ticket="{soon.number}".*?data-due>.*?>in 3 hours<', html, re.S)
    descending = re.search(r'href="([^"]+)" data-sort-link="due"', html).group(1).replace("&amp;", "&")
    html = client.get(descending).get_data(as_text=True)
    assert numbers_on(html) == [later.number, soon.number, late.number] and 'aria-sort="descending"' in html


def test_the_assignee_filter_lists_colleagues(client, login, agent, colleague, make_ticket, db):
    theirs, mine, _ = make_ticket(), make_ticket(), make_ticket()
    tickets.take_ticket(theirs, colleague, expected_version=theirs.version)
    tickets.take_ticket(mine, agent, expected_version=mine.version)
    db.session.commit()
    login(agent)
    html = client.get("/staff/").get_data(as_text=True)
    assert f'<option value="{colleague.id}">Bruno Colega</option>' in html
    html = client.get(f"/staff/?assignee={colleague.id}").get_data(as_text=True)
    assert numbers_on(html) == [theirs.number]
    assert f'<option value="{colleague.id}" selected>' in html


@pytest.mark.parametrize("args, field", [
    ({"date_from": "31/12/2026"}, "date_from"), ({"channel": "marketplace"}, "channel"),
    ({"assignee": "somebody"}, "assignee"), ({"sort": "priority"}, "sort"), ({"tab": "spam"}, "tab"),
])
def test_a_filter_value_that_does_not_read_answers_400_with_a_message(client, login, agent, ticket, args, field):
    login(agent)
    response = client.get("/staff/", query_string=args)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "data-filter-invalid" in html and f'data-filter-error="{field}"' in html
    assert numbers_on(html) == [ticket.number]


def test_the_invalid_filter_message_is_in_the_users_language(client, login, agent, ticket):
    login(agent)
    response = client.get("/staff/?date_from=amanha", headers={"Accept-Language": "pt-BR"})
    assert response.status_code == 400
    assert "Alguns filtros não puderam ser lidos" in response.get_data(as_text=True)
