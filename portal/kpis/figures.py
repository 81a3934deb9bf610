"""The dashboard's figures, each counted in SQL over the whole period (docs/kpis.md defines every one).

Working time is what the ticket verbs stored with the first response (the SLA calendar when the channel
counts working days).
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, and_, case, distinct, func, literal, select, true, union_all

from ..extensions import db
from ..models import DeflectionOutcome, HelpDeflection, Order, TicketReason, TicketStatus, User
from ..models.base import UTCDateTime, utcnow
from ..tickets import sla
from .period import C, E, Period, S, T, parse_period, postgres, store_calendar
from .period import between as _between
from .period import count as _count
from .period import in_channels as _in_channels
from .period import percentile_rows as _percentile_rows

__all__ = ["BACKLOG_BUCKETS", "Period", "Report", "daily", "deflection_per_reason", "parse_period", "per_agent",
           "per_channel", "per_reason", "report", "store_calendar", "summary"]

BACKLOG_BUCKETS = ("0-1", "1-2", "2-5", "5+")
BACKLOG_LIMITS = (1, 2, 5)  # working days


def _answered(period: Period):
    return [_between(T.c.first_response_at, period), _in_channels(period, T.c.channel_id),
            T.c.first_response_seconds.is_not(None)]


def _events(period: Period, kind: str):
    return select(E.c.id).select_from(E.join(T, T.c.id == E.c.ticket_id)).where(
        E.c.kind == kind, _between(E.c.created_at, period), _in_channels(period, T.c.channel_id))


@dataclass
class Summary:
    received: int
    answered: int
    closed: int
    first_response_median: int | None
    first_response_p90: int | None
    within_sla: int
    within_sla_pct: float | None
    reopened: int
    closed_tickets: int
    reopen_rate: float | None
    escalations: int
    csat_answers: int
    csat_satisfied: int
    csat_pct: float | None


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def summary(period: Period) -> Summary:
    received = _count(select(func.count()).select_from(T).where(
        _between(T.c.created_at, period), _in_channels(period, T.c.channel_id)))
    answered_sla = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case(
            (T.c.first_response_seconds <= C.c.sla_hours * 3600, 1), else_=0)), 0))
        .select_from(T.join(C, C.c.id == T.c.channel_id)).where(*_answered(period))).one()
    pct = _percentile_rows(_answered(period), literal(1, Integer), T.c.first_response_seconds).get(1)
    closed, closed_tickets, reopened, escalations = (int(value or 0) for value in db.session.execute(
        select(func.count().filter(E.c.kind == "closed"),
               func.count(distinct(E.c.ticket_id)).filter(E.c.kind == "closed"),
               func.count(distinct(E.c.ticket_id)).filter(E.c.kind == "reopened"),
               func.count().filter(E.c.kind == "escalated"))
        .select_from(E.join(T, T.c.id == E.c.ticket_id))
        .where(E.c.kind.in_(("closed", "reopened", "escalated")), _between(E.c.created_at, period),
               _in_channels(period, T.c.channel_id))).one())
    csat = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((S.c.rating >= 4, 1), else_=0)), 0))
        .where(_between(S.c.answered_at, period), _in_channels(period, S.c.channel_id))).one()
    return Summary(
        received=received, answered=int(answered_sla[0]), closed=closed,
        first_response_median=pct[1] if pct else None, first_response_p90=pct[2] if pct else None,
        within_sla=int(answered_sla[1]), within_sla_pct=_pct(int(answered_sla[1]), int(answered_sla[0])),
        reopened=reopened, closed_tickets=closed_tickets, reopen_rate=_pct(reopened, closed_tickets),
        escalations=escalations, csat_answers=int(csat[0]), csat_satisfied=int(csat[1]),
        csat_pct=_pct(int(csat[1]), int(csat[0])),
    )


@dataclass
class ChannelRow:
    code: str
    name: str
    sla_hours: int
    answered: int
    within_sla: int
    within_sla_pct: float | None
    median: int | None
    csat_answers: int
    csat_pct: float | None


def per_channel(period: Period) -> list[ChannelRow]:
    """Answered, % within the channel's SLA, median first response and CSAT, per channel of the period."""
    rows = db.session.execute(
        select(T.c.channel_id, func.count(), func.coalesce(func.sum(case(
            (T.c.first_response_seconds <= C.c.sla_hours * 3600, 1), else_=0)), 0))
        .select_from(T.join(C, C.c.id == T.c.channel_id)).where(*_answered(period)).group_by(T.c.channel_id)).all()
    answered = {row[0]: (int(row[1]), int(row[2])) for row in rows}
    medians = _percentile_rows(_answered(period), T.c.channel_id, T.c.first_response_seconds)
    csat = _csat_by(period, S.c.channel_id)
    channels = db.session.execute(select(C.c.id, C.c.code, C.c.name, C.c.sla_hours).where(
        _in_channels(period, C.c.id)).order_by(C.c.name)).all()
    result = []
    for channel_id, code, name, hours in channels:
        count, within = answered.get(channel_id, (0, 0))
        answers, satisfied = csat.get(channel_id, (0, 0))
        if not count and not answers and not period.channel_ids:
            continue
        result.append(ChannelRow(code, name, hours, count, within, _pct(within, count),
                                 medians.get(channel_id, (0, None, None))[1], answers, _pct(satisfied, answers)))
    return result


def _csat_by(period: Period, group) -> dict:
    rows = db.session.execute(
        select(group, func.count(), func.coalesce(func.sum(case((S.c.rating >= 4, 1), else_=0)), 0))
        .where(_between(S.c.answered_at, period), _in_channels(period, S.c.channel_id)).group_by(group))
    return {row[0]: (int(row[1]), int(row[2])) for row in rows}


def working_days_ago(moment: datetime, days: int, calendar: sla.WorkCalendar) -> datetime:
    """Return the instant that lies `days` working days (of 24 h) before `moment`, by the store's calendar."""
    remaining = timedelta(days=days)
    cursor = moment.astimezone(UTC)
    day = calendar.local_date(cursor)
    for _step in range(3660):
        start = calendar.day_start(day)
        if calendar.is_working_day(day):
            segment = cursor - start
            if segment >= remaining:
                return cursor - remaining
            remaining -= segment
        cursor = start
        day -= timedelta(days=1)
    return cursor


def open_now(period: Period, *, now: datetime | None = None) -> dict[tuple[str, int | None], int]:
    """Count the tickets open or waiting now by age bucket and assignee, in one statement."""
    now = now or utcnow()
    one, two, five = (working_days_ago(now, days, period.calendar) for days in BACKLOG_LIMITS)
    bucket = case((T.c.created_at >= one, "0-1"), (T.c.created_at >= two, "1-2"),
                  (T.c.created_at >= five, "2-5"), else_="5+")
    rows = db.session.execute(
        select(bucket, T.c.assignee_id, func.count())
        .where(T.c.status.in_([TicketStatus.open.value, TicketStatus.waiting.value]),
               _in_channels(period, T.c.channel_id)).group_by(bucket, T.c.assignee_id))
    return {(name, assignee): int(count) for name, assignee, count in rows}


def backlog(period: Period, *, now: datetime | None = None, agent_id: int | None = None,
            counts: dict | None = None) -> dict[str, int]:
    """Open and waiting tickets now, by working days since they were received: 0-1, 1-2, 2-5, 5+."""
    counts = open_now(period, now=now) if counts is None else counts
    return {name: sum(n for (bucket, assignee), n in counts.items()
                      if bucket == name and (agent_id is None or assignee == agent_id)) for name in BACKLOG_BUCKETS}


@dataclass
class ReasonRow:
    label: str
    received: int
    csat_answers: int
    csat_pct: float | None


def per_reason(period: Period) -> list[ReasonRow]:
    rows = dict(db.session.execute(
        select(T.c.reason_id, func.count()).where(_between(T.c.created_at, period),
                                                  _in_channels(period, T.c.channel_id))
        .group_by(T.c.reason_id)).all())
    csat = _csat_by(period, S.c.reason_id)
    ids = set(rows) | set(csat)
    reasons = {reason.id: reason for reason in db.session.scalars(
        select(TicketReason).where(TicketReason.id.in_([i for i in ids if i is not None])))}
    result = []
    for reason_id in sorted(ids, key=lambda i: (-(rows.get(i, 0)), i or 0)):
        reason = reasons.get(reason_id)
        answers, satisfied = csat.get(reason_id, (0, 0))
        result.append(ReasonRow(reason.shown_label if reason else str(_l("No reason")), int(rows.get(reason_id, 0)),
                                answers, _pct(satisfied, answers)))
    return result


@dataclass
class DeflectionRow:
    label: str
    shown: int
    resolved: int
    needed_help: int
    rate: float | None  # resolved / shown, in percent


def deflection_per_reason(period: Period) -> list[DeflectionRow]:
    """Per reason, the help answers shown in the period and how many the shopper said solved it (one grouped query)."""
    H = HelpDeflection.__table__  # noqa: N806 - a table alias, as T and E are
    query = select(H.c.reason_id, func.count(), func.count().filter(H.c.outcome == DeflectionOutcome.resolved.value),
                   func.count().filter(H.c.outcome == DeflectionOutcome.needed_help.value)).where(
        _between(H.c.shown_at, period)).group_by(H.c.reason_id)
    if period.channel_ids:
        query = query.join(Order.__table__, Order.__table__.c.id == H.c.order_id).where(
            _in_channels(period, Order.__table__.c.channel_id))
    counts = {row[0]: tuple(int(n) for n in row[1:]) for row in db.session.execute(query)}
    reasons = {reason.id: reason for reason in db.session.scalars(
        select(TicketReason).where(TicketReason.id.in_([i for i in counts if i is not None])))} if counts else {}
    rows = [DeflectionRow(reasons[i].shown_label if i in reasons else str(_l("No reason")), shown, resolved, needed,
                          _pct(resolved, shown)) for i, (shown, resolved, needed) in counts.items()]
    return sorted(rows, key=lambda row: (-row.shown, row.label))


@dataclass
class AgentRow:
    user_id: int
    name: str
    first_responses: int
    median: int | None
    closed: int
    backlog: int
    csat_answers: int
    csat_pct: float | None


def per_agent(period: Period, *, only: int | None = None, counts: dict | None = None) -> list[AgentRow]:
    """First responses (and their median), closings, assigned backlog and CSAT per staff member."""
    medians = _percentile_rows(_answered(period), T.c.first_response_by_id, T.c.first_response_seconds)
    closed = dict(db.session.execute(
        _events(period, "closed").with_only_columns(E.c.actor_id, func.count()).group_by(E.c.actor_id)).all())
    counts = open_now(period) if counts is None else counts
    assigned: dict[int, int] = {}
    for (_bucket, assignee), n in counts.items():
        if assignee is not None:
            assigned[assignee] = assigned.get(assignee, 0) + n
    csat = _csat_by(period, S.c.agent_id)
    ids = {i for i in (set(medians) | set(closed) | set(assigned) | set(csat)) if i is not None}
    if only is not None:
        ids = {only}
    staff = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}
    result = []
    for user_id in ids:
        user = staff.get(user_id)
        if user is None or not user.is_staff:
            continue
        count, median, _p90 = medians.get(user_id, (0, None, None))
        answers, satisfied = csat.get(user_id, (0, 0))
        result.append(AgentRow(user_id, user.display_name, count, median, int(closed.get(user_id, 0)),
                               int(assigned.get(user_id, 0)), answers, _pct(satisfied, answers)))
    return sorted(result, key=lambda row: (-row.first_responses, row.name))


def _days_table(period: Period):
    """The period's local days as rows (day, lo, hi) in UTC, to group by the store's date.

    A UNION ALL of one-row selects: SQLite knows no column names on a VALUES list.
    """
    rows = [select(literal(day.isoformat(), String).label("day"),
                   literal(period.calendar.day_start(day), UTCDateTime()).label("lo"),
                   literal(period.calendar.day_start(day + timedelta(days=1)), UTCDateTime()).label("hi"))
            for day in period.days]
    return union_all(*rows).subquery("days") if len(rows) > 1 else rows[0].subquery("days")


@dataclass
class DayRow:
    day: date
    received: int
    closed: int
    median: int | None


def _per_day(period: Period, col, *where, value=None):
    """Group rows by the store's local date of `col`: {iso day: count} or, with `value`, {iso day: (n, median, p90)}.

    PostgreSQL converts to the store's zone itself; elsewhere the rows are joined to the period's days.
    """
    if postgres():
        day = func.to_char(func.timezone(str(period.calendar.tz), col), "YYYY-MM-DD")
        base = [_between(col, period), *where]
        if value is not None:
            return _percentile_rows(base, day, value)
        return dict(db.session.execute(select(day, func.count()).where(*base).group_by(day)).all())
    days = _days_table(period)
    joined = and_(col >= days.c.lo, col < days.c.hi)
    if value is not None:
        rows = select(days.c.day.label("day"), value.label("v")).select_from(days.join(col.table, joined)).where(
            *where).subquery()
        return _percentile_rows([true()], rows.c.day, rows.c.v)
    return dict(db.session.execute(select(days.c.day, func.count()).select_from(days.join(col.table, joined))
                                   .where(*where).group_by(days.c.day)).all())


def daily(period: Period) -> list[DayRow]:
    """Received and closed per local day, and the day's median first response."""
    received = _per_day(period, T.c.created_at, _in_channels(period, T.c.channel_id))
    closed_events = select(E.c.created_at, T.c.channel_id).select_from(E.join(T, T.c.id == E.c.ticket_id)).where(
        E.c.kind == "closed").subquery("closings")
    closed = _per_day(period, closed_events.c.created_at, _in_channels(period, closed_events.c.channel_id))
    medians = _per_day(period, T.c.first_response_at, _in_channels(period, T.c.channel_id),
                       T.c.first_response_seconds.is_not(None), value=T.c.first_response_seconds)
    return [DayRow(day, int(_lookup(received, day)), int(_lookup(closed, day)), _lookup(medians, day, (0, None))[1])
            for day in period.days]


def _lookup(table: dict, day: date, default=0):
    """Read a row keyed by the day's ISO text."""
    return table.get(day.isoformat(), default)


@dataclass
class Report:
    period: Period
    summary: Summary
    backlog: dict[str, int]
    channels: list[ChannelRow]
    agents: list[AgentRow]
    reasons: list[ReasonRow]
    daily: list[DayRow]
    own: AgentRow | None = None
    own_backlog: dict[str, int] | None = None


def report(period: Period, *, agent_id: int | None = None, every_agent: bool = True) -> Report:
    """Every figure of the period; `every_agent` False keeps only the agent's own row (an agent's view)."""
    counts = open_now(period)
    agents = per_agent(period, only=None if every_agent else agent_id, counts=counts)
    own = next((row for row in agents if row.user_id == agent_id), None) if agent_id is not None else None
    return Report(period, summary(period), backlog(period, counts=counts), per_channel(period), agents,
                  per_reason(period), daily(period), own,
                  backlog(period, agent_id=agent_id, counts=counts) if agent_id is not None else None)
