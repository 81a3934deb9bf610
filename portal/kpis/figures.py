"""The dashboard's figures, each counted in SQL over the whole period (docs/kpis.md defines every one).

The counts come from the daily rollups (`rollup.py`): the stored settled days and the recent days counted from
the tickets, in one statement for every table of the report. The response percentiles read every answered
ticket of the period, in one statement on PostgreSQL. Working time is what the ticket verbs stored with the
first response (the SLA calendar when the channel counts working days).
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, case, distinct, func, literal, select

from ..extensions import db
from ..models import DeflectionOutcome, HelpDeflection, Order, TicketReason, TicketStatus, User
from ..models.base import utcnow
from ..models.kpis import AGENT, REASON, TOTAL
from ..tickets import sla
from . import rollup
from .period import C, E, Period, T, parse_period, store_calendar
from .period import between as _between
from .period import in_channels as _in_channels
from .responses import EMPTY, Responses, responses

__all__ = ["BACKLOG_BUCKETS", "Period", "Report", "daily", "deflection_per_reason", "parse_period", "per_agent",
           "per_channel", "per_reason", "report", "store_calendar", "summary"]

BACKLOG_BUCKETS = ("0-1", "1-2", "2-5", "5+")
BACKLOG_LIMITS = (1, 2, 5)  # working days


@dataclass
class Counts:
    """The period's summed counts: {name: value} in total, and per channel, agent, reason and day."""
    total: dict[str, int]
    channels: dict[int, dict[str, int]]
    agents: dict[int, dict[str, int]]
    reasons: dict[int | None, dict[str, int]]
    days: dict[date, dict[str, int]]


def tally(period: Period) -> Counts:
    """Every count of the report from the period's facts (rollup.facts), in one statement."""
    rollup.roll_up(period.days, period.calendar)
    totals = rollup.facts(period, TOTAL).cte("totals")
    zero = literal(0, Integer)

    def part(kind: str, key, day, rows, *group):
        sums = [func.coalesce(func.sum(rows.c[name]), 0).label(name) for name in rollup.COUNTS]
        return select(literal(kind, String).label("kind"), key.label("k"), day.label("d"), *sums).where(
            _in_channels(period, rows.c.channel_id)).group_by(*group)

    agents = rollup.facts(period, AGENT).subquery("agents")
    reasons = rollup.facts(period, REASON).subquery("reasons")
    query = part("total", zero, func.min(totals.c.day), totals).union_all(
        part("channel", totals.c.channel_id, func.min(totals.c.day), totals, totals.c.channel_id),
        part("agent", agents.c.dim_id, func.min(agents.c.day), agents, agents.c.dim_id),
        part("reason", reasons.c.dim_id, func.min(reasons.c.day), reasons, reasons.c.dim_id),
        part("day", zero, totals.c.day, totals, totals.c.day))
    result = Counts(dict.fromkeys(rollup.COUNTS, 0), {}, {}, {}, {})
    for row in db.session.execute(query):
        values = {name: int(row._mapping[name]) for name in rollup.COUNTS}
        if row.kind == "total":
            result.total = values
        elif row.kind == "channel":
            result.channels[row.k] = values
        elif row.kind == "agent":
            result.agents[row.k] = values
        elif row.kind == "reason":
            result.reasons[row.k or None] = values
        else:
            result.days[row.d] = values
    return result


def _closings(period: Period) -> tuple[int, int]:
    """Distinct tickets reopened in the period, and closings that closed a ticket closed before in the period.

    A ticket closed twice in the period left the closed state in between: by a reopening or a status change,
    both events of the period. So only the tickets with such an event are read, however long the period.
    """
    def events(*kinds):
        return select(E.c.ticket_id).select_from(E.join(T, T.c.id == E.c.ticket_id)).where(
            E.c.kind.in_(kinds), _between(E.c.created_at, period), _in_channels(period, T.c.channel_id))

    again = select(E.c.ticket_id, (func.count() - 1).label("extra")).where(
        E.c.kind == "closed", _between(E.c.created_at, period),
        E.c.ticket_id.in_(events("reopened", "status_changed"))).group_by(E.c.ticket_id).subquery("again")
    reopened = events("reopened").with_only_columns(func.count(distinct(E.c.ticket_id))).scalar_subquery()
    repeated = select(func.coalesce(func.sum(again.c.extra), 0)).scalar_subquery()
    row = db.session.execute(select(reopened, repeated)).one()
    return int(row[0] or 0), int(row[1] or 0)


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


def summary(period: Period, *, found: Counts | None = None, times: Responses | None = None) -> Summary:
    found = found or tally(period)
    times = times or responses(period)
    total = found.total
    reopened, repeated = _closings(period)
    closed_tickets = total["closings"] - repeated
    _n, median, p90 = times.total
    return Summary(
        received=total["received"], answered=total["answered"], closed=total["closings"],
        first_response_median=median, first_response_p90=p90,
        within_sla=total["within_sla"], within_sla_pct=_pct(total["within_sla"], total["answered"]),
        reopened=reopened, closed_tickets=closed_tickets, reopen_rate=_pct(reopened, closed_tickets),
        escalations=total["escalations"], csat_answers=total["csat_answers"],
        csat_satisfied=total["csat_satisfied"], csat_pct=_pct(total["csat_satisfied"], total["csat_answers"]),
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


def per_channel(period: Period, *, found: Counts | None = None, times: Responses | None = None) -> list[ChannelRow]:
    """Answered, % within the channel's SLA, median first response and CSAT, per channel of the period."""
    found = found or tally(period)
    times = times or responses(period)
    channels = db.session.execute(select(C.c.id, C.c.code, C.c.name, C.c.sla_hours).where(
        _in_channels(period, C.c.id)).order_by(C.c.name)).all()
    result = []
    for channel_id, code, name, hours in channels:
        row = found.channels.get(channel_id, {})
        count, within = row.get("answered", 0), row.get("within_sla", 0)
        answers, satisfied = row.get("csat_answers", 0), row.get("csat_satisfied", 0)
        if not count and not answers and not period.channel_ids:
            continue
        result.append(ChannelRow(code, name, hours, count, within, _pct(within, count),
                                 times.channels.get(channel_id, EMPTY)[1], answers, _pct(satisfied, answers)))
    return result


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
    bucket = case((T.c.created_at > one, "0-1"), (T.c.created_at > two, "1-2"),
                  (T.c.created_at > five, "2-5"), else_="5+")
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


def per_reason(period: Period, *, found: Counts | None = None) -> list[ReasonRow]:
    found = found or tally(period)
    rows = {reason_id: row for reason_id, row in found.reasons.items() if row["received"] or row["csat_answers"]}
    reasons = {reason.id: reason for reason in db.session.scalars(
        select(TicketReason).where(TicketReason.id.in_([i for i in rows if i is not None])))}
    result = []
    for reason_id in sorted(rows, key=lambda i: (-rows[i]["received"], i or 0)):
        reason = reasons.get(reason_id)
        row = rows[reason_id]
        result.append(ReasonRow(reason.shown_label if reason else str(_l("No reason")), row["received"],
                                row["csat_answers"], _pct(row["csat_satisfied"], row["csat_answers"])))
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


def per_agent(period: Period, *, only: int | None = None, counts: dict | None = None,
              found: Counts | None = None, times: Responses | None = None) -> list[AgentRow]:
    """First responses (and their median), closings, assigned backlog and CSAT per staff member."""
    found = found or tally(period)
    times = times or responses(period, found.agents)
    backlog_counts = open_now(period) if counts is None else counts
    assigned: dict[int, int] = {}
    for (_bucket, assignee), n in backlog_counts.items():
        if assignee is not None:
            assigned[assignee] = assigned.get(assignee, 0) + n
    ids = {i for i in (set(found.agents) | set(assigned)) if i}
    if only is not None:
        ids = {only}
    staff = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}
    result = []
    for user_id in ids:
        user = staff.get(user_id)
        if user is None or not user.is_staff:
            continue
        row = found.agents.get(user_id, {})
        answers, satisfied = row.get("csat_answers", 0), row.get("csat_satisfied", 0)
        result.append(AgentRow(user_id, user.display_name, row.get("answered", 0),
                               times.agents.get(user_id, EMPTY)[1], row.get("closings", 0),
                               int(assigned.get(user_id, 0)), answers, _pct(satisfied, answers)))
    return sorted(result, key=lambda row: (-row.first_responses, row.name))


@dataclass
class DayRow:
    day: date
    received: int
    closed: int
    median: int | None


def daily(period: Period, *, found: Counts | None = None, times: Responses | None = None) -> list[DayRow]:
    """Received and closed per local day, and the day's median first response."""
    found = found or tally(period)
    times = times or responses(period)
    return [DayRow(day, found.days.get(day, {}).get("received", 0), found.days.get(day, {}).get("closings", 0),
                   times.days.get(day, EMPTY)[1]) for day in period.days]


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
    found, counts = tally(period), open_now(period)
    times = responses(period, found.agents)
    agents = per_agent(period, only=None if every_agent else agent_id, counts=counts, found=found, times=times)
    own = next((row for row in agents if row.user_id == agent_id), None) if agent_id is not None else None
    return Report(period, summary(period, found=found, times=times), backlog(period, counts=counts),
                  per_channel(period, found=found, times=times), agents, per_reason(period, found=found),
                  daily(period, found=found, times=times), own,
                  backlog(period, agent_id=agent_id, counts=counts) if agent_id is not None else None)
