"""The working-day calendar, SLA due times, pauses, days pending and situations, without a database."""
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from portal.tickets.sla import (
    Situation,
    WorkCalendar,
    add_working_time,
    calendar_for,
    days_pending,
    due_at,
    remaining_after_pause,
    resume,
    situation,
    working_time_between,
)

SP_TZ = ZoneInfo("America/Sao_Paulo")
PRAGUE = ZoneInfo("Europe/Prague")
SP = WorkCalendar("BR", "SP", "America/Sao_Paulo")
RJ = WorkCalendar("BR", "RJ", "America/Sao_Paulo")


def sp(day: str, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=SP_TZ).replace(
        hour=hour, minute=minute, second=second)


@pytest.mark.parametrize("day, working", [
    ("2026-11-09", True),    # Monday
    ("2026-11-13", True),    # Friday
    ("2026-11-07", False),   # Saturday
    ("2026-11-08", False),   # Sunday
    ("2026-11-20", False),   # Consciência Negra, national since 2024
    ("2023-11-20", True),    # ... but not before (a Monday in 2023)
    ("2026-12-25", False),   # Natal
    ("2026-12-24", True),    # Christmas Eve is not a public holiday
    ("2026-11-02", False),   # Finados
    ("2026-04-03", False),   # Sexta-feira Santa
    ("2026-07-09", False),   # Revolução Constitucionalista, São Paulo only
])
def test_is_working_day_sao_paulo(day, working):
    assert SP.is_working_day(date.fromisoformat(day)) is working


def test_state_holiday_is_a_working_day_elsewhere():
    assert RJ.is_working_day(date(2026, 7, 9))
    assert not WorkCalendar("BR", "RJ").is_working_day(date(2026, 4, 23))  # São Jorge, Rio de Janeiro only
    assert WorkCalendar("BR", None).is_working_day(date(2026, 7, 9))


def test_is_working_day_reads_an_aware_moment_in_the_store_zone():
    # 01:00 UTC on Saturday is still Friday evening in São Paulo.
    assert SP.is_working_day(datetime(2026, 11, 7, 1, 0, tzinfo=UTC))
    assert not SP.is_working_day(datetime(2026, 11, 7, 4, 0, tzinfo=UTC))


def test_extra_holidays_close_the_store():
    closed = WorkCalendar(extra_holidays=[date(2026, 11, 9)])
    assert not closed.is_working_day(date(2026, 11, 9))
    assert due_at(sp("2026-11-06", 10), 48, True, closed) == sp("2026-11-11", 10)


def test_holiday_years_are_computed_once_and_only_when_needed():
    calendar = WorkCalendar()
    calendar.is_working_day(date(2026, 3, 2))
    first = calendar.holidays_in(2026)
    calendar.is_working_day(date(2026, 5, 1))
    assert calendar.holidays_in(2026) is first
    assert set(calendar._years) == {2026}


@pytest.mark.parametrize("country, subdivision", [("ZZ", None), ("BR", "XX")])
def test_unknown_country_or_state_fails_at_construction(country, subdivision):
    with pytest.raises(ValueError):
        WorkCalendar(country, subdivision)


def test_store_calendar_is_shared():
    settings = SimpleNamespace(country="BR", state="SP", timezone="America/Sao_Paulo")
    assert WorkCalendar.for_store(settings) is WorkCalendar.for_store(settings) is calendar_for("BR", "SP")


@pytest.mark.parametrize("start, hours, working, expected", [
    # Calendar hours run through weekends and holidays.
    pytest.param(sp("2026-11-06", 10), 24, False, sp("2026-11-07", 10), id="24h calendar Fri -> Sat"),
    pytest.param(sp("2026-11-06", 10), 48, False, sp("2026-11-08", 10), id="48h calendar Fri -> Sun"),
    pytest.param(sp("2026-11-19", 10), 24, False, sp("2026-11-20", 10), id="24h calendar onto a holiday"),
    # Working hours: two working days of 24 h.
    pytest.param(sp("2026-11-09", 10), 48, True, sp("2026-11-11", 10), id="48wh Mon -> Wed"),
    pytest.param(sp("2026-11-06", 10), 48, True, sp("2026-11-10", 10), id="48wh across a weekend"),
    pytest.param(sp("2026-11-06", 10), 24, True, sp("2026-11-09", 10), id="24wh Fri -> Mon"),
    pytest.param(sp("2026-11-07", 15), 48, True, sp("2026-11-11", 0), id="opened Saturday counts from Monday"),
    pytest.param(sp("2026-11-08", 23, 59), 48, True, sp("2026-11-11", 0), id="opened Sunday night"),
    pytest.param(sp("2026-11-19", 10), 48, True, sp("2026-11-24", 10), id="48wh across Consciência Negra"),
    pytest.param(sp("2026-12-23", 10), 48, True, sp("2026-12-28", 10), id="48wh across Natal"),
    pytest.param(sp("2026-10-30", 10), 48, True, sp("2026-11-04", 10), id="48wh across weekend and Finados"),
    pytest.param(sp("2026-07-08", 10), 48, True, sp("2026-07-13", 10), id="48wh across SP state holiday"),
    pytest.param(sp("2026-11-20", 9), 24, True, sp("2026-11-24", 0), id="opened on a holiday Friday"),
    pytest.param(sp("2026-11-06", 0), 24, True, sp("2026-11-07", 0), id="ends exactly at midnight"),
    pytest.param(sp("2026-11-09", 10), 0, True, sp("2026-11-09", 10), id="zero hours on a working day"),
    pytest.param(sp("2026-11-07", 10), 0, True, sp("2026-11-09", 0), id="zero hours on Saturday"),
    pytest.param(sp("2026-11-09", 10), 5, True, sp("2026-11-09", 15), id="within one day"),
    # The start is read in the store's zone even when given in UTC: Sat 02:00 UTC is Fri 23:00 local.
    pytest.param(datetime(2026, 11, 7, 2, 0, tzinfo=UTC), 24, True, sp("2026-11-09", 23),
                 id="UTC start on local Friday"),
])
def test_due_at(start, hours, working, expected):
    result = due_at(start, hours, working, SP)
    assert result == expected
    assert result.tzinfo is UTC


def test_state_holiday_only_counts_in_its_state():
    assert due_at(sp("2026-07-08", 10), 48, True, RJ) == sp("2026-07-10", 10)


def test_sao_paulo_has_no_daylight_saving_any_more():
    # Brazil ended DST in 2019; early November used to be the change.
    offsets = {sp(f"2026-{month:02d}-15").utcoffset() for month in range(1, 13)}
    assert offsets == {timedelta(hours=-3)}
    assert due_at(sp("2026-10-30", 12), 72, True, SP) == sp("2026-11-05", 12)


def test_calendar_hours_are_real_elapsed_time_across_a_dst_change():
    # Europe/Prague springs forward on 2026-03-29: 24 hours later the wall clock shows one hour more.
    calendar = WorkCalendar("CZ", None, "Europe/Prague")
    start = datetime(2026, 3, 28, 12, 0, tzinfo=PRAGUE)
    assert due_at(start, 24, False, calendar) == datetime(2026, 3, 29, 13, 0, tzinfo=PRAGUE)
    friday, monday = datetime(2026, 3, 27, 12, tzinfo=PRAGUE), datetime(2026, 3, 30, 12, tzinfo=PRAGUE)
    assert working_time_between(friday, monday, calendar) == timedelta(hours=24)


@pytest.mark.parametrize("hours", [1, 24, 48, 100])
def test_working_time_between_undoes_due_at(hours):
    start = sp("2026-11-16")
    for step in range(0, 24 * 14, 5):  # every 5 hours over two weeks, holidays and weekends included
        moment = start + timedelta(hours=step)
        due = due_at(moment, hours, True, SP)
        assert working_time_between(moment, due, SP) == timedelta(hours=hours), moment
        if SP.is_working_day(moment):
            assert add_working_time(due, -timedelta(hours=hours), SP) == moment, moment


@pytest.mark.parametrize("start, end, expected", [
    (sp("2026-11-06", 10), sp("2026-11-09", 10), timedelta(hours=24)),
    (sp("2026-11-07", 10), sp("2026-11-08", 10), timedelta(0)),
    (sp("2026-11-19", 12), sp("2026-11-23", 12), timedelta(hours=24)),
    (sp("2026-11-09", 12), sp("2026-11-06", 12), -timedelta(hours=24)),
])
def test_working_time_between(start, end, expected):
    assert working_time_between(start, end, SP) == expected


def test_pause_over_a_weekend_does_not_consume_sla():
    opened = sp("2026-11-05", 10)                     # Thursday
    due = due_at(opened, 48, True, SP)
    assert due == sp("2026-11-09", 10)                # Thu 14 h + Fri 24 h + Mon 10 h
    left = remaining_after_pause(due, sp("2026-11-06", 10), SP, True)
    assert left == timedelta(hours=24)                # Fri 14 h + Mon 10 h
    assert resume(left, sp("2026-11-09", 15), SP, True) == sp("2026-11-10", 15)


def test_pause_in_calendar_mode_stops_the_clock():
    opened = sp("2026-11-06", 10)
    due = due_at(opened, 24, False, SP)
    left = remaining_after_pause(due, opened + timedelta(hours=2), SP, False)
    assert left == timedelta(hours=22)
    assert resume(left, sp("2026-11-09", 8), SP, False) == sp("2026-11-10", 6)


def test_pause_on_a_weekend_keeps_the_whole_remainder():
    due = due_at(sp("2026-11-07", 9), 48, True, SP)
    left = remaining_after_pause(due, sp("2026-11-08", 9), SP, True)
    assert left == timedelta(hours=48)
    assert resume(left, sp("2026-11-11", 6), SP, True) == sp("2026-11-13", 6)


@pytest.mark.parametrize("working, resumed, expected", [
    (True, sp("2026-11-10", 1), sp("2026-11-09", 23)),
    (True, sp("2026-11-14", 10), sp("2026-11-13", 22)),   # resumed on Saturday: still 2 working hours late
    (False, sp("2026-11-14", 10), sp("2026-11-14", 8)),
])
def test_an_overdue_ticket_stays_as_overdue_across_a_pause(working, resumed, expected):
    due = sp("2026-11-09", 10)
    left = remaining_after_pause(due, sp("2026-11-09", 12), SP, working)
    assert left == -timedelta(hours=2)
    assert resume(left, resumed, SP, working) == expected


@pytest.mark.parametrize("call", [
    lambda: due_at(datetime(2026, 11, 9, 10), 24, True, SP),
    lambda: due_at(sp("2026-11-09"), -1, True, SP),
    lambda: days_pending(datetime(2026, 11, 9), sp("2026-11-09"), SP_TZ),
    lambda: remaining_after_pause(sp("2026-11-09"), datetime(2026, 11, 9), SP, True),
])
def test_naive_datetimes_and_negative_hours_are_refused(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize("open_since, now, expected", [
    (sp("2026-11-09", 8), sp("2026-11-09", 8), 0),
    (sp("2026-11-09", 8), sp("2026-11-09", 23, 59, 59), 0),
    (sp("2026-11-09", 23, 59), sp("2026-11-10", 0), 1),     # local midnight starts day two
    (sp("2026-11-09", 0), sp("2026-11-10", 23, 59), 1),
    (sp("2026-11-06", 12), sp("2026-11-09", 12), 3),        # calendar days: the weekend counts
    (sp("2026-11-09", 8), sp("2026-11-08", 8), 0),          # clock skew never goes negative
    # 23:30 in São Paulo is already the next day in UTC; the store's day is what counts.
    (sp("2026-11-09", 8), sp("2026-11-09", 23, 30).astimezone(UTC), 0),
])
def test_days_pending(open_since, now, expected):
    assert days_pending(open_since, now, "America/Sao_Paulo") == expected
    assert days_pending(open_since, now, SP_TZ) == expected


DUE = sp("2026-11-11", 10)


@pytest.mark.parametrize("open_since, due, now, expected", [
    (sp("2026-11-09", 10), DUE, sp("2026-11-09", 23, 59, 59), Situation.pending),
    (sp("2026-11-09", 10), DUE, sp("2026-11-10", 0), Situation.priority),
    (sp("2026-11-09", 10), DUE, DUE, Situation.priority),                       # due now is not late yet
    (sp("2026-11-09", 10), DUE, DUE + timedelta(microseconds=1), Situation.overdue),
    (sp("2026-11-09", 10), sp("2026-11-09", 12), sp("2026-11-09", 13), Situation.overdue),  # overdue first
    (sp("2026-11-09", 10), None, sp("2026-12-09", 10), Situation.priority),
    (sp("2026-11-09", 23), DUE, sp("2026-11-09", 23, 30).astimezone(UTC), Situation.pending),
])
def test_situation(open_since, due, now, expected):
    assert situation(open_since, due, now, SP_TZ) is expected


@pytest.mark.parametrize("member, label, css", [
    (Situation.pending, "Pending", "situation--pending"),
    (Situation.priority, "PRIORITY", "situation--priority"),
    (Situation.overdue, "Overdue", "situation--overdue"),
])
def test_situation_labels_and_classes(member, label, css):
    assert str(member.label) == label
    assert member.css_class == css
    assert member == member.value
