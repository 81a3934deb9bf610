"""Working-day calendar, SLA due times, pauses, days pending and the queue's situation (pure)."""
import enum
import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from flask_babel import lazy_gettext as _l

ZERO = timedelta(0)


def _zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _require_aware(value: datetime, name: str) -> None:
    # A naive datetime would be read in the server's zone and shift every due time silently.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


class WorkCalendar:
    """The store's working days: Monday to Friday except national, state and extra holidays."""

    def __init__(self, country: str = "BR", subdivision: str | None = "SP",
                 timezone: str | tzinfo = "America/Sao_Paulo", extra_holidays: Iterable[date] = ()):
        self.country = country
        self.subdivision = subdivision or None
        self.tz = _zone(timezone)
        self.extra_holidays = frozenset(extra_holidays)
        self._years: dict[int, frozenset[date]] = {}
        self._lock = threading.Lock()
        try:
            # Built once without years so that an unknown country or state fails here, not mid-request.
            holidays.country_holidays(country, subdiv=self.subdivision)
        except NotImplementedError as exc:
            raise ValueError(str(exc)) from exc

    @classmethod
    def for_store(cls, settings) -> "WorkCalendar":
        """Return the shared calendar for a StoreSettings-like object (country, state, timezone)."""
        return calendar_for(settings.country or "BR", settings.state or None, settings.timezone)

    def holidays_in(self, year: int) -> frozenset[date]:
        """Return the public holidays of one year, computing each year once."""
        found = self._years.get(year)
        if found is None:
            with self._lock:
                found = self._years.get(year)
                if found is None:
                    table = holidays.country_holidays(self.country, subdiv=self.subdivision, years=year)
                    found = frozenset(table) | {d for d in self.extra_holidays if d.year == year}
                    self._years[year] = found
        return found

    def is_working_day(self, day: date) -> bool:
        """Say whether the day is a weekday that is not a holiday."""
        if isinstance(day, datetime):
            day = day.astimezone(self.tz).date() if day.tzinfo else day.date()
        return day.weekday() < 5 and day not in self.holidays_in(day.year)

    def day_start(self, day: date) -> datetime:
        """Return local midnight of the day, in UTC."""
        return datetime.combine(day, time(0), tzinfo=self.tz).astimezone(UTC)

    def local_date(self, moment: datetime) -> date:
        """Return the store's calendar date of an aware moment."""
        return moment.astimezone(self.tz).date()

    def next_working_day(self, day: date) -> date:
        """Return the first working day after the given day."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def previous_working_day(self, day: date) -> date:
        """Return the last working day before the given day."""
        day -= timedelta(days=1)
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day


def calendar_for(country: str = "BR", subdivision: str | None = "SP",
                 timezone: str = "America/Sao_Paulo") -> WorkCalendar:
    """Return a calendar shared by every caller with the same settings, so holidays are computed once."""
    # Positional arguments only: lru_cache keys keyword and positional calls differently.
    return _shared_calendar(country, subdivision or None, timezone)


@lru_cache(maxsize=32)
def _shared_calendar(country: str, subdivision: str | None, timezone: str) -> WorkCalendar:
    return WorkCalendar(country, subdivision, timezone)


def working_time_between(start: datetime, end: datetime, calendar: WorkCalendar) -> timedelta:
    """Return the real time between two moments that falls on working days (negative if end < start)."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end < start:
        return -working_time_between(end, start, calendar)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    total = ZERO
    day = calendar.local_date(start)
    while calendar.day_start(day) < end:
        following = day + timedelta(days=1)
        if calendar.is_working_day(day):
            total += min(end, calendar.day_start(following)) - max(start, calendar.day_start(day))
        day = following
    return total


def add_working_time(start: datetime, amount: timedelta, calendar: WorkCalendar) -> datetime:
    """Return the moment when `amount` of working-day time has passed after `start` (before it if negative).

    Time runs only on working days, 24 hours each (the real length of the local day, so 23 or 25 hours on
    a daylight-saving change day in zones that have one). Time on a weekend or holiday does not count: a
    start on Saturday effectively starts at the next working day's local midnight. When the amount ends
    exactly at the end of a working day, the result is the following local midnight.
    """
    _require_aware(start, "start")
    cursor = start.astimezone(UTC)
    day = calendar.local_date(cursor)
    if amount >= ZERO:
        if not calendar.is_working_day(day):
            day = calendar.next_working_day(day)
            cursor = calendar.day_start(day)
        while True:
            day_end = calendar.day_start(day + timedelta(days=1))
            if amount <= day_end - cursor:
                return cursor + amount
            amount -= day_end - cursor
            day = calendar.next_working_day(day)
            cursor = calendar.day_start(day)
    # Walking backwards mirrors the forward walk, so resuming an overdue ticket keeps it exactly as overdue.
    amount = -amount
    if not calendar.is_working_day(day) or cursor == calendar.day_start(day):
        day = calendar.previous_working_day(day)
        cursor = calendar.day_start(day + timedelta(days=1))
    while True:
        day_begin = calendar.day_start(day)
        if amount <= cursor - day_begin:
            return cursor - amount
        amount -= cursor - day_begin
        day = calendar.previous_working_day(day)
        cursor = calendar.day_start(day + timedelta(days=1))


def due_at(start: datetime, hours: int, working_days: bool, calendar: WorkCalendar) -> datetime:
    """Return when an answer is due, `hours` after `start`, in UTC.

    Calendar mode (`working_days=False`) adds the hours as plain elapsed time. Working mode counts only
    time on the store's working days (Monday to Friday, minus the national, state and extra holidays of
    `calendar`), whole days of 24 hours in the store's zone: "48 working hours" is two working days.
    A ticket opened on a Saturday starts counting on Monday at 00:00 local time; one opened on Friday at
    10:00 with 48 working hours is due on Tuesday at 10:00 (14 h on Friday, 24 h on Monday, 10 h on
    Tuesday), or on Wednesday at 10:00 when that Monday is a holiday.
    """
    _require_aware(start, "start")
    if hours < 0:
        raise ValueError("hours must not be negative")
    amount = timedelta(hours=hours)
    if not working_days:
        return start.astimezone(UTC) + amount
    return add_working_time(start, amount, calendar)


def remaining_after_pause(due: datetime, paused_at: datetime, calendar: WorkCalendar,
                          working_days: bool) -> timedelta:
    """Return the SLA time left when a ticket is paused (negative when it was already overdue)."""
    _require_aware(due, "due")
    _require_aware(paused_at, "paused_at")
    if not working_days:
        return due - paused_at
    return working_time_between(paused_at, due, calendar)


def resume(remaining: timedelta, resumed_at: datetime, calendar: WorkCalendar, working_days: bool) -> datetime:
    """Return the new due time when a paused ticket resumes with `remaining` SLA time left."""
    _require_aware(resumed_at, "resumed_at")
    if not working_days:
        return resumed_at.astimezone(UTC) + remaining
    return add_working_time(resumed_at, remaining, calendar)


def days_pending(open_since: datetime, now: datetime, tz: str | tzinfo) -> int:
    """Return how many local calendar days have begun since the ticket became open (0 on the first day)."""
    _require_aware(open_since, "open_since")
    _require_aware(now, "now")
    zone = _zone(tz)
    return max(0, (now.astimezone(zone).date() - open_since.astimezone(zone).date()).days)


class Situation(enum.StrEnum):
    pending = "pending"
    priority = "priority"
    overdue = "overdue"

    @property
    def label(self):
        return SITUATION_LABELS[self]

    @property
    def css_class(self) -> str:
        return f"situation--{self.value}"


SITUATION_LABELS = {
    Situation.pending: _l("Pending"),
    Situation.priority: _l("PRIORITY"),
    Situation.overdue: _l("Overdue"),
}


def situation(open_since: datetime, due_at: datetime | None, now: datetime, tz: str | tzinfo) -> Situation:
    """Return overdue once `now` is past the due time, else pending on the first local day, priority after."""
    _require_aware(now, "now")
    if due_at is not None and now > due_at:
        return Situation.overdue
    if days_pending(open_since, now, tz) >= 1:
        return Situation.priority
    return Situation.pending
