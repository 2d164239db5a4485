"""Execution environments stay warm between invocations, as on Lambda, and end where Lambda ends them."""

from __future__ import annotations

import base64
import json
import textwrap
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from localcloud.awslambda import environments

# Counts its invocations in module state: what a warm environment keeps and a cold one starts again.
HANDLER = textwrap.dedent(
    """
    import os, time

    COUNT = 0

    def handler(event, context):
        global COUNT
        COUNT += 1
        print(f"invocation {COUNT} says {event.get('say')}")
        if event.get("sleep"):
            time.sleep(event["sleep"])
        if event.get("fail"):
            raise ValueError("asked to fail")
        if event.get("exit"):
            os._exit(event["exit"])
        return {
            "count": COUNT,
            "pid": os.getpid(),
            "request_id": context.aws_request_id,
            "greeting": os.environ.get("GREETING"),
        }
    """
)


@pytest.fixture
def create_function(
    aws: Callable[[str], Any], zip_package: Callable[[dict[str, str]], bytes], role_arn: str, unique_name: str
) -> Callable[..., str]:
    def create(handler_source: str = HANDLER, timeout: int = 30) -> str:
        aws("lambda").create_function(
            FunctionName=unique_name,
            Runtime="python3.11",
            Role=role_arn,
            Handler="app.handler",
            Code={"ZipFile": zip_package({"app.py": handler_source})},
            Environment={"Variables": {"GREETING": "hello"}},
            Timeout=timeout,
        )
        return unique_name

    return create


def _invoke(aws: Callable[[str], Any], name: str, event: dict[str, Any]) -> tuple[dict[str, Any], Any, str]:
    """(payload, function error or None, the invocation's log tail)"""
    response = aws("lambda").invoke(FunctionName=name, Payload=json.dumps(event).encode(), LogType="Tail")
    logs = base64.b64decode(response["LogResult"]).decode()
    return json.loads(response["Payload"].read()), response.get("FunctionError"), logs


def test_a_warm_environment_keeps_module_state_and_each_invocation_has_its_own_log(
    aws: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    name = create_function()
    first, error, first_logs = _invoke(aws, name, {"say": "first"})
    second, error_again, second_logs = _invoke(aws, name, {"say": "second"})
    assert error is None and error_again is None
    assert (first["count"], second["count"]) == (1, 2)
    assert first["pid"] == second["pid"]
    assert first["request_id"] != second["request_id"]
    assert "invocation 1 says first" in first_logs and "second" not in first_logs
    assert "invocation 2 says second" in second_logs and "first" not in second_logs


def test_an_exception_keeps_the_environment(
    aws: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    name = create_function()
    failed, error, logs = _invoke(aws, name, {"fail": True})
    assert error == "Unhandled" and failed["errorType"] == "ValueError"
    assert "Traceback" in logs
    after, error, _ = _invoke(aws, name, {})
    assert error is None and after["count"] == 2


def test_a_configuration_update_starts_new_environments(
    aws: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    name = create_function()
    before, _, _ = _invoke(aws, name, {})
    aws("lambda").update_function_configuration(
        FunctionName=name, Environment={"Variables": {"GREETING": "bonjour"}}
    )
    after, _, _ = _invoke(aws, name, {})
    assert (before["greeting"], after["greeting"]) == ("hello", "bonjour")
    assert after["count"] == 1 and after["pid"] != before["pid"]


def test_a_code_update_starts_new_environments(
    aws: Callable[[str], Any],
    create_function: Callable[..., str],
    zip_package: Callable[[dict[str, str]], bytes],
) -> None:
    name = create_function()
    before, _, _ = _invoke(aws, name, {})
    updated = HANDLER.replace('"greeting": os.environ.get("GREETING")', '"greeting": "from the new code"')
    aws("lambda").update_function_code(FunctionName=name, ZipFile=zip_package({"app.py": updated}))
    after, _, _ = _invoke(aws, name, {})
    assert after["greeting"] == "from the new code"
    assert after["count"] == 1 and after["pid"] != before["pid"]


def test_a_timeout_ends_the_environment(
    aws: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    name = create_function(timeout=1)
    _invoke(aws, name, {})
    timed_out, error, logs = _invoke(aws, name, {"sleep": 5, "say": "slow"})
    assert error == "Unhandled"
    assert "Task timed out after 1.00 seconds" in timed_out["errorMessage"]
    assert "invocation 2 says slow" in logs
    fresh, error, _ = _invoke(aws, name, {})
    assert error is None and fresh["count"] == 1


def test_an_exiting_process_ends_the_environment(
    aws: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    name = create_function()
    exited, error, _ = _invoke(aws, name, {"exit": 3})
    assert error == "Unhandled"
    assert exited["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in exited["errorMessage"]
    fresh, error, _ = _invoke(aws, name, {})
    assert error is None and fresh["count"] == 1


def test_a_handler_that_cannot_be_imported_ends_its_environment_each_time(
    aws: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    name = create_function(handler_source="raise RuntimeError('broken at import')\n")
    for _ in range(2):
        failed, error, logs = _invoke(aws, name, {})
        assert error == "Unhandled" and failed["errorMessage"] == "broken at import"
        assert "broken at import" in logs
    function_arn = aws("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    assert environments.POOL.idle_count(function_arn) == 0


def test_invocations_at_the_same_time_get_an_environment_each(
    aws: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    name = create_function()
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda _: _invoke(aws, name, {"sleep": 1})[0], range(2)))
    assert [answer["count"] for answer in answers] == [1, 1]
    assert answers[0]["pid"] != answers[1]["pid"]


def test_warm_environments_off_runs_each_invocation_cold(
    aws: Callable[[str], Any], create_function: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(environments.WARM_ENVIRONMENTS_ENV_VAR, "0")
    name = create_function()
    first, _, _ = _invoke(aws, name, {})
    second, _, _ = _invoke(aws, name, {})
    assert (first["count"], second["count"]) == (1, 1)
    assert first["pid"] != second["pid"]


def test_an_environment_idle_too_long_is_stopped_and_the_next_invocation_starts_cold(
    aws: Callable[[str], Any], create_function: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = create_function()
    first, _, _ = _invoke(aws, name, {})
    monkeypatch.setattr(environments, "IDLE_SECONDS", -1.0)  # every idle environment is past its time
    second, _, _ = _invoke(aws, name, {})
    assert second["count"] == 1 and second["pid"] != first["pid"]
