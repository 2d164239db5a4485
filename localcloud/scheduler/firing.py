"""Fire the schedules moto stores (moto 5.2.5 never fires one): when each is due, invoke its target.

Every ENABLED schedule of every group, account and region is read against the scheduler clock
(`clock.py`). A schedule's occurrences are counted from when it was created or last updated (an update
or a re-enabling starts it afresh; occurrences while it was DISABLED never fire): a rate schedule starts
at its StartDate, else at once; a recurring schedule fires only between StartDate and EndDate; an
`at()` fires once, at its time, ignoring both dates (an `at()` time already past when the schedule is
created or updated does not fire, which the log says). `FlexibleTimeWindow` is accepted and each
invocation made at the window's start, the scheduled time. Each invocation (`targets.py`):

1. assumes the target's role as `scheduler.amazonaws.com` and calls the target as that session;
2. on an error (a refused role, an AccessDenied, a missing target, ...) retries per the target's
   `RetryPolicy` (default 185 retries within 86400 s): at most `MaximumRetryAttempts` retries, none
   once the event is `MaximumEventAgeInSeconds` old (on the scheduler clock). Shortened offline: AWS
   backs off exponentially over minutes to hours; here retries are `LOCALCLOUD_SCHEDULER_RETRY_SECONDS`
   real seconds apart (default 1);
3. then sends the input to `DeadLetterConfig.Arn` (SQS, as the role) with the attributes the Scheduler
   sets (`ERROR_CODE`, `ERROR_MESSAGE`, `EXHAUSTED_RETRY_CONDITION`, `RETRY_ATTEMPTS`, `EXECUTION_ID`,
   `SCHEDULE_ARN`, `SCHEDULED_TIME`, `TARGET_ARN`, `IS_PAYLOAD_TRUNCATED`);
4. with `ActionAfterCompletion` DELETE, deletes the schedule after its last planned invocation.

All of it goes to the schedule's log (`schedule_log.py`). An expression the local cloud does not fire
is refused there once (never skipped silently), and so is a target it does not call; more than
`MAX_OCCURRENCES_PER_PASS` occurrences due at once (a fast clock, a long pause) fire the newest and log
the rest as skipped.

`start()` runs a pass every `LOCALCLOUD_SCHEDULER_TICK_SECONDS` (default 1; 0: no thread) in a daemon
thread, each invocation in its own thread; `localcloud.server` starts and stops it.
`fire_due_schedules(now)` makes one pass at the clock time `now` and invokes synchronously, for tests.
"""

from __future__ import annotations

import copy
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.scheduler.models import EventBridgeSchedulerBackend, Schedule, scheduler_backends

from localcloud.background_loop import BackgroundLoop, seconds_from_environment
from localcloud.scheduler import clock, expressions, schedule_log, targets

LOG = logging.getLogger(__name__)

TICK_ENV_VAR = "LOCALCLOUD_SCHEDULER_TICK_SECONDS"
DEFAULT_TICK_SECONDS = 1.0
RETRY_DELAY_ENV_VAR = "LOCALCLOUD_SCHEDULER_RETRY_SECONDS"
DEFAULT_RETRY_DELAY_SECONDS = 1.0
MAX_OCCURRENCES_PER_PASS = 10
# CreateSchedule's defaults (moto fills them in too).
DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185
DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86400


@dataclass(frozen=True)
class Firing:
    """What became of one occurrence of a schedule (or of a schedule the local cloud refused to fire)."""

    schedule_arn: str
    group: str
    name: str
    outcome: str  # invoked, dead_lettered, failed, not_emulated, refused, stopped
    scheduled_time: datetime | None = None
    execution_id: str | None = None
    attempts: int = 0
    result: str | None = None  # what the target answered: an execution ARN, a message id, ...
    error_code: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class _Due:
    account: str
    region: str
    schedule_arn: str
    group: str
    name: str
    version: tuple[Any, ...]
    target: dict[str, Any]
    scheduled_time: datetime
    now: datetime  # the clock time of the pass that found it due
    delete_after: bool


@dataclass
class _Cursor:
    version: tuple[Any, ...]
    start: datetime  # when the schedule was created or last updated, on the clock
    handled_until: datetime  # occurrences up to here were fired (or skipped)
    silenced: bool = False  # refused, or a past at(): said once in the log


_cursors: dict[str, _Cursor] = {}
# Set by start(): schedules already in moto then (an earlier local cloud of this process) do not catch up.
_not_before: datetime | None = None
_lock = threading.Lock()


def _timestamp(value: Any) -> datetime | None:
    """A StartDate / EndDate as moto keeps it (epoch seconds from the SDKs; ISO text tolerated)."""
    if value is None or value == "":
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError):
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _version(schedule: Schedule) -> tuple[Any, ...]:
    return (schedule.creation_date, schedule.last_modified_date)


def _existing_backends() -> list[tuple[str, str, EventBridgeSchedulerBackend]]:
    """The backends moto has created, without creating any (BackendDict's __getitem__ would)."""
    found = []
    for account_id, regions in list(dict.items(scheduler_backends)):
        for region, backend in list(dict.items(regions)):
            found.append((account_id, region, backend))
    return found


def _is_last(
    expression: expressions.Expression,
    zone: Any,
    anchor: datetime,
    instant: datetime,
    end_date: datetime | None,
) -> bool:
    following = expressions.next_time(expression, zone=zone, anchor=anchor, after=instant)
    return following is None or (end_date is not None and following > end_date)


def _due_for(
    account: str, region: str, schedule: Schedule, now: datetime, scheduler_clock: clock.ScheduleClock
) -> tuple[list[_Due], list[Firing]]:
    """The occurrences of one schedule due by `now` (advancing its cursor), and what it refused."""
    version = _version(schedule)
    cursor = _cursors.get(schedule.arn)
    if cursor is None or cursor.version != version:
        start = scheduler_clock.from_real(datetime.fromtimestamp(float(schedule.last_modified_date), UTC))
        handled_until = start - timedelta(microseconds=1)  # an occurrence at the very start fires
        cursor = _Cursor(version, start, max(handled_until, _not_before or handled_until))
        _cursors[schedule.arn] = cursor
    group, name = schedule.group_name, schedule.name
    if schedule.state not in (None, "ENABLED") or cursor.silenced:
        cursor.handled_until = max(cursor.handled_until, now)
        return [], []
    try:
        expression = expressions.parse(schedule.schedule_expression)
        zone = expressions.timezone(schedule.schedule_expression_timezone)
    except (
        expressions.InvalidExpression,
        expressions.UnsupportedExpression,
        expressions.InvalidTimezone,
    ) as error:
        cursor.silenced = True
        schedule_log.write(group, name, "refused", error=f"not fired: {error}")
        LOG.error("schedule %s is not fired: %s", schedule.arn, error)
        return [], [Firing(schedule.arn, group, name, "refused", error=str(error))]
    start_date, end_date = _timestamp(schedule.start_date), _timestamp(schedule.end_date)
    anchor = start_date or cursor.start
    if isinstance(expression, expressions.At):
        instant = expressions.next_time(expression, zone=zone, anchor=anchor, after=cursor.start)
        if instant is None:
            cursor.silenced = True
            reason = (
                f"not fired: {schedule.schedule_expression} is before the schedule was created or updated"
            )
            schedule_log.write(group, name, "refused", error=reason)
            return [], [Firing(schedule.arn, group, name, "refused", error=reason)]
    times = expressions.occurrences(
        expression, zone=zone, anchor=anchor, after=cursor.handled_until, until=now
    )
    if not isinstance(expression, expressions.At):
        times = [
            instant
            for instant in times
            if (start_date is None or instant >= start_date) and (end_date is None or instant <= end_date)
        ]
    cursor.handled_until = max(cursor.handled_until, now)
    if len(times) > MAX_OCCURRENCES_PER_PASS:
        skipped, times = times[:-MAX_OCCURRENCES_PER_PASS], times[-MAX_OCCURRENCES_PER_PASS:]
        schedule_log.write(
            group,
            name,
            "skipped",
            count=len(skipped),
            first=schedule_log.iso(skipped[0]),
            last=schedule_log.iso(skipped[-1]),
            error=f"more than {MAX_OCCURRENCES_PER_PASS} occurrences were due at once; the newest fire",
        )
    due = []
    for instant in times:
        last = instant == times[-1] and _is_last(expression, zone, anchor, instant, end_date)
        due.append(
            _Due(
                account,
                region,
                schedule.arn,
                group,
                name,
                version,
                copy.deepcopy(schedule.target),
                instant,
                now,
                delete_after=last and schedule.action_after_completion == "DELETE",
            )
        )
    return due, []


def due_schedules(now: datetime) -> tuple[list[_Due], list[Firing]]:
    """Every occurrence due by the clock time `now` since the last pass, and the schedules refused."""
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    scheduler_clock = clock.current()
    due: list[_Due] = []
    refused: list[Firing] = []
    seen: set[str] = set()
    with _lock:
        for account, region, backend in _existing_backends():
            for schedule_group in list(backend.schedule_groups.values()):
                for schedule in list(schedule_group.schedules.values()):
                    seen.add(schedule.arn)
                    found, refusals = _due_for(account, region, schedule, now, scheduler_clock)
                    due.extend(found)
                    refused.extend(refusals)
        for arn in set(_cursors) - seen:  # deleted schedules
            del _cursors[arn]
    return due, refused


# --- one invocation ---------------------------------------------------------------------------------


def _dead_letter(
    occurrence: _Due,
    session: Any,
    execution_id: str,
    payload: str,
    attempts: int,
    condition: str,
    error_code: str,
    error: str,
) -> Firing:
    group, name, target = occurrence.group, occurrence.name, occurrence.target
    queue_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
    common = {
        "scheduled_time": occurrence.scheduled_time,
        "execution_id": execution_id,
        "attempts": attempts,
        "error_code": error_code,
        "error": error,
    }
    logged = {
        "scheduled_time": schedule_log.iso(occurrence.scheduled_time),
        "execution_id": execution_id,
        "attempts": attempts,
        "exhausted_retry_condition": condition,
        "error_code": error_code,
    }
    if not queue_arn:
        schedule_log.write(group, name, "failed", **logged, error=f"{error} (dropped: no dead-letter queue)")
        return Firing(occurrence.schedule_arn, group, name, "failed", **common)
    attributes = {
        "ERROR_CODE": error_code,
        "ERROR_MESSAGE": error,
        "EXECUTION_ID": execution_id,
        "EXHAUSTED_RETRY_CONDITION": condition,
        "IS_PAYLOAD_TRUNCATED": "false",
        "RETRY_ATTEMPTS": str(attempts - 1),
        "SCHEDULED_TIME": targets.scheduled_time_text(occurrence.scheduled_time),
        "SCHEDULE_ARN": occurrence.schedule_arn,
        "TARGET_ARN": target["Arn"],
    }
    try:
        if session is None:  # the role could not be assumed for the target; the DLQ needs it too
            session = targets.assume_role(target["RoleArn"], occurrence.schedule_arn, group, execution_id)
        message_id = targets.send_dead_letter(session, queue_arn, payload, attributes)
    except Exception as send_error:
        code, message = targets.describe_error(send_error)
        refused = f"{error} (and the dead-letter queue {queue_arn} refused it: {code}: {message})"
        schedule_log.write(group, name, "failed", **logged, error=refused)
        return Firing(occurrence.schedule_arn, group, name, "failed", **common)
    schedule_log.write(
        group,
        name,
        "dead_lettered",
        **logged,
        error=error,
        dead_letter_queue=queue_arn,
        message_id=message_id,
    )
    return Firing(occurrence.schedule_arn, group, name, "dead_lettered", result=message_id, **common)


def _delete_after_completion(occurrence: _Due) -> None:
    backends = dict.get(scheduler_backends, occurrence.account) or {}
    backend = dict.get(backends, occurrence.region)
    if backend is None:
        return
    with _lock:
        try:
            schedule = backend.get_schedule(occurrence.group, occurrence.name)
        except Exception:  # deleted meanwhile
            return
        if _version(schedule) != occurrence.version:  # updated meanwhile: it has new plans
            return
        backend.delete_schedule(occurrence.group, occurrence.name)
        _cursors.pop(occurrence.schedule_arn, None)
    schedule_log.write(occurrence.group, occurrence.name, "deleted", reason="ActionAfterCompletion DELETE")


def invoke(occurrence: _Due, retry_delay_seconds: float, stopping: threading.Event) -> Firing:
    """Invoke one occurrence's target, with retries and the dead-letter queue; log every step."""
    group, name, target = occurrence.group, occurrence.name, occurrence.target
    execution_id = secrets.token_hex(8)
    scheduled = schedule_log.iso(occurrence.scheduled_time)
    try:
        targets.kind(target["Arn"])
    except targets.NotEmulated as error:
        schedule_log.write(group, name, "not_emulated", scheduled_time=scheduled, error=str(error))
        LOG.error("schedule %s: %s", occurrence.schedule_arn, error)
        return Firing(
            occurrence.schedule_arn, group, name, "not_emulated", occurrence.scheduled_time, error=str(error)
        )
    policy = target.get("RetryPolicy") or {}
    max_retries = int(policy.get("MaximumRetryAttempts", DEFAULT_MAXIMUM_RETRY_ATTEMPTS))
    max_age = float(policy.get("MaximumEventAgeInSeconds", DEFAULT_MAXIMUM_EVENT_AGE_SECONDS))
    scale = clock.current().scale
    age_at_start = (occurrence.now - occurrence.scheduled_time).total_seconds()
    started = time.monotonic()
    session = None
    attempt = 0
    while True:
        attempt += 1
        payload = targets.fill_input(
            target.get("Input") or "{}",
            schedule_arn=occurrence.schedule_arn,
            scheduled_time=occurrence.scheduled_time,
            execution_id=execution_id,
            attempt=attempt,
        )
        try:
            session = targets.assume_role(target["RoleArn"], occurrence.schedule_arn, group, execution_id)
            result = targets.call(session, target, payload)
        except Exception as error:
            error_code, message = targets.describe_error(error)
            schedule_log.write(
                group,
                name,
                "attempt_failed",
                scheduled_time=scheduled,
                execution_id=execution_id,
                attempt=attempt,
                target=target["Arn"],
                error_code=error_code,
                error=message,
            )
        else:
            schedule_log.write(
                group,
                name,
                "invoked",
                scheduled_time=scheduled,
                execution_id=execution_id,
                attempt=attempt,
                target=target["Arn"],
                result=result,
            )
            firing = Firing(
                occurrence.schedule_arn,
                group,
                name,
                "invoked",
                occurrence.scheduled_time,
                execution_id,
                attempt,
                result,
            )
            break
        age = age_at_start + (time.monotonic() - started + retry_delay_seconds) * scale
        if attempt > max_retries:
            condition = "MaximumRetryAttempts"
        elif age >= max_age:
            condition = "MaximumEventAgeInSeconds"
        elif stopping.wait(retry_delay_seconds):
            schedule_log.write(group, name, "stopped", scheduled_time=scheduled, execution_id=execution_id)
            return Firing(
                occurrence.schedule_arn,
                group,
                name,
                "stopped",
                occurrence.scheduled_time,
                execution_id,
                attempt,
                error_code=error_code,
                error=message,
            )
        else:
            continue
        firing = _dead_letter(
            occurrence, session, execution_id, payload, attempt, condition, error_code, message
        )
        break
    if occurrence.delete_after:
        _delete_after_completion(occurrence)
    return firing


def fire_due_schedules(now: datetime, *, retry_delay_seconds: float = 0.0) -> list[Firing]:
    """Fire, in this thread, every occurrence due by the scheduler-clock time `now` since the last pass
    (retries `retry_delay_seconds` apart, at once by default), and return what became of each, the
    schedules refused included. Lambda targets run asynchronously, as on AWS."""
    due, refused = due_schedules(now)
    never = threading.Event()
    return refused + [invoke(occurrence, retry_delay_seconds, never) for occurrence in due]


# --- the background thread ----------------------------------------------------------------------


def _invoke_logged(occurrence: _Due, retry_delay_seconds: float, stopping: threading.Event) -> None:
    try:
        invoke(occurrence, retry_delay_seconds, stopping)
    except Exception:  # the schedule's log has what happened up to here
        LOG.exception("schedule %s: invocation failed", occurrence.schedule_arn)


def _fire_due_in_threads(stopping: threading.Event) -> None:
    """One pass: each due occurrence in its own thread, so a target retrying does not delay the others."""
    retry_delay = seconds_from_environment(RETRY_DELAY_ENV_VAR, DEFAULT_RETRY_DELAY_SECONDS)
    due, _ = due_schedules(clock.current().now())
    for occurrence in due:
        threading.Thread(
            target=_invoke_logged,
            args=(occurrence, retry_delay, stopping),
            name=f"scheduler-{occurrence.group}-{occurrence.name}",
            daemon=True,
        ).start()


_LOOP = BackgroundLoop("localcloud-scheduler", _fire_due_in_threads)


def _restart_clock() -> None:
    global _not_before
    scheduler_clock = clock.restart()
    with _lock:
        _cursors.clear()
        _not_before = scheduler_clock.now()
    LOG.info(
        "scheduler clock: real time at %s, %s times as fast", scheduler_clock.origin, scheduler_clock.scale
    )


def start(tick_seconds: float | None = None) -> bool:
    """Restart the scheduler clock (LOCALCLOUD_SCHEDULER_TIME_SCALE) and fire schedules every
    `tick_seconds` (default LOCALCLOUD_SCHEDULER_TICK_SECONDS, else 1) in a daemon thread; returns
    whether the thread runs (0 starts none). Schedules already in moto start counting afresh."""
    tick = (
        seconds_from_environment(TICK_ENV_VAR, DEFAULT_TICK_SECONDS) if tick_seconds is None else tick_seconds
    )
    running = _LOOP.start(tick, before_start=_restart_clock)
    if not running:
        LOG.info("EventBridge Scheduler thread off (%s=0)", TICK_ENV_VAR)
    return running


def stop(timeout_seconds: float = 10.0) -> None:
    """Stop firing (no-op when not running); invocations still retrying stop at their next wait."""
    _LOOP.stop(timeout_seconds)


def is_running() -> bool:
    return _LOOP.is_running()
