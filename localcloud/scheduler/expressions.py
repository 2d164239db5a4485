"""EventBridge Scheduler's schedule expressions and the times they fire: pure functions, no moto.

The forms (EventBridge Scheduler User Guide, "Schedule types"; the cron fields and wildcards of the
EventBridge "Cron expressions reference"):

- `rate(value unit)`: a positive integer and `minute(s)`, `hour(s)` or `day(s)`; a day is 24 hours. The
  first time is the schedule's start (its StartDate, else when it was created), then every interval.
  The singular and plural unit are both accepted whatever the value.
- `cron(minutes hours day-of-month month day-of-week year)`, evaluated in the schedule's time zone:
  minutes 0-59 and hours 0-23 (`, - * /`), day-of-month 1-31 (`, - * ? / L W`, with `LW` the last
  weekday and `15W` the weekday nearest the 15th within the month), month 1-12 or JAN-DEC (`, - * /`),
  day-of-week 1-7 or SUN-SAT, 1 being Sunday (`, - * ? L #`: `L` alone is Saturday, `6L` the month's
  last Friday, `2#1` its first Monday, and `#` only as the field's one item), year 1970-2199 (`, - * /`).
  Exactly one of day-of-month and day-of-week is `?`. A range may wrap (`FRI-MON`, `22-2`), `a/n` counts
  from `a` to the field's end, `a-b/n` within the range. Daylight saving time as the Scheduler does it: a
  local time the spring change skips does not fire, a time the autumn change repeats fires once (the first).
- `at(yyyy-mm-ddThh:mm:ss)`: once, at that local time of the schedule's time zone.

`parse` raises `InvalidExpression` for what AWS refuses at CreateSchedule and `UnsupportedExpression`
for what the local cloud does not fire (Quartz's `L-n` day-of-month offset), so that firing refuses it
loudly instead of guessing.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Not calendar.month_abbr: that follows the locale, cron's names do not.
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
_WEEKDAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_AT = re.compile(r"^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_FIRST_YEAR, _LAST_YEAR = 1970, 2199


class InvalidExpression(ValueError):
    """AWS refuses the expression (CreateSchedule's ValidationException)."""

    def __init__(self, expression: str, reason: str) -> None:
        super().__init__(f"Invalid Schedule Expression {expression}. ({reason})")
        self.expression = expression
        self.reason = reason


class UnsupportedExpression(ValueError):
    """A form the local cloud does not fire; the message says which part and why."""


class InvalidTimezone(ValueError):
    """Not a time zone of the IANA database."""


@dataclass(frozen=True)
class Rate:
    seconds: int


@dataclass(frozen=True)
class At:
    wall_time: datetime  # naive: a local time of the schedule's time zone


@dataclass(frozen=True)
class DaysOfMonth:
    days: frozenset[int]
    last: bool = False  # L
    last_weekday: bool = False  # LW
    nearest_weekday: frozenset[int] = frozenset()  # nW

    def matching(self, year: int, month: int) -> frozenset[int]:
        length = calendar.monthrange(year, month)[1]
        found = {day for day in self.days if day <= length}
        if self.last:
            found.add(length)
        if self.last_weekday:
            found.add(_nearest_weekday(year, month, length))
        found.update(_nearest_weekday(year, month, day) for day in self.nearest_weekday if day <= length)
        return frozenset(found)


@dataclass(frozen=True)
class DaysOfWeek:
    days: frozenset[int]  # 1 = Sunday ... 7 = Saturday
    last_in_month: frozenset[int] = frozenset()  # 6L: the month's last Friday
    nth_in_month: tuple[int, int] | None = None  # (2, 1) for 2#1: the month's first Monday

    def matches(self, day: date) -> bool:
        weekday = aws_weekday(day)
        if weekday in self.days:
            return True
        length = calendar.monthrange(day.year, day.month)[1]
        if weekday in self.last_in_month and day.day + 7 > length:
            return True
        return self.nth_in_month == (weekday, (day.day - 1) // 7 + 1)


@dataclass(frozen=True)
class Cron:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days_of_month: DaysOfMonth | None  # None: "?"
    months: frozenset[int]
    days_of_week: DaysOfWeek | None  # None: "?"
    years: frozenset[int] | None  # None: every year

    def matches_day(self, day: date) -> bool:
        if day.month not in self.months or (self.years is not None and day.year not in self.years):
            return False
        if self.days_of_month is not None:
            return day.day in self.days_of_month.matching(day.year, day.month)
        assert self.days_of_week is not None
        return self.days_of_week.matches(day)


Expression = Rate | At | Cron


def aws_weekday(day: date) -> int:
    """The cron day-of-week number: 1 for Sunday ... 7 for Saturday."""
    return (day.weekday() + 1) % 7 + 1


def _nearest_weekday(year: int, month: int, day: int) -> int:
    """The Monday-to-Friday day nearest `day`, without leaving the month (Quartz's `W`)."""
    weekday = date(year, month, day).weekday()  # Monday 0 ... Sunday 6
    length = calendar.monthrange(year, month)[1]
    if weekday == 5:  # Saturday: the Friday before, or the Monday after on the 1st
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday: the Monday after, or the Friday before on the last day
        return day + 1 if day < length else day - 2
    return day


# --- parsing ------------------------------------------------------------------------------------


def timezone(name: str | None) -> ZoneInfo:
    """The time zone an expression is evaluated in (UTC when the schedule names none)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidTimezone(f"Invalid ScheduleExpressionTimezone {name}.") from error


def parse(expression: str) -> Expression:
    text = (expression or "").strip()
    rate = _RATE.match(text)
    if rate:
        value = int(rate.group(1))
        if value <= 0:
            raise InvalidExpression(expression, "the rate must be a positive integer")
        return Rate(value * _UNIT_SECONDS[rate.group(2).rstrip("s")])
    at = _AT.match(text)
    if at:
        try:
            return At(datetime(*(int(part) for part in at.groups())))  # type: ignore[misc]
        except ValueError as error:
            raise InvalidExpression(expression, str(error)) from error
    cron = _CRON.match(text)
    if cron:
        return _parse_cron(expression, cron.group(1))
    raise InvalidExpression(
        expression, "expected rate(value unit), cron(six fields) or at(yyyy-mm-ddThh:mm:ss)"
    )


def _parse_cron(expression: str, body: str) -> Cron:
    fields = body.split()
    if len(fields) != 6:
        raise InvalidExpression(expression, f"a cron expression has six fields, not {len(fields)}")
    minutes, hours, day_of_month, month, day_of_week, year = fields
    if (day_of_month == "?") == (day_of_week == "?"):
        raise InvalidExpression(expression, "exactly one of day-of-month and day-of-week must be '?'")

    def field(
        text: str, name: str, low: int, high: int, names: dict[str, int] | None = None
    ) -> frozenset[int]:
        try:
            return _values(text, low, high, names)
        except ValueError as error:
            raise InvalidExpression(expression, f"{name} {text!r}: {error}") from error

    return Cron(
        minutes=tuple(sorted(field(minutes, "minutes", 0, 59))),
        hours=tuple(sorted(field(hours, "hours", 0, 23))),
        days_of_month=None if day_of_month == "?" else _days_of_month(expression, day_of_month),
        months=field(month, "month", 1, 12, _MONTHS),
        days_of_week=None if day_of_week == "?" else _days_of_week(expression, day_of_week),
        years=None if year == "*" else field(year, "year", _FIRST_YEAR, _LAST_YEAR),
    )


def _number(text: str, low: int, high: int, names: dict[str, int] | None) -> int:
    value = names.get(text.upper()) if names else None
    if value is None:
        if not text.isdigit():
            raise ValueError(f"{text!r} is not a value of this field")
        value = int(text)
    if not low <= value <= high:
        raise ValueError(f"{value} is out of range {low}-{high}")
    return value


def _values(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    """The values of a list of `*`, `a`, `a-b`, `*/n`, `a/n`, `a-b/n` items (a range may wrap)."""
    found: set[int] = set()
    for item in text.split(","):
        if not item:
            raise ValueError("an empty list item")
        span, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ValueError(f"the increment {step_text!r} is not a positive integer")
            step = int(step_text)
        if span == "*":
            start, end = low, high
        elif "-" in span:
            first, _, last = span.partition("-")
            start, end = _number(first, low, high, names), _number(last, low, high, names)
        else:
            start = _number(span, low, high, names)
            end = high if slash else start
        size = high - low + 1
        count = (end - start) % size + 1  # a wrapping range (FRI-MON) runs through the field's end
        found.update(low + (start - low + offset) % size for offset in range(0, count, step))
    return frozenset(found)


def _days_of_month(expression: str, text: str) -> DaysOfMonth:
    days: set[int] = set()
    last = last_weekday = False
    nearest: set[int] = set()
    for item in text.split(","):
        upper = item.upper()
        if upper == "L":
            last = True
        elif upper == "LW":
            last_weekday = True
        elif upper.startswith("L-"):
            raise UnsupportedExpression(
                f"{expression}: day-of-month {item!r} (an offset from the last day) is not emulated"
            )
        elif upper.endswith("W"):
            try:
                nearest.add(_number(upper[:-1], 1, 31, None))
            except ValueError as error:
                raise InvalidExpression(expression, f"day-of-month {item!r}: {error}") from error
        else:
            try:
                days.update(_values(item, 1, 31))
            except ValueError as error:
                raise InvalidExpression(expression, f"day-of-month {item!r}: {error}") from error
    return DaysOfMonth(frozenset(days), last, last_weekday, frozenset(nearest))


def _days_of_week(expression: str, text: str) -> DaysOfWeek:
    items = text.split(",")
    if any("#" in item for item in items):
        if len(items) != 1:
            raise InvalidExpression(expression, "with '#', the day-of-week field has one item only")
        weekday_text, _, nth_text = text.partition("#")
        try:
            weekday = _number(weekday_text, 1, 7, _WEEKDAYS)
            nth = _number(nth_text, 1, 5, None)
        except ValueError as error:
            raise InvalidExpression(expression, f"day-of-week {text!r}: {error}") from error
        return DaysOfWeek(frozenset(), nth_in_month=(weekday, nth))
    days: set[int] = set()
    last_in_month: set[int] = set()
    for item in items:
        upper = item.upper()
        try:
            if upper == "L":
                days.add(7)  # the week's last day
            elif upper.endswith("L"):
                last_in_month.add(_number(upper[:-1], 1, 7, _WEEKDAYS))
            elif "/" in item:
                raise ValueError("'/' is not a wildcard of the day-of-week field")
            else:
                days.update(_values(item, 1, 7, _WEEKDAYS))
        except ValueError as error:
            raise InvalidExpression(expression, f"day-of-week {item!r}: {error}") from error
    return DaysOfWeek(frozenset(days), frozenset(last_in_month))


# --- when an expression fires -------------------------------------------------------------------


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone")
    return moment.astimezone(UTC)


def local_to_utc(wall_time: datetime, zone: ZoneInfo) -> datetime | None:
    """The instant of a local time; None for a time the spring change skips. A time the autumn change
    repeats is its first instant."""
    instant = wall_time.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall_time:
        return None
    return instant


def _cron_times(cron: Cron, zone: ZoneInfo, after: datetime) -> Iterator[datetime]:
    """The cron's instants after `after`, in order, up to the end of the last year it allows."""
    day = after.astimezone(zone).date()
    last_year = max(cron.years) if cron.years else _LAST_YEAR
    while day.year <= last_year:
        if cron.years is not None and day.year not in cron.years:
            day = date(day.year + 1, 1, 1)
            continue
        if day.month not in cron.months:
            day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
            continue
        if cron.matches_day(day):
            for hour in cron.hours:
                for minute in cron.minutes:
                    instant = local_to_utc(datetime(day.year, day.month, day.day, hour, minute), zone)
                    if instant is not None and instant > after:
                        yield instant
        day += timedelta(days=1)


def times(expression: Expression, *, zone: ZoneInfo, anchor: datetime, after: datetime) -> Iterator[datetime]:
    """The instants (UTC) the expression fires strictly after `after`, in order.

    `anchor` is when a rate schedule starts (its first time); cron and at ignore it.
    """
    after = _as_utc(after)
    if isinstance(expression, Rate):
        anchor = _as_utc(anchor)
        interval = timedelta(seconds=expression.seconds)
        count = 0 if after < anchor else (after - anchor) // interval + 1
        while True:
            yield anchor + count * interval
            count += 1
    elif isinstance(expression, At):
        instant = expression.wall_time.replace(tzinfo=zone).astimezone(UTC)
        if instant > after:
            yield instant
    else:
        yield from _cron_times(expression, zone, after)


def occurrences(
    expression: Expression, *, zone: ZoneInfo, anchor: datetime, after: datetime, until: datetime
) -> list[datetime]:
    """The instants in (after, until]."""
    found = []
    until = _as_utc(until)
    for instant in times(expression, zone=zone, anchor=anchor, after=after):
        if instant > until:
            break
        found.append(instant)
    return found


def next_time(
    expression: Expression, *, zone: ZoneInfo, anchor: datetime, after: datetime
) -> datetime | None:
    """The first instant after `after`; None when there is none (a past at(), a cron's last year over)."""
    return next(times(expression, zone=zone, anchor=anchor, after=after), None)
