"""The KPI period: the store's local days, the channels, and the SQL pieces every figure shares.

A period is a range of the store's local days, both ends included, read as the UTC instants of their
midnights. Percentiles are nearest rank (the median of 4 values is the 2nd): PostgreSQL's percentile_disc,
elsewhere the same rank read from window functions, so that SQLite and PostgreSQL give the same numbers.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select, true

from ..core.errors import ValidationError
from ..extensions import db
from ..models import Channel, StoreSettings, Ticket, TicketEvent, TicketSurvey
from ..models.base import utcnow
from ..tickets import sla

MAX_DAYS = 366
DEFAULT_DAYS = 30

T = Ticket.__table__
E = TicketEvent.__table__
S = TicketSurvey.__table__
C = Channel.__table__


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included
    channel_ids: tuple[int, ...] = ()
    calendar: sla.WorkCalendar = field(compare=False, default=None)

    @property
    def lo(self) -> datetime:
        return self.calendar.day_start(self.start)

    @property
    def hi(self) -> datetime:
        return self.calendar.day_start(self.end + timedelta(days=1))

    @cached_property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def store_calendar() -> sla.WorkCalendar:
    return sla.WorkCalendar.for_store(StoreSettings.get())


def _day(raw, name: str) -> date | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(_l("Write the date as YYYY-MM-DD."), field=name) from exc


def parse_period(raw_from, raw_to, channel_codes=(), *, today: date | None = None) -> Period:
    """Build the period from the query's dates and channel codes; a bad value raises ValidationError naming it."""
    calendar = store_calendar()
    today = today or calendar.local_date(utcnow())
    end = _day(raw_to, "to") or today
    start = _day(raw_from, "from") or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ValidationError(_l("The start date must not be after the end date."), field="from")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError(_l("Choose a period of at most %(days)d days.", days=MAX_DAYS), field="from")
    codes = sorted({str(code).strip() for code in channel_codes if str(code).strip()})
    ids: tuple[int, ...] = ()
    if codes:
        found = dict(db.session.execute(select(Channel.code, Channel.id).where(Channel.code.in_(codes))).all())
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError(_l("There is no channel %(code)s.", code=unknown[0][:50]), field="channel")
        ids = tuple(sorted(found.values()))
    return Period(start, end, ids, calendar)


def in_channels(period: Period, col):
    return col.in_(period.channel_ids) if period.channel_ids else true()


def between(col, period: Period):
    return and_(col >= period.lo, col < period.hi)


def count(query) -> int:
    return int(db.session.scalar(query) or 0)


def postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def percentile_select(groups: list, value, *, source=None, where=()):
    """Select (*groups, n, median, p90) of `value` per group by nearest rank; `groups` are labelled columns.

    PostgreSQL's percentile_disc is nearest rank (the first value at or past the fraction); elsewhere the same
    rank is read from window functions.
    """
    if postgres():
        query = select(*groups, func.count().label("n"), func.percentile_disc(0.5).within_group(value).label("median"),
                       func.percentile_disc(0.9).within_group(value).label("p90"))
        query = query if source is None else query.select_from(source)
        return query.where(*where).group_by(*groups)
    keys = [group.element for group in groups]
    inner = select(*groups, value.label("v"), func.row_number().over(partition_by=keys, order_by=value).label("rn"),
                   func.count().over(partition_by=keys).label("n"))
    inner = (inner if source is None else inner.select_from(source)).where(*where).subquery()
    outer = [inner.c[group.name] for group in groups]
    return select(*outer, inner.c.n,
                  func.max(case((inner.c.rn == (inner.c.n + 1) // 2, inner.c.v))).label("median"),
                  func.max(case((inner.c.rn == (inner.c.n * 9 + 9) // 10, inner.c.v))).label("p90")
                  ).group_by(*outer, inner.c.n)


def percentile_rows(base, group, value):
    """Return {group: (n, median, p90)} for the rows of `base` (a where-clause) by nearest rank."""
    query = percentile_select([group.label("g")], value, where=base)
    return {row[0]: (int(row[1]), row[2], row[3]) for row in db.session.execute(query)}
