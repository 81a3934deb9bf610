"""The first-response percentiles of a KPI period, by nearest rank (docs/kpis.md, "How it is computed")."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, DateTime, Integer, String, and_, cast, exists, func, literal, select, true
from sqlalchemy.dialects.postgresql import ARRAY

from ..extensions import db
from ..models.kpis import DONE, TOTAL
from . import rollup
from .period import C, Period, T, postgres
from .period import between as _between
from .period import in_channels as _in_channels
from .period import percentile_rows as _percentile_rows
from .rollup import K


@dataclass
class Responses:
    """Answered tickets with their median and p90 first-response time: (n, median, p90) per group."""
    total: tuple[int, int | None, int | None]
    channels: dict[int, tuple]
    agents: dict[int | None, tuple]
    days: dict[date, tuple]


EMPTY = (0, None, None)


def _answered(period: Period):
    return [_between(T.c.first_response_at, period), _in_channels(period, T.c.channel_id),
            T.c.first_response_seconds.is_not(None)]


def responses(period: Period, agent_ids=None) -> Responses:
    """The response percentiles over every answered ticket of the period, by nearest rank.

    `agent_ids` are the staff whose medians are wanted (the period's responders, from the counts). PostgreSQL
    reads everything in one statement; elsewhere each grouping is one statement of window functions.
    """
    value = T.c.first_response_seconds
    if not postgres():
        return Responses(_percentile_rows(_answered(period), literal(1, Integer), value).get(1, EMPTY),
                         _percentile_rows(_answered(period), T.c.channel_id, value),
                         _percentile_rows(_answered(period), T.c.first_response_by_id, value),
                         _day_percentiles(period, value))
    return _pg_responses(period, sorted(agent_ids or ()))


def _pg_responses(period: Period, agent_ids: list[int]) -> Responses:
    """One statement: the period's percentiles, and per channel, agent and day each read from its own index range.

    Every group reads only its own answered tickets through an index that starts with the group's column
    (lateral subqueries), so no sort of the whole period by channel, agent or day is needed.
    """
    value = T.c.first_response_seconds
    zone = str(period.calendar.tz)

    def stats(*where):
        return select(func.count().label("n"), func.percentile_disc(0.5).within_group(value).label("median"),
                      func.percentile_disc(0.9).within_group(value).label("p90")).where(value.is_not(None), *where)

    in_period = _between(T.c.first_response_at, period)
    in_channels = _in_channels(period, T.c.channel_id)
    no_day = cast(literal(None), Date)

    def row(kind: str, key, day, figures):
        return select(literal(kind, String).label("kind"), key.label("k"), day.label("d"),
                      figures.c.n, figures.c.median, figures.c.p90)

    total = stats(in_period, in_channels).subquery("total")
    channel_ids = select(C.c.id).where(_in_channels(period, C.c.id)).subquery("channel_ids")
    by_channel = stats(in_period, T.c.channel_id == channel_ids.c.id).lateral("by_channel")
    agents = func.unnest(literal(agent_ids or [0], ARRAY(Integer))).table_valued("id").render_derived(name="agents")
    by_agent = stats(in_period, in_channels, T.c.first_response_by_id == agents.c.id).lateral("by_agent")
    days = func.unnest(literal(period.days, ARRAY(Date))).table_valued("day").render_derived(name="days")
    start = func.timezone(zone, cast(days.c.day, DateTime))
    end = func.timezone(zone, cast(days.c.day + 1, DateTime))
    by_day = stats(T.c.first_response_at >= start, T.c.first_response_at < end, in_channels).lateral("by_day")
    parts = [row("channel", channel_ids.c.id, no_day, by_channel).select_from(channel_ids.join(by_channel, true())),
             row("agent", agents.c.id, no_day, by_agent).select_from(agents.join(by_agent, true())),
             row("day", literal(0, Integer), days.c.day, by_day).select_from(days.join(by_day, true()))]
    stored = _stored_days(period)
    if stored is not None:
        parts[-1] = parts[-1].where(_not_stored(days.c.day))
        parts.append(stored)
    query = row("total", literal(0, Integer), no_day, total).union_all(*parts)
    result = Responses(EMPTY, {}, {}, {})
    for kind, key, day, n, median, p90 in db.session.execute(query):
        figures = (int(n), median, p90)
        if kind == "total":
            result.total = figures
        elif not n:
            continue
        elif kind == "channel":
            result.channels[key] = figures
        elif kind == "agent":
            result.agents[key] = figures
        else:
            result.days[day] = figures
    return result


def _stored_days(period: Period):
    """The stored days' (kind, key, day, n, median, p90) rows, or None when the channels chosen are several.

    Every channel's percentiles are on the "done" row, one channel's on its total row; a stored day without
    that row had no first response on the channel.
    """
    if len(period.channel_ids) > 1:
        return None
    if period.channel_ids:
        which = (K.c.dim == TOTAL, K.c.channel_id == period.channel_ids[0], K.c.dim_id == 0)
    else:
        which = (K.c.dim == DONE,)
    return select(literal("day", String), literal(0, Integer), K.c.day, K.c.answered, K.c.fr_median,
                  K.c.fr_p90).where(*which, K.c.day >= period.start, K.c.day <= period.end)


def _not_stored(day):
    """The day is not rolled up: its percentiles are read from the tickets."""
    return ~exists().where(K.c.dim == DONE, K.c.day == day)


def _day_percentiles(period: Period, value) -> dict[date, tuple]:
    """{local day: (n, median, p90)} of the first responses, by joining the period's days (not PostgreSQL)."""
    days = rollup.days_table(period.days, period.calendar)
    joined = and_(T.c.first_response_at >= days.c.lo, T.c.first_response_at < days.c.hi)
    stored = _stored_days(period)
    rows = select(days.c.day.label("day"), value.label("v")).select_from(days.join(T, joined)).where(
        _in_channels(period, T.c.channel_id), value.is_not(None),
        true() if stored is None else _not_stored(days.c.day)).subquery()
    result = _percentile_rows([true()], rows.c.day, rows.c.v)
    if stored is not None:
        result.update({day: (int(n), median, p90) for _kind, _key, day, n, median, p90 in db.session.execute(stored)
                       if n})
    return result


