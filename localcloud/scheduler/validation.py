"""CreateSchedule and UpdateSchedule refuse an invalid expression or time zone, as AWS does.

moto 5.2.5 stores any `ScheduleExpression` and `ScheduleExpressionTimezone`; AWS answers a
`ValidationException` ("Invalid Schedule Expression <expression>."; here followed by the reason). The
expression is read by `expressions.parse`; a form it does not fire (`UnsupportedExpression`) is accepted
here, as AWS accepts it, and refused when it would fire, in the schedule's log.

moto's UpdateSchedule also drops the request's `ActionAfterCompletion` (the schedule kept the old one);
UpdateSchedule replaces the whole schedule, so the request's value (absent: none) now applies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.scheduler.exceptions import ValidationException
from moto.scheduler.models import EventBridgeSchedulerBackend, Schedule
from moto.scheduler.responses import EventBridgeSchedulerResponse

from localcloud import patching
from localcloud.scheduler import expressions


def validate(schedule_expression: str | None, timezone_name: str | None) -> None:
    """Raise moto's ValidationException for an expression or time zone AWS refuses."""
    try:
        expressions.parse(schedule_expression or "")
    except expressions.InvalidExpression as error:
        raise ValidationException(str(error)) from error
    except expressions.UnsupportedExpression:
        pass  # valid on AWS; refused when it fires
    try:
        expressions.timezone(timezone_name)
    except expressions.InvalidTimezone as error:
        raise ValidationException(str(error)) from error


def _build_validating(original: Callable[..., Schedule]) -> Callable[..., Schedule]:
    def validated(self: EventBridgeSchedulerBackend, **kwargs: Any) -> Schedule:
        validate(kwargs.get("schedule_expression"), kwargs.get("schedule_expression_timezone"))
        return original(self, **kwargs)

    return validated


def _build_update_response(original: Callable[[EventBridgeSchedulerResponse], str]) -> Callable[..., str]:
    def update_schedule(self: EventBridgeSchedulerResponse) -> str:
        answer = original(self)
        name = self.uri.split("?")[0].split("/")[-1]
        schedule = self.scheduler_backend.get_schedule(self._get_param("GroupName"), name)
        schedule.action_after_completion = self._get_param("ActionAfterCompletion")
        return answer

    return update_schedule


PATCHES = (
    patching.wrap(
        __name__,
        EventBridgeSchedulerBackend,
        "create_schedule",
        fingerprint="513099380dbd4563",
        build=_build_validating,
    ),
    patching.wrap(
        __name__,
        EventBridgeSchedulerBackend,
        "update_schedule",
        fingerprint="15f9bd86f2396a39",
        build=_build_validating,
    ),
    patching.wrap(
        __name__,
        EventBridgeSchedulerResponse,
        "update_schedule",
        fingerprint="780176192c319fdf",
        build=_build_update_response,
    ),
)
