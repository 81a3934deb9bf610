"""The dashboard's daily rollups: the counts of each settled store-local day, summed instead of recounted.

A day is settled two days after it ended in the store's zone. Its counts (tickets received, first responses and
those within the channel's SLA, closings, escalations, survey answers and the satisfied ones) are stored per
channel in `kpi_days`, in total and per agent and per reason, by the first report or the worker that needs them,
together with a "done" row for the day; the day's median and p90 first response are stored per channel on its
total row and over every channel on the "done" row. The days not yet settled are counted from the tickets each time, by
the same statement. Any change to what a stored day counted (a ticket, closing, escalation or answer dated on
it, a ticket's reason or channel, a channel's SLA, the store's time zone) deletes the day's rows in the same
transaction, and the next report rolls it up again (docs/kpis.md, "Daily rollups").
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from huey import crontab
from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    delete,
    event,
    func,
    inspect,
    literal,
    null,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..core.queue import app_context, periodic_task
from ..extensions import db
from ..models import Channel, KpiDay, StoreSettings, Ticket, TicketEvent, TicketSurvey
from ..models.base import UTCDateTime, utcnow
from ..models.kpis import AGENT, DONE, REASON, TOTAL
from ..tickets import sla
from .period import percentile_select, postgres

T = Ticket.__table__
E = TicketEvent.__table__
S = TicketSurvey.__table__
C = Channel.__table__
K = KpiDay.__table__

COUNTS = ("received", "answered", "within_sla", "closings", "escalations", "csat_answers", "csat_satisfied")
TIMES = ("fr_median", "fr_p90")  # a stored day's first-response percentiles
SETTLED_AFTER = timedelta(days=2)  # a day is stored once the day after it is over, too
ROLLED_KINDS = ("closed", "escalated")
KEEP_DAYS = 400  # the worker keeps this many past days rolled up
ANALYZE_AFTER = 30  # days stored at once


def settled_until(calendar: sla.WorkCalendar, now: datetime | None = None) -> date:
    """The last store-local day that is settled (stored rather than counted)."""
    return calendar.local_date(now or utcnow()) - SETTLED_AFTER


def days_table(days: list[date], calendar: sla.WorkCalendar):
    """The days as rows (day, lo, hi): each local day with the UTC instants of its midnight and the next.

    A UNION ALL of one-row selects: SQLite knows no column names on a VALUES list.
    """
    rows = [select(literal(day, Date).label("day"),
                   literal(calendar.day_start(day), UTCDateTime()).label("lo"),
                   literal(calendar.day_start(day + timedelta(days=1)), UTCDateTime()).label("hi"))
            for day in days]
    return union_all(*rows).subquery("days") if len(rows) > 1 else rows[0].subquery("days")


def _row(day, channel, dim: str, dim_id, **figures):
    zero, none = literal(0, Integer), cast(null(), Integer)
    return (day.label("day"), channel.label("channel_id"), literal(dim, String).label("dim"),
            dim_id.label("dim_id"), *(figures.get(name, zero).label(name) for name in COUNTS),
            *(figures.get(name, none).label(name) for name in TIMES))


def _ones(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True)
class Days:
    """How `counted` finds a row's local day: by joining a days_table, or by converting to the zone in SQL."""
    table: object = None
    lo: datetime | None = None
    hi: datetime | None = None
    zone: str = "UTC"

    def source(self, col):
        if self.table is None:
            return col.table
        return self.table.join(col.table, and_(col >= self.table.c.lo, col < self.table.c.hi))

    def within(self, col):
        return and_(col >= self.lo, col < self.hi) if self.table is None else true()

    def of(self, col):
        return cast(func.timezone(self.zone, col), Date) if self.table is None else self.table.c.day


def listed(days: list[date], calendar: sla.WorkCalendar) -> Days:
    return Days(table=days_table(days, calendar))


def ranged(start: date, end: date, calendar: sla.WorkCalendar) -> Days:
    """The days from `start` to `end` as one range of instants, the day read in SQL (PostgreSQL only)."""
    return Days(lo=calendar.day_start(start), hi=calendar.day_start(end + timedelta(days=1)), zone=str(calendar.tz))


def counted(by: Days, dims: tuple[str, ...] = (TOTAL, AGENT, REASON)) -> list:
    """Selects of the days' counts of `dims` from the tickets: rows (day, channel_id, dim, dim_id, counts…)."""
    none = literal(0, Integer)

    def keys(dim_id):
        return () if dim_id is none else (dim_id,)

    created = by.of(T.c.created_at)

    def received():
        return select(*_row(created, T.c.channel_id, TOTAL, none, received=func.count())).select_from(
            by.source(T.c.created_at)).where(by.within(T.c.created_at)).group_by(created, T.c.channel_id)

    def per_reason():
        reason = func.coalesce(T.c.reason_id, 0)
        return select(*_row(created, T.c.channel_id, REASON, reason, received=func.count())).select_from(
            by.source(T.c.created_at)).where(by.within(T.c.created_at)).group_by(created, T.c.channel_id, reason)

    answered = by.of(T.c.first_response_at)

    def answers(dim: str, dim_id):
        within = _ones(T.c.first_response_seconds <= C.c.sla_hours * 3600)
        return select(*_row(answered, T.c.channel_id, dim, dim_id, answered=func.count(), within_sla=within)
                      ).select_from(by.source(T.c.first_response_at).join(C, C.c.id == T.c.channel_id)).where(
            by.within(T.c.first_response_at), T.c.first_response_seconds.is_not(None)).group_by(
            answered, T.c.channel_id, *keys(dim_id))

    responder = func.coalesce(T.c.first_response_by_id, 0)
    happened = by.of(E.c.created_at)
    events = by.source(E.c.created_at).join(T, T.c.id == E.c.ticket_id)

    def closings():
        return select(*_row(happened, T.c.channel_id, TOTAL, none, closings=_ones(E.c.kind == "closed"),
                            escalations=_ones(E.c.kind == "escalated"))).select_from(events).where(
            by.within(E.c.created_at), E.c.kind.in_(ROLLED_KINDS)).group_by(happened, T.c.channel_id)

    def per_actor():
        actor = func.coalesce(E.c.actor_id, 0)
        return select(*_row(happened, T.c.channel_id, AGENT, actor, closings=func.count())).select_from(
            events).where(by.within(E.c.created_at), E.c.kind == "closed").group_by(happened, T.c.channel_id, actor)

    rated = by.of(S.c.answered_at)

    def csat(dim: str, dim_id):
        return select(*_row(rated, S.c.channel_id, dim, dim_id, csat_answers=func.count(),
                            csat_satisfied=_ones(S.c.rating >= 4))).select_from(by.source(S.c.answered_at)).where(
            by.within(S.c.answered_at), S.c.rating.is_not(None)).group_by(rated, S.c.channel_id, *keys(dim_id))

    builders = {TOTAL: lambda: [received(), answers(TOTAL, none), closings(), csat(TOTAL, none)],
                AGENT: lambda: [answers(AGENT, responder), per_actor(), csat(AGENT, func.coalesce(S.c.agent_id, 0))],
                REASON: lambda: [per_reason(), csat(REASON, func.coalesce(S.c.reason_id, 0))]}
    return [part for dim in dims for part in builders[dim]()]


def _merged(selects, *, times: bool = False):
    """One row per (day, channel, dim, dim_id), the counts of the selects added up (and the percentiles, if `times`).

    Only one select gives a row's percentiles, so their max is that select's value.
    """
    rows = union_all(*selects).subquery("counted")
    keys = (rows.c.day, rows.c.channel_id, rows.c.dim, rows.c.dim_id)
    return select(*keys, *(func.sum(rows.c[name]).label(name) for name in COUNTS),
                  *(func.max(rows.c[name]).label(name) for name in (TIMES if times else ()))).group_by(*keys)


def _percentiles(by: Days, *, per_channel: bool):
    """Each day's median and p90 first response by nearest rank: per channel on its total row, else on the
    "done" row with the day's answered tickets of every channel."""
    value, zero = T.c.first_response_seconds, literal(0, Integer)
    groups = [by.of(T.c.first_response_at).label("day")]
    if per_channel:
        groups.append(T.c.channel_id.label("channel_id"))
    stats = percentile_select(groups, value, source=by.source(T.c.first_response_at),
                              where=(by.within(T.c.first_response_at), value.is_not(None))).subquery("stats")
    if per_channel:
        return select(*_row(stats.c.day, stats.c.channel_id, TOTAL, zero, fr_median=stats.c.median,
                            fr_p90=stats.c.p90))
    return select(*_row(stats.c.day, zero, DONE, zero, answered=stats.c.n, fr_median=stats.c.median,
                        fr_p90=stats.c.p90))


def _insert_ignoring_duplicates():
    """INSERT … ON CONFLICT DO NOTHING: two reports rolling up the same day at once store it once."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return pg_insert(K).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite_insert(K).on_conflict_do_nothing()
    return K.insert()


def roll_up(days: Iterable[date], calendar: sla.WorkCalendar, *, now: datetime | None = None) -> list[date]:
    """Store the settled days among `days` that are not stored yet, in one statement; return the days stored.

    The caller commits (the report's view, the worker), so that the stored days outlive the request.
    """
    last = settled_until(calendar, now)
    wanted = sorted({day for day in days if day <= last})
    if not wanted:
        return []
    stored = set(db.session.scalars(select(K.c.day).where(
        K.c.dim == DONE, K.c.day >= wanted[0], K.c.day <= wanted[-1])))
    missing = [day for day in wanted if day not in stored]
    if not missing:
        return []
    by = listed(missing, calendar)
    done = select(*_row(by.table.c.day, literal(0, Integer), DONE, literal(0, Integer)))
    columns = ["day", "channel_id", "dim", "dim_id", *COUNTS, *TIMES]
    parts = [*counted(by), _percentiles(by, per_channel=True), _percentiles(by, per_channel=False), done]
    db.session.execute(_insert_ignoring_duplicates().from_select(columns, _merged(parts, times=True)))
    if len(missing) > ANALYZE_AFTER and postgres():
        db.session.execute(text("ANALYZE kpi_days"))  # the planner learns the table's new size at once
    return missing


def facts(period, dim: str):
    """The period's rows of `dim` (day, channel_id, dim, dim_id, counts…): the stored days, and the rest counted."""
    last = settled_until(period.calendar)
    stored_days = [day for day in period.days if day <= last]
    live_days = [day for day in period.days if day > last]
    parts = []
    if stored_days:
        parts.append(select(*(K.c[name] for name in ("day", "channel_id", "dim", "dim_id", *COUNTS))).where(
            K.c.dim == dim, K.c.day >= stored_days[0], K.c.day <= stored_days[-1]))
    if live_days:
        by = ranged(live_days[0], live_days[-1], period.calendar) if postgres() else listed(live_days, period.calendar)
        parts.append(_merged(counted(by, (dim,))))
    return union_all(*parts) if len(parts) > 1 else parts[0]


def forget(days: Iterable[date] | None = None) -> None:
    """Delete the stored rows of `days` (all of them with None); the next report rolls them up again."""
    statement = delete(K)
    if days is not None:
        days = sorted(set(days))
        if not days:
            return
        statement = statement.where(K.c.day.in_(days))
    db.session.execute(statement)


def _around(moment: datetime | None) -> set[date]:
    """The local days an instant may fall on in any time zone: its UTC date and the days either side."""
    if moment is None:
        return set()
    day = moment.date()
    return {day - timedelta(days=1), day, day + timedelta(days=1)}


def _history(obj, name: str) -> tuple[bool, list]:
    history = inspect(obj).attrs[name].history
    return history.has_changes(), [*history.added, *history.deleted]


def _moved(obj, when: str, *others: str) -> set[date]:
    """The days of `when` (now and before the flush) when `when` or one of `others` changed; none otherwise."""
    changed, moments = _history(obj, when)
    if not (changed or any(_history(obj, name)[0] for name in others)):
        return set()
    days = _around(getattr(obj, when))
    for moment in moments:
        days |= _around(moment)
    return days


def _touched(session: Session) -> tuple[set[date], bool]:
    """The days whose stored counts the flush changed, and whether every day must go."""
    days: set[date] = set()
    for obj in session.new:
        if isinstance(obj, Ticket):
            days |= _around(obj.created_at) | _around(obj.first_response_at)
        elif isinstance(obj, TicketEvent) and obj.kind in ROLLED_KINDS:
            days |= _around(obj.created_at)
        elif isinstance(obj, TicketSurvey):
            days |= _around(obj.answered_at)
    for obj in session.dirty:
        if isinstance(obj, Ticket):
            if _history(obj, "channel_id")[0]:
                return days, True
            days |= _moved(obj, "created_at", "reason_id")
            days |= _moved(obj, "first_response_at", "first_response_seconds", "first_response_by_id")
        elif isinstance(obj, TicketSurvey):
            days |= _moved(obj, "answered_at", "rating", "agent_id", "reason_id", "channel_id")
        elif (isinstance(obj, Channel) and _history(obj, "sla_hours")[0]) or (
                isinstance(obj, StoreSettings) and _history(obj, "timezone")[0]):
            return days, True
    for obj in session.deleted:
        if isinstance(obj, Ticket | TicketEvent | Channel):
            return days, True
        if isinstance(obj, TicketSurvey):
            days |= _around(obj.answered_at)
    return days, False


@event.listens_for(Session, "after_flush")
def _forget_changed_days(session: Session, _context) -> None:
    days, everything = _touched(session)
    if everything:
        session.connection().execute(delete(K))
    elif days:
        session.connection().execute(delete(K).where(K.c.day.in_(sorted(days))))


@periodic_task(crontab(minute="17"), name="roll_up_kpis", every=timedelta(hours=1))
def roll_up_kpis() -> int:
    """Keep the past KEEP_DAYS settled days stored, so that no report waits for them."""
    with app_context():
        calendar = sla.WorkCalendar.for_store(StoreSettings.get())
        last = settled_until(calendar)
        stored = roll_up([last - timedelta(days=n) for n in range(KEEP_DAYS)], calendar)
        db.session.commit()
        return len(stored)
