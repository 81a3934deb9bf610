"""The service KPIs, each counted in SQL, against the same figures worked out by hand on a small known week."""
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from portal.kpis import figures
from portal.models import Role, TicketSurvey
from portal.tickets import lifecycle as tickets
from portal.tickets import survey as surveys

# Monday 23 to Sunday 29 November 2026: no holiday in São Paulo. Local time is UTC-3.
MON, TUE, WED, FRI, SAT = 23, 24, 25, 27, 28
NOW = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)  # Monday 30, 10:00 in São Paulo


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour + 3, minute, tzinfo=UTC)


@pytest.fixture
def week(db, clock, open_ticket, agent, agent2, marketplace):
    """Five tickets; the comments give what each contributes to the figures."""
    def at(moment):
        clock.set(moment)

    def answer(ticket, who, moment):
        at(moment)
        tickets.reply_as_staff(ticket, who, "Resposta", "customer", expected_version=ticket.version)

    def close(ticket, who, moment, rating=None):
        at(moment)
        tickets.close_ticket(ticket, who)
        if rating is not None:
            survey = db.session.scalars(db.select(TicketSurvey).where(TicketSurvey.ticket_id == ticket.id)
                                        .order_by(TicketSurvey.id.desc())).first()
            surveys.answer(survey, rating, None)

    at(local(MON, 10))
    t1 = open_ticket()  # store: answered in 2 working hours (7,200 s), closed, rated 5
    t1.assignee_id = agent.id
    at(local(MON, 11))
    t2 = open_ticket()  # store: answered after 49 working hours (176,400 s) > 48 h SLA, rated 2
    t2.assignee_id = agent2.id
    answer(t1, agent, local(MON, 12))
    close(t1, agent, local(MON, 13), rating=5)
    at(local(TUE, 10))
    t4 = open_ticket()  # store: never answered, still open: 4 working days old now
    t5 = open_ticket()  # store: answered in 30 min, closed, reopened, closed again, rated 4
    t5.assignee_id = agent.id
    answer(t5, agent, local(TUE, 10, 30))
    close(t5, agent, local(TUE, 11))
    at(local(TUE, 12))
    tickets.reply_as_customer(t5, t5.customer, "Ainda não chegou.")
    close(t5, agent, local(TUE, 13), rating=4)
    answer(t2, agent2, local(WED, 12))
    close(t2, agent2, local(WED, 13), rating=2)
    at(local(FRI, 9))
    t3 = open_ticket(channel=marketplace)  # marketplace, 24 h on the clock: answered in 23 h, escalated
    answer(t3, agent, local(SAT, 8))
    at(local(SAT, 9))
    tickets.escalate_ticket(t3, agent, "cannot_help", "Ajuda", expected_version=t3.version)
    db.session.commit()
    return {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5}


def period(**kw):
    return figures.parse_period("2026-11-23", "2026-11-29", **kw)


def test_the_summary_matches_the_figures_worked_out_by_hand(db, week):
    s = figures.summary(period())
    assert (s.received, s.answered, s.closed) == (5, 4, 4)
    # First responses 1,800 / 7,200 / 82,800 / 176,400 s: the median is the 2nd by nearest rank, p90 the 4th.
    assert (s.first_response_median, s.first_response_p90) == (7200, 176400)
    assert (s.within_sla, s.within_sla_pct) == (3, 75.0)
    assert (s.reopened, s.closed_tickets, s.reopen_rate) == (1, 3, 33.3)
    assert s.escalations == 1
    assert (s.csat_answers, s.csat_satisfied, s.csat_pct) == (3, 2, 66.7)


def test_per_channel_each_against_its_own_sla(db, week, marketplace):
    rows = {row.code: row for row in figures.per_channel(period())}
    store, amazon = rows["loja"], rows["amazon"]
    assert (store.answered, store.within_sla, store.within_sla_pct, store.median) == (3, 2, 66.7, 7200)
    assert (store.csat_answers, store.csat_pct) == (3, 66.7)
    assert (amazon.sla_hours, amazon.answered, amazon.within_sla_pct, amazon.median) == (24, 1, 100.0, 82800)
    assert amazon.csat_answers == 0 and amazon.csat_pct is None


def test_per_agent_first_responses_closings_and_csat(db, week, agent, agent2):
    rows = {row.user_id: row for row in figures.per_agent(period())}
    ana, bruno = rows[agent.id], rows[agent2.id]
    assert (ana.first_responses, ana.median, ana.closed, ana.csat_answers, ana.csat_pct) == (3, 7200, 3, 2, 100.0)
    assert (bruno.first_responses, bruno.median, bruno.closed, bruno.csat_pct) == (1, 176400, 1, 0.0)
    # Open or waiting now and assigned: none of Ana's and Bruno's tickets is.
    assert (ana.backlog, bruno.backlog) == (0, 0)


def test_backlog_by_working_days_since_received(db, week):
    # t4: Tuesday 10:00 to Monday 10:00 is 96 working hours (2-5); t3: Friday 09:00 is 25 working hours (1-2).
    assert figures.backlog(period(), now=NOW) == {"0-1": 0, "1-2": 1, "2-5": 1, "5+": 0}


def test_backlog_edges_and_each_agents_share(db, week, clock, open_ticket, agent, agent2):
    """A ticket exactly one working day old is in 1-2; under one day, 0-1; five working days or more, 5+."""
    moments = {"fresh": local(30, 9), "one-day": local(27, 10), "old": local(MON, 9), "five-days": local(MON, 10)}
    opened = {}
    for name, moment in moments.items():
        clock.set(moment)
        opened[name] = open_ticket()
    opened["fresh"].assignee_id = opened["old"].assignee_id = agent2.id
    db.session.commit()
    # Now is Monday 30, 10:00: Friday 27, 10:00 is 24 working hours ago (the weekend does not count); Monday 23,
    # 10:00 is 120 and 09:00 is 121 working hours ago.
    assert figures.backlog(period(), now=NOW) == {"0-1": 1, "1-2": 2, "2-5": 1, "5+": 2}
    assert figures.backlog(period(), now=NOW, agent_id=agent2.id) == {"0-1": 1, "1-2": 0, "2-5": 0, "5+": 1}
    clock.set(NOW)
    rows = {row.user_id: row for row in figures.per_agent(period())}
    assert rows[agent2.id].backlog == 2 and rows[agent.id].backlog == 0


def test_the_page_writes_numbers_the_languages_way(client, login, db, week, agent):
    agent.locale = "de"
    db.session.commit()
    login(agent)
    body = client.get("/staff/kpis?from=2026-11-23&to=2026-11-29").get_data(as_text=True)
    assert "Eingegangen" in body
    assert "66,7" in body and "66.7" not in body  # the satisfied share
    assert "<dd>2,0 Std.</dd>" in body  # the median first response, 7,200 s


def test_per_day_in_the_stores_dates(db, week):
    days = {row.day.day: row for row in figures.daily(period())}
    assert [(d, days[d].received) for d in sorted(days) if days[d].received] == [(MON, 2), (TUE, 2), (FRI, 1)]
    assert [(d, days[d].closed) for d in sorted(days) if days[d].closed] == [(MON, 1), (TUE, 2), (WED, 1)]
    assert [(d, days[d].median) for d in sorted(days) if days[d].median is not None] == [
        (MON, 7200), (TUE, 1800), (WED, 176400), (SAT, 82800)]
    assert len(days) == 7


def test_per_reason(db, week, reason):
    [row] = figures.per_reason(period())
    assert (row.label, row.received, row.csat_answers, row.csat_pct) == (reason.shown_label, 5, 3, 66.7)


def test_a_channel_filter_counts_only_that_channel(db, week):
    s = figures.summary(period(channel_codes=["amazon"]))
    assert (s.received, s.answered, s.closed, s.escalations, s.csat_answers) == (1, 1, 0, 1, 0)
    assert figures.backlog(period(channel_codes=["amazon"]), now=NOW) == {"0-1": 0, "1-2": 1, "2-5": 0, "5+": 0}


def test_a_day_outside_the_period_counts_nothing(db, week):
    s = figures.summary(figures.parse_period("2026-11-24", "2026-11-24"))
    assert (s.received, s.answered, s.closed, s.first_response_median) == (2, 1, 2, 1800)


@pytest.mark.parametrize(("start", "end", "field"), [
    ("2026-13-01", "", "from"), ("ontem", "", "from"), ("2026-11-30", "2026-11-01", "from"),
    ("2025-01-01", "2026-11-30", "from"), ("", "2026-02-30", "to"), ("2026-1-1", "", "from"),
])
def test_a_bad_period_is_refused_naming_the_field(db, start, end, field):
    from portal.core.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        figures.parse_period(start, end)
    assert caught.value.field == field


def test_an_unknown_channel_is_refused(db):
    from portal.core.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        figures.parse_period("", "", ["nenhum"])
    assert caught.value.field == "channel"


def test_each_figure_is_one_statement_whatever_the_number_of_tickets(db, week, count_queries, clock, open_ticket,
                                                                      agent):
    p = period()
    with count_queries() as few:
        before = figures.report(p)
    for n in range(20):
        clock.set(local(WED, 8, n))
        ticket = open_ticket()
        clock.set(local(WED, 9, n))
        tickets.reply_as_staff(ticket, agent, "Resposta", "customer", expected_version=ticket.version)
        tickets.close_ticket(ticket, agent)
    db.session.commit()
    with count_queries() as many:
        after = figures.report(p)
    assert after.summary.received == before.summary.received + 20
    assert after.summary.closed == before.summary.closed + 20
    assert len(many) == len(few) <= 25


def test_a_first_response_counts_no_weekend_and_no_holiday(db, clock, open_ticket, agent):
    """Thursday 19 November 23:00 to Saturday 21 November 12:00: Friday 20 is Consciência Negra, a national
    holiday since 2024, and Saturday is no working day, so only Thursday's last hour counts."""
    clock.set(datetime(2026, 11, 20, 2, 0, tzinfo=UTC))  # Thursday 19, 23:00 in São Paulo
    ticket = open_ticket()
    clock.set(datetime(2026, 11, 21, 15, 0, tzinfo=UTC))  # Saturday 21, 12:00
    tickets.reply_as_staff(ticket, agent, "Resposta", "customer", expected_version=ticket.version)
    clock.set(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))  # Monday 23, 11:00: a second ticket, answered at 11:30
    other = open_ticket()
    clock.set(datetime(2026, 11, 23, 14, 30, tzinfo=UTC))
    tickets.reply_as_staff(other, agent, "Resposta", "customer", expected_version=other.version)
    db.session.commit()
    s = figures.summary(figures.parse_period("2026-11-19", "2026-11-23"))
    assert (s.received, s.answered) == (2, 2)
    assert (s.first_response_median, s.first_response_p90) == (1800, 3600)
    days = {row.day.day: row.median for row in figures.daily(figures.parse_period("2026-11-19", "2026-11-23"))}
    assert days[21] == 3600 and days[23] == 1800


# The page, the CSV and the API.

def test_an_agent_sees_the_team_and_only_their_own_row(client, login, db, week, agent, agent2):
    login(agent)
    page = client.get("/staff/kpis?from=2026-11-23&to=2026-11-29")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert '<div data-kpi="received"><dt>Received</dt><dd>5</dd>' in body
    assert "data-kpi-own" in body
    assert f'data-agent="{agent.id}"' in body and f'data-agent="{agent2.id}"' not in body


def test_an_admin_sees_every_agent(client, login, db, week, factory, agent, agent2):
    login(factory.user(Role.admin, name="Dona"))
    body = client.get("/staff/kpis?from=2026-11-23&to=2026-11-29").get_data(as_text=True)
    assert f'data-agent="{agent.id}"' in body and f'data-agent="{agent2.id}"' in body


def test_a_shopper_gets_403_and_a_visitor_the_login(client, login, db, shopper):
    assert client.get("/staff/kpis").status_code == 302
    assert client.get("/staff/kpis.csv").status_code == 302
    login(shopper)
    assert client.get("/staff/kpis").status_code == 403
    assert client.get("/staff/kpis.csv").status_code == 403


def test_the_charts_are_accessible_svg_with_their_numbers_in_a_table(client, login, db, week, agent):
    login(agent)
    body = client.get("/staff/kpis?from=2026-11-23&to=2026-11-29").get_data(as_text=True)
    for ident in ("chart-volume", "chart-first-response", "chart-backlog", "chart-within-sla"):
        assert f'<svg class="chart" id="{ident}"' in body
        assert f'aria-labelledby="{ident}-title {ident}-desc"' in body
        assert f'<title id="{ident}-title">' in body and f'<desc id="{ident}-desc">' in body
        assert f'data-chart-table="{ident}"' in body
    assert "<script" not in body.split("<main", 1)[-1]
    assert 'stroke-dasharray="6 4"' in body  # the SLA line


def test_a_bad_filter_says_so_with_400(client, login, db, agent):
    login(agent)
    response = client.get("/staff/kpis?from=2026-02-30")
    assert response.status_code == 400
    assert "Write the date as YYYY-MM-DD." in response.get_data(as_text=True)
    assert client.get("/staff/kpis.csv?table=nada").status_code == 400
    assert client.get("/staff/kpis.csv?from=x").status_code == 400


@pytest.mark.parametrize("table", ["summary", "channels", "agents", "reasons", "backlog", "daily"])
def test_every_table_exports_as_csv(client, login, db, week, factory, table):
    login(factory.user(Role.admin, name="Dona"))
    response = client.get(f"/staff/kpis.csv?table={table}&from=2026-11-23&to=2026-11-29")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) >= 2
    if table == "summary":
        assert ["Received", "5"] in rows and ["Answered within SLA (%)", "75.0"] in rows
    if table == "daily":
        assert len(rows) == 8


def test_a_csv_cell_never_runs_as_a_formula(client, login, db, week, factory, agent):
    agent.name = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    login(factory.user(Role.admin, name="Dona"))
    text = client.get("/staff/kpis.csv?table=agents&from=2026-11-23&to=2026-11-29").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_the_api_gives_the_same_numbers(client, db, week, factory):
    headers = {"Authorization": f"Bearer {factory.api_token()}"}
    response = client.get("/api/v1/kpis?from=2026-11-23&to=2026-11-29", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["summary"]["received"] == 5
    assert body["summary"]["first_response"] == {"median": 7200, "p90": 176400}
    assert body["summary"]["within_sla_pct"] == 75.0 and body["summary"]["csat_pct"] == 66.7
    assert {row["code"]: row["within_sla_pct"] for row in body["channels"]} == {"loja": 66.7, "amazon": 100.0}
    assert len(body["daily"]) == 7
    only = client.get("/api/v1/kpis?from=2026-11-23&to=2026-11-29&channel=amazon", headers=headers).get_json()
    assert only["summary"]["received"] == 1 and only["channels_filter"] == ["amazon"]


@pytest.mark.parametrize("query", ["from=2026-02-30", "to=amanha", "channel=nenhum", "from=2026-11-30&to=2026-11-01",
                                   "extra=1"])
def test_the_api_refuses_a_bad_query_with_422(client, db, factory, query):
    headers = {"Authorization": f"Bearer {factory.api_token()}"}
    response = client.get(f"/api/v1/kpis?{query}", headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["message"]


def test_the_api_needs_a_token(client, db):
    assert client.get("/api/v1/kpis").status_code == 401


# Daily rollups: a settled day's counts are stored once and summed; the report stays the same.

LATER = datetime(2026, 12, 20, 15, 0, tzinfo=UTC)  # every day of the week is settled


@pytest.fixture
def settling(monkeypatch, clock):
    """Let the settable clock decide which days are settled (stored) and which are still counted."""
    from portal.kpis import rollup

    monkeypatch.setattr(rollup, "utcnow", lambda: clock.now)


def _stored_days(db) -> list:
    from portal.models import KpiDay

    return sorted(db.session.scalars(db.select(KpiDay.day).where(KpiDay.dim == "done")))


def _without_now(report):
    """The report's figures that do not depend on the moment it is read (the backlog ages do)."""
    return (report.summary, report.channels, sorted(report.agents, key=lambda row: row.user_id), report.reasons,
            report.daily)


@pytest.mark.parametrize("moment", [local(SAT, 9), LATER], ids=["some-days-stored", "every-day-stored"])
def test_stored_days_give_the_figures_counted_from_the_tickets(db, week, clock, settling, moment):
    clock.set(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))  # no day of the week is settled yet: all counted
    counted = figures.report(period())
    assert _stored_days(db) == []
    clock.set(moment)
    stored = figures.report(period())
    settled = 26 if moment != LATER else 29
    assert [day.day for day in _stored_days(db)] == list(range(MON, settled + 1))
    assert _without_now(stored) == _without_now(counted)
    assert (stored.summary.received, stored.summary.closed, stored.summary.closed_tickets) == (5, 4, 3)


def test_a_settled_day_is_rolled_up_once(db, week, clock, settling, count_queries):
    clock.set(LATER)
    with count_queries() as first:
        figures.report(period())
    with count_queries() as second:
        again = figures.report(period())
    assert sum("INSERT INTO kpi_days" in statement for statement in first) == 1
    assert not any("INSERT INTO kpi_days" in statement for statement in second)
    assert again.summary.received == 5 and len(second) < len(first)


def test_a_late_change_to_a_stored_day_is_counted(db, week, clock, settling, open_ticket, agent, store_channel):
    from portal.models import TicketReason

    clock.set(LATER)
    before = figures.report(period())
    # A ticket dated on a stored day (an import, a delivery that arrives late).
    clock.set(local(WED, 15))
    late = open_ticket()
    db.session.commit()
    clock.set(LATER)
    after = figures.report(period())
    assert after.summary.received == before.summary.received + 1
    assert {row.day.day: row.received for row in after.daily}[WED] == 1
    # A stored ticket changes reason.
    other = TicketReason(code="troca", label="Troca", position=9)
    db.session.add(other)
    db.session.flush()
    late.reason_id = other.id
    db.session.commit()
    assert {row.label: row.received for row in figures.per_reason(period())}["Troca"] == 1
    # The store's SLA shortens: the stored answers are measured against the new one.
    assert figures.summary(period()).within_sla == 3
    store_channel.sla_hours = 1
    db.session.commit()
    assert _stored_days(db) == []
    assert figures.summary(period()).within_sla == 2  # only the 30-minute answer; the 2-hour one is now late


def test_a_ticket_closed_twice_without_a_reopening_is_one_closed_ticket(db, clock, settling, open_ticket, agent):
    """A marketplace may set a closed ticket waiting (a status change, not a reopening) and close it again."""
    from portal.models import TicketStatus
    from portal.tickets import events

    clock.set(local(MON, 10))
    ticket = open_ticket()
    clock.set(local(MON, 11))
    tickets.close_ticket(ticket, agent)
    clock.set(local(TUE, 9))
    ticket.status, ticket.closed_at = TicketStatus.waiting, None
    events.status_changed(ticket, None, TicketStatus.closed, TicketStatus.waiting)
    clock.set(local(TUE, 10))
    tickets.close_ticket(ticket, agent)
    db.session.commit()
    for moment in (local(TUE, 12), LATER):
        clock.set(moment)
        s = figures.summary(period())
        assert (s.closed, s.closed_tickets, s.reopened, s.reopen_rate) == (2, 1, 0, 0.0)


@pytest.fixture
def busy_wednesday(db, week, clock, open_ticket, agent, marketplace):
    """Seven more first responses on Wednesday over both channels, so that each day's percentiles pick a rank."""
    for n, (minutes, channel) in enumerate([(5, None), (50, marketplace), (20, None), (90, marketplace), (35, None),
                                            (10, marketplace), (70, None)]):
        clock.set(local(WED, 9, n))
        ticket = open_ticket(channel=channel)
        clock.set(local(WED, 9, n) + timedelta(minutes=minutes))
        tickets.reply_as_staff(ticket, agent, "Resposta", "customer", expected_version=ticket.version)
    db.session.commit()


@pytest.mark.parametrize("codes", [[], ["amazon"], ["loja"], ["amazon", "loja"]],
                         ids=["every-channel", "marketplace", "store", "both"])
def test_stored_days_give_each_days_percentiles_counted_from_the_tickets(db, busy_wednesday, clock, settling,
                                                                         store_channel, codes):
    codes = [store_channel.code if code == "loja" else code for code in codes]
    clock.set(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    counted = figures.report(period(channel_codes=codes))
    clock.set(LATER)
    stored = figures.report(period(channel_codes=codes))
    assert _stored_days(db)
    assert [(row.day, row.median) for row in stored.daily] == [(row.day, row.median) for row in counted.daily]
    assert stored.summary == counted.summary
    if not codes:
        # Wednesday: the 49-hour answer and seven of 5 to 90 minutes; the median of 8 is the 4th, 35 minutes.
        assert {row.day.day: row.median for row in stored.daily}[WED] == 35 * 60


def test_a_stored_day_gives_its_percentiles_without_reading_the_tickets(db, busy_wednesday, clock, settling,
                                                                        marketplace):
    """The stored percentiles are what the daily trend shows: changed behind the portal's back, they show."""
    from portal.models import KpiDay

    clock.set(LATER)
    figures.report(period())
    wednesday = datetime(2026, 11, WED).date()
    done = db.session.get(KpiDay, (wednesday, 0, "done", 0))
    channel = db.session.get(KpiDay, (wednesday, marketplace.id, "", 0))
    # Over every channel; the marketplace's own: 50, 90 and 10 minutes, the median 50.
    assert (done.answered, done.fr_median, done.fr_p90) == (8, 35 * 60, 176400)
    assert (channel.answered, channel.fr_median, channel.fr_p90) == (3, 50 * 60, 90 * 60)
    db.session.execute(db.update(KpiDay).where(KpiDay.day == wednesday, KpiDay.dim.in_(["done", ""]))
                       .values(fr_median=KpiDay.channel_id + 1))
    db.session.commit()
    assert {row.day.day: row.median for row in figures.daily(period())}[WED] == 1
    assert {row.day.day: row.median for row in figures.daily(period(channel_codes=["amazon"]))}[WED] == (
        marketplace.id + 1)
