"""Schedule expressions: what AWS refuses, and the times rate, cron and at expressions fire (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localcloud.scheduler import expressions
from localcloud.scheduler.expressions import At, InvalidExpression, Rate, UnsupportedExpression

UTC_ZONE = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def fire_times(
    expression: str, after: datetime, until: datetime, zone: ZoneInfo = UTC_ZONE
) -> list[datetime]:
    return expressions.occurrences(
        expressions.parse(expression), zone=zone, anchor=after, after=after, until=until
    )


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("rate(5 minutes)", 300),
        ("rate(1 minute)", 60),
        ("rate(1 minutes)", 60),
        ("rate(2 hours)", 7200),
        ("rate(1 day)", 86400),
        ("rate(7 days)", 604800),
    ],
)
def test_rate_expressions(expression: str, seconds: int) -> None:
    assert expressions.parse(expression) == Rate(seconds)


def test_an_at_expression_is_a_local_time() -> None:
    assert expressions.parse("at(2026-03-08T02:30:00)") == At(datetime(2026, 3, 8, 2, 30))


@pytest.mark.parametrize(
    "expression",
    [
        "rate(0 minutes)",
        "rate(5 weeks)",
        "rate(-1 minutes)",
        "rate(five minutes)",
        "at(2026-13-01T00:00:00)",
        "at(2026-02-30T00:00:00)",
        "at(2026-01-01 00:00:00)",
        "cron(0 10 * * ?)",
        "cron(0 10 * * * *)",
        "cron(0 10 ? * ? *)",
        "cron(60 10 * * ? *)",
        "cron(0 24 * * ? *)",
        "cron(0 10 32 * ? *)",
        "cron(0 10 * 13 ? *)",
        "cron(0 10 ? * 8 *)",
        "cron(0 10 * * ? 1969)",
        "cron(0 10 ? * 2#1,3 *)",
        "cron(0 10 ? * 2#6 *)",
        "cron(0 10 ? * */2 *)",
        "cron(0/0 10 * * ? *)",
        "cron(0 10 * FOO ? *)",
        "every 5 minutes",
        "",
    ],
)
def test_what_aws_refuses(expression: str) -> None:
    with pytest.raises(InvalidExpression) as refused:
        expressions.parse(expression)
    assert str(refused.value).startswith(f"Invalid Schedule Expression {expression}.")


def test_an_offset_from_the_last_day_is_refused_as_not_emulated() -> None:
    with pytest.raises(UnsupportedExpression, match="L-2"):
        expressions.parse("cron(0 0 L-2 * ? *)")


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(expressions.InvalidTimezone):
        expressions.timezone("Mars/Olympus_Mons")
    assert expressions.timezone(None) == UTC_ZONE


def test_a_rate_fires_at_its_start_and_then_every_interval() -> None:
    start = utc(2026, 5, 1, 12, 0, 30)
    rate = expressions.parse("rate(5 minutes)")

    found = expressions.occurrences(
        rate,
        zone=UTC_ZONE,
        anchor=start,
        after=start - timedelta(microseconds=1),
        until=start + timedelta(minutes=12),
    )
    later = expressions.occurrences(
        rate, zone=UTC_ZONE, anchor=start, after=found[-1], until=start + timedelta(minutes=20)
    )

    assert found == [start, start + timedelta(minutes=5), start + timedelta(minutes=10)]
    assert later == [start + timedelta(minutes=15), start + timedelta(minutes=20)]


def test_a_day_of_a_rate_is_24_hours_across_daylight_saving_time() -> None:
    start = datetime(2026, 3, 7, 9, 0, tzinfo=NEW_YORK).astimezone(UTC)  # the day before the spring change
    found = expressions.occurrences(
        expressions.parse("rate(1 day)"),
        zone=NEW_YORK,
        anchor=start,
        after=start,
        until=start + timedelta(days=2),
    )
    assert [instant.astimezone(NEW_YORK).hour for instant in found] == [10, 10]


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        # The EventBridge User Guide's examples.
        ("cron(0 10 * * ? *)", utc(2026, 5, 1), [utc(2026, 5, 1, 10), utc(2026, 5, 2, 10)]),
        ("cron(15 12 * * ? *)", utc(2026, 5, 1, 12, 15), [utc(2026, 5, 2, 12, 15)]),
        ("cron(0 18 ? * MON-FRI *)", utc(2026, 5, 1, 19), [utc(2026, 5, 4, 18), utc(2026, 5, 5, 18)]),
        ("cron(0 8 1 * ? *)", utc(2026, 5, 1, 9), [utc(2026, 6, 1, 8)]),
        ("cron(0/15 * * * ? *)", utc(2026, 5, 1, 10, 1), [utc(2026, 5, 1, 10, m) for m in (15, 30, 45)]),
        (
            "cron(0/5 8-17 ? * MON-FRI *)",
            utc(2026, 5, 1, 17, 50),
            [utc(2026, 5, 1, 17, 55), utc(2026, 5, 4, 8)],
        ),
        ("cron(0 9 ? * 2#1 *)", utc(2026, 5, 1), [utc(2026, 5, 4, 9), utc(2026, 6, 1, 9)]),
        # Wildcards of the day fields.
        ("cron(0 0 L * ? *)", utc(2026, 2, 1), [utc(2026, 2, 28), utc(2026, 3, 31)]),
        ("cron(0 0 LW * ? *)", utc(2026, 5, 1), [utc(2026, 5, 29), utc(2026, 6, 30)]),  # May 31 is a Sunday
        (
            "cron(0 0 15W * ? *)",
            utc(2026, 8, 1),
            [utc(2026, 8, 14), utc(2026, 9, 15)],
        ),  # Aug 15 is a Saturday
        (
            "cron(0 0 1W * ? *)",
            utc(2026, 8, 1),
            [utc(2026, 8, 3), utc(2026, 9, 1)],
        ),  # Aug 1: Saturday -> Monday
        ("cron(0 0 ? * 6L *)", utc(2026, 5, 1), [utc(2026, 5, 29), utc(2026, 6, 26)]),  # last Fridays
        ("cron(0 0 ? * L *)", utc(2026, 5, 1), [utc(2026, 5, 2), utc(2026, 5, 9)]),  # Saturdays
        ("cron(0 0 ? * FRI-MON *)", utc(2026, 5, 1), [utc(2026, 5, 2), utc(2026, 5, 3), utc(2026, 5, 4)]),
        ("cron(0 22-1 1 * ? *)", utc(2026, 4, 30, 23), [utc(2026, 5, 1, h) for h in (0, 1, 22, 23)]),
        (
            "cron(0 0 1 JAN,JUL ? 2027-2028)",
            utc(2026, 5, 1),
            [utc(2027, 1, 1), utc(2027, 7, 1), utc(2028, 1, 1)],
        ),
    ],
)
def test_cron_expressions(expression: str, after: datetime, expected: list[datetime]) -> None:
    found = fire_times(expression, after, expected[-1])
    assert found == expected


def test_a_time_the_spring_change_skips_does_not_fire() -> None:
    # 2026-03-08 in New York: 02:00 EST becomes 03:00 EDT.
    found = fire_times("cron(30 2 * * ? *)", utc(2026, 3, 7), utc(2026, 3, 10), NEW_YORK)
    assert [instant.astimezone(NEW_YORK).date() for instant in found] == [date(2026, 3, 7), date(2026, 3, 9)]


def test_a_time_the_autumn_change_repeats_fires_once() -> None:
    # 2026-11-01 in New York: 02:00 EDT becomes 01:00 EST, so 01:00-01:59 happens twice.
    found = fire_times("cron(0/30 1 * * ? *)", utc(2026, 11, 1), utc(2026, 11, 1, 12), NEW_YORK)
    assert found == [utc(2026, 11, 1, 5), utc(2026, 11, 1, 5, 30)]  # the first 01:00 and 01:30 (EDT)


def test_cron_times_are_read_in_the_time_zone() -> None:
    found = fire_times("cron(0 9 * * ? *)", utc(2026, 1, 15), utc(2026, 7, 16), NEW_YORK)
    assert found[0] == utc(2026, 1, 15, 14)  # 09:00 EST
    assert found[-1] == utc(2026, 7, 15, 13)  # 09:00 EDT


def test_an_at_fires_once_at_its_local_time_and_never_again() -> None:
    at = expressions.parse("at(2026-07-01T09:00:00)")
    assert expressions.next_time(at, zone=NEW_YORK, anchor=utc(2026, 1, 1), after=utc(2026, 1, 1)) == utc(
        2026, 7, 1, 13
    )
    assert expressions.next_time(at, zone=NEW_YORK, anchor=utc(2026, 1, 1), after=utc(2026, 7, 1, 13)) is None


def test_a_cron_whose_years_are_over_has_no_next_time() -> None:
    cron = expressions.parse("cron(0 0 1 1 ? 2027)")
    assert expressions.next_time(cron, zone=UTC_ZONE, anchor=utc(2026, 1, 1), after=utc(2027, 1, 1)) is None


# --- properties ----------------------------------------------------------------------------------


def _render(values: frozenset[int]) -> str:
    return ",".join(str(value) for value in sorted(values))


value_sets = {
    "minutes": st.frozensets(st.integers(0, 59), min_size=1, max_size=4),
    "hours": st.frozensets(st.integers(0, 23), min_size=1, max_size=3),
    "days_of_month": st.frozensets(st.integers(1, 31), min_size=1, max_size=5),
    "days_of_week": st.frozensets(st.integers(1, 7), min_size=1, max_size=3),
}


@settings(max_examples=60, deadline=None)
@given(
    minutes=value_sets["minutes"],
    hours=value_sets["hours"],
    days=st.one_of(
        st.tuples(st.just("dom"), value_sets["days_of_month"]),
        st.tuples(st.just("dow"), value_sets["days_of_week"]),
    ),
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31)),
)
def test_cron_fires_exactly_at_the_minutes_its_fields_list(
    minutes: frozenset[int], hours: frozenset[int], days: tuple[str, frozenset[int]], start: datetime
) -> None:
    kind, day_values = days
    day_fields = f"{_render(day_values)} * ?" if kind == "dom" else f"? * {_render(day_values)}"
    expression = f"cron({_render(minutes)} {_render(hours)} {day_fields} *)"
    after = start.replace(tzinfo=UTC)
    until = after + timedelta(days=3)

    def listed(moment: datetime) -> bool:
        day_value = moment.day if kind == "dom" else (moment.weekday() + 1) % 7 + 1
        return moment.minute in minutes and moment.hour in hours and day_value in day_values

    first = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    every_minute = (
        first + timedelta(minutes=n) for n in range(int((until - first).total_seconds() // 60) + 1)
    )
    assert fire_times(expression, after, until) == [moment for moment in every_minute if listed(moment)]


@settings(max_examples=40, deadline=None)
@given(
    minutes=value_sets["minutes"],
    hours=value_sets["hours"],
    zone=st.sampled_from(["America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata"]),
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)),
)
def test_in_any_time_zone_each_listed_local_minute_fires_at_most_once_and_in_order(
    minutes: frozenset[int], hours: frozenset[int], zone: str, start: datetime
) -> None:
    local = ZoneInfo(zone)
    after = start.replace(tzinfo=UTC)
    found = fire_times(
        f"cron({_render(minutes)} {_render(hours)} * * ? *)", after, after + timedelta(days=4), local
    )

    walls = [instant.astimezone(local).replace(tzinfo=None) for instant in found]
    assert found == sorted(set(found))
    assert len(set(walls)) == len(walls)
    assert all(wall.minute in minutes and wall.hour in hours for wall in walls)
    assert all(instant > after for instant in found)


@given(
    start=st.integers(0, 59),
    end=st.integers(0, 59),
    step=st.integers(1, 30),
)
def test_increments_count_from_the_start_through_the_end(start: int, end: int, step: int) -> None:
    from_start = expressions.parse(f"cron({start}/{step} 0 1 * ? *)")
    assert isinstance(from_start, expressions.Cron)
    assert set(from_start.minutes) == set(range(start, 60, step))
    if start <= end:
        ranged = expressions.parse(f"cron({start}-{end}/{step} 0 1 * ? *)")
        assert isinstance(ranged, expressions.Cron)
        assert set(ranged.minutes) == set(range(start, end + 1, step))
