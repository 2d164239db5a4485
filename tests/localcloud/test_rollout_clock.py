"""The rollout clock: LOCALCLOUD_ROLLOUT_TIME_SCALE, and what its seconds last in real time."""

from __future__ import annotations

import time

import pytest

from localcloud import rollout_clock


@pytest.mark.parametrize(
    ("text", "scale"),
    [
        ("", 60.0),
        ("1", 1.0),
        ("120", 120.0),
        (" 0.5 ", 0.5),
        ("0", 60.0),
        ("-3", 60.0),
        ("fast", 60.0),
        ("inf", 60.0),
    ],
)
def test_the_scale_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, text: str, scale: float
) -> None:
    monkeypatch.setenv(rollout_clock.TIME_SCALE_ENV_VAR, text)
    assert rollout_clock.scale_from_environment() == scale


def test_a_bake_lasts_scale_times_fewer_real_seconds() -> None:
    clock = rollout_clock.RolloutClock(scale=100)
    assert clock.real_seconds(300) == 3
    assert clock.clock_seconds(0.5) == 50
    started_real, started = time.monotonic(), clock.now()
    clock.sleep(20)  # 0.2 real seconds
    elapsed_real, elapsed = time.monotonic() - started_real, clock.now() - started
    assert 0.2 <= elapsed_real < 1.0
    assert elapsed == pytest.approx(elapsed_real * 100, rel=0.01)


def test_restart_reads_the_environment_again(monkeypatch: pytest.MonkeyPatch) -> None:
    previous = rollout_clock.current()
    try:
        monkeypatch.setenv(rollout_clock.TIME_SCALE_ENV_VAR, "7")
        assert rollout_clock.restart().scale == 7 == rollout_clock.current().scale
        assert rollout_clock.restart(1).scale == 1
    finally:
        rollout_clock.restart(previous.scale)
