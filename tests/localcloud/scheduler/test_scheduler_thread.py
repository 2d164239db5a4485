"""The scheduler thread fires schedules on its own, on a clock LOCALCLOUD_SCHEDULER_TIME_SCALE speeds up."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from localcloud import config
from localcloud.scheduler import clock, firing
from localcloud.server import LocalCloud, start_in_thread

Aws = Callable[[str], Any]


@pytest.fixture(scope="module")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """A day of the scheduler clock per real second; the thread on (once a second, the default)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv(config.STATE_DIR_ENV_VAR, str(tmp_path_factory.mktemp("localcloud-state")))
        env.setenv(clock.TIME_SCALE_ENV_VAR, "86400")
        env.delenv(firing.TICK_ENV_VAR, raising=False)
        handle = start_in_thread(port=0)
        try:
            yield handle
        finally:
            handle.stop()


def test_the_time_scale_is_read_at_start_and_the_thread_runs(local_cloud: LocalCloud) -> None:
    assert clock.current().scale == 86400
    assert firing.is_running()


def test_a_daily_schedule_fires_every_real_second_with_a_day_scale(
    aws: Aws, unique_name: str, wait_for: Callable[..., dict]
) -> None:
    url = aws("sqs").create_queue(QueueName=unique_name)["QueueUrl"]
    role = f"scheduler-{uuid.uuid4().hex[:8]}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "scheduler.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role_arn = aws("iam").create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"][
        "Arn"
    ]
    grant = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}],
    }
    aws("iam").put_role_policy(RoleName=role, PolicyName="send", PolicyDocument=json.dumps(grant))

    aws("scheduler").create_schedule(
        Name=unique_name,
        ScheduleExpression="rate(1 day)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": f"arn:aws:sqs:us-east-1:123456789012:{unique_name}",
            "RoleArn": role_arn,
            "Input": "<aws.scheduler.scheduled-time>",
        },
    )

    seen: list[str] = []

    def receive() -> dict:
        answer = aws("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        seen.extend(message["Body"] for message in answer.get("Messages", []))
        return {"days": sorted(seen)}

    days = wait_for(receive, lambda got: len(got["days"]) >= 3, timeout=60)["days"]
    # One occurrence per scheduler-clock day, whatever real seconds the passes took.
    assert [day[11:] for day in days[:3]] == [days[0][11:]] * 3
    assert len(set(day[:10] for day in days)) == len(days)
