"""The daemon-thread loop shared by the alarm evaluator and the scheduler."""

from __future__ import annotations

import threading

import pytest

from localcloud.background_loop import (
    BackgroundLoop,
    count_from_environment,
    seconds_from_environment,
    time_scale_from_environment,
)


def test_a_failing_pass_does_not_end_the_thread() -> None:
    passes: list[int] = []
    third_pass = threading.Event()

    def one_pass(_stopping: threading.Event) -> None:
        passes.append(len(passes))
        if len(passes) == 3:
            third_pass.set()
        raise RuntimeError("this pass fails")

    loop = BackgroundLoop("test-failing-loop", one_pass)
    assert loop.start(0.01)
    try:
        assert third_pass.wait(5), "the loop stopped after a failing pass"
        assert loop.is_running()
    finally:
        loop.stop()
    assert not loop.is_running()


def test_stop_sets_the_event_work_of_a_pass_waits_on() -> None:
    seen: list[threading.Event] = []
    started = threading.Event()

    def one_pass(stopping: threading.Event) -> None:
        seen.append(stopping)
        started.set()

    loop = BackgroundLoop("test-stopping-loop", one_pass)
    loop.start(60)
    assert started.wait(5)
    loop.stop()
    assert seen[0].is_set()


def test_a_second_start_keeps_the_running_thread_and_skips_before_start() -> None:
    before_start_calls: list[str] = []
    loop = BackgroundLoop("test-second-start", lambda _stopping: None)
    try:
        assert loop.start(60, before_start=lambda: before_start_calls.append("first"))
        assert loop.start(60, before_start=lambda: before_start_calls.append("second"))
    finally:
        loop.stop()
    assert before_start_calls == ["first"]


def test_an_interval_of_zero_starts_no_thread_but_runs_before_start() -> None:
    before_start_calls: list[str] = []
    loop = BackgroundLoop("test-zero-interval", lambda _stopping: None)
    assert not loop.start(0, before_start=lambda: before_start_calls.append("called"))
    assert not loop.is_running()
    assert before_start_calls == ["called"]


@pytest.mark.parametrize(
    ("text", "expected"), [("", 7.0), ("2.5", 2.5), ("-3", 0.0), ("soon", 7.0), (" 4 ", 4.0)]
)
def test_seconds_from_environment(monkeypatch: pytest.MonkeyPatch, text: str, expected: float) -> None:
    monkeypatch.setenv("LOCALCLOUD_TEST_SECONDS", text)
    assert seconds_from_environment("LOCALCLOUD_TEST_SECONDS", 7.0) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", 7.0), ("86400", 86400.0), (" 0.5 ", 0.5), ("0", 7.0), ("-2", 7.0), ("fast", 7.0), ("inf", 7.0)],
)
def test_time_scale_from_environment(monkeypatch: pytest.MonkeyPatch, text: str, expected: float) -> None:
    monkeypatch.setenv("LOCALCLOUD_TEST_TIME_SCALE", text)
    assert time_scale_from_environment("LOCALCLOUD_TEST_TIME_SCALE", 7.0) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("", 4), ("0", 0), (" 2 ", 2), ("-1", 0), ("many", 4), ("1.5", 4)]
)
def test_count_from_environment(monkeypatch: pytest.MonkeyPatch, text: str, expected: int) -> None:
    # The pool sizes: LOCALCLOUD_GLUE_WARM_WORKERS, LOCALCLOUD_LAMBDA_WARM_ENVIRONMENTS.
    monkeypatch.setenv("LOCALCLOUD_TEST_COUNT", text)
    assert count_from_environment("LOCALCLOUD_TEST_COUNT", 4) == expected
