"""UpdateEndpoint with a DeploymentConfig on the local cloud: the new fleet starts beside the old one,
takes its share of traffic step by step, and a rollback alarm in ALARM sends everything back.

A client calls the endpoint continuously through each rollout, as production callers would; every
answer says (local header) which endpoint configuration's fleet gave it.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from localcloud import rollout_clock
from localcloud.iam import role_sessions
from localcloud.tools.endpoint_traffic import EndpointTraffic
from tests.localcloud.sagemaker.xgboost_models import model_tarball

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
RUN = uuid.uuid4().hex[:8]
BUCKET = f"guarded-{RUN}"
FEATURES = 4
INSTANCES = 4
# 8 real seconds on the local cloud's rollout clock: long enough for 200+ requests in the canary phase
# even on a loaded 2-core machine (about 300/s idle).
CANARY_BAKE_SECONDS = min(1800, round(rollout_clock.current().clock_seconds(8)))


class Guarded:
    def __init__(self, aws: Callable[[str], Any], role_arn: str) -> None:
        self.aws = aws
        self.role_arn = role_arn
        self.sagemaker = aws("sagemaker")
        self.cloudwatch = aws("cloudwatch")
        aws("s3").create_bucket(Bucket=BUCKET)

    def config(self, name: str, features: int, seed: int) -> str:
        self.aws("s3").put_object(
            Bucket=BUCKET, Key=f"{name}/model.tar.gz", Body=model_tarball(features, seed)[0]
        )
        self.sagemaker.create_model(
            ModelName=name,
            ExecutionRoleArn=self.role_arn,
            PrimaryContainer={"Image": IMAGE, "ModelDataUrl": f"s3://{BUCKET}/{name}/model.tar.gz"},
        )
        self.sagemaker.create_endpoint_config(
            EndpointConfigName=name,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": name,
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": INSTANCES,
                }
            ],
        )
        return name

    def alarm(self, endpoint: str) -> str:
        name = f"{endpoint}-4xx-errors"
        self.cloudwatch.put_metric_alarm(
            AlarmName=name,
            Namespace="AWS/SageMaker",
            MetricName="Invocation4XXErrors",
            Dimensions=[
                {"Name": "EndpointName", "Value": endpoint},
                {"Name": "VariantName", "Value": "AllTraffic"},
            ],
            Statistic="Average",
            Period=60,
            EvaluationPeriods=1,
            DatapointsToAlarm=1,
            Threshold=0.05,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
        )
        return name

    def wait(self, endpoint: str, seen: list[str] | None = None, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            description = self.sagemaker.describe_endpoint(EndpointName=endpoint)
            status = description["EndpointStatus"]
            if seen is not None and (not seen or seen[-1] != status):
                seen.append(status)
            if status in ("InService", "Failed"):
                return description
            time.sleep(0.1)
        raise AssertionError(f"endpoint {endpoint} still {status}")


def _canary(alarm: str | None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "CANARY",
                "WaitIntervalInSeconds": CANARY_BAKE_SECONDS,
                "CanarySize": {"Type": "INSTANCE_COUNT", "Value": 1},
            },
            "TerminationWaitInSeconds": 1,
            "MaximumExecutionTimeoutInSeconds": 7200,
        }
    }
    if alarm:
        config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": alarm}]}
    return config


@pytest.fixture(scope="module")
def guarded(aws: Callable[[str], Any], role_arn: str) -> Guarded:
    return Guarded(aws, role_arn)


@pytest.fixture
def endpoint(guarded: Guarded) -> Iterator[str]:
    name = f"guarded-{uuid.uuid4().hex[:8]}"
    blue = guarded.config(f"{name}-blue", FEATURES, seed=1)
    guarded.sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=blue)
    assert guarded.wait(name)["EndpointStatus"] == "InService"
    yield name
    guarded.sagemaker.delete_endpoint(EndpointName=name)


def _calling(guarded: Guarded, endpoint: str) -> EndpointTraffic:
    traffic = EndpointTraffic(
        guarded.aws("sagemaker-runtime"), endpoint, ",".join(["0.5"] * FEATURES)
    ).start()
    time.sleep(0.5)  # answers from before the update
    return traffic


def test_a_good_canary_takes_its_share_then_all_traffic(guarded: Guarded, endpoint: str) -> None:
    alarm = guarded.alarm(endpoint)
    green = guarded.config(f"{endpoint}-green", FEATURES, seed=2)
    client = _calling(guarded, endpoint)
    guarded.sagemaker.update_endpoint(
        EndpointName=endpoint, EndpointConfigName=green, DeploymentConfig=_canary(alarm)
    )
    messages: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        description = guarded.sagemaker.describe_endpoint(EndpointName=endpoint)
        if description["EndpointStatus"] == "InService":
            break
        for variant in description.get("PendingDeploymentSummary", {}).get("ProductionVariants", []):
            for status in variant.get("VariantStatus", []):
                message = f"{status['Status']}: {status.get('StatusMessage', '')}"
                if not messages or messages[-1] != message:
                    messages.append(message)
        time.sleep(0.05)
    time.sleep(0.5)
    client.stop()
    assert description["EndpointConfigName"] == green and "FailureReason" not in description
    assert description["LastDeploymentConfig"] == _canary(alarm)
    assert any(message.startswith("Baking: Baking step 1 of 2 (canary") for message in messages), messages
    assert any("step 2 of 2" in message for message in messages), messages
    assert all(answer.ok for answer in client.answers)
    # The canary's share, measured over the answers given while only the canary had traffic.
    first_green = next(i for i, answer in enumerate(client.answers) if answer.config == green)
    first_all_green = next(
        i
        for i in range(first_green, len(client.answers))
        if all(answer.config == green for answer in client.answers[i : i + 20])
    )
    canary_phase = client.answers[first_green:first_all_green]
    assert len(canary_phase) >= 200, f"only {len(canary_phase)} requests while the canary baked"
    share = sum(answer.config == green for answer in canary_phase) / len(canary_phase)
    assert abs(share - 1 / INSTANCES) <= 0.10 / INSTANCES + 0.01, share
    assert client.answers[-1].config == green


def test_a_canary_that_fails_real_callers_trips_the_alarm_and_rolls_back(
    guarded: Guarded, endpoint: str
) -> None:
    alarm = guarded.alarm(endpoint)
    blue = f"{endpoint}-blue"
    # Trained on one more column than production sends: the container answers 400 to every request.
    broken = guarded.config(f"{endpoint}-broken", FEATURES + 1, seed=3)
    client = _calling(guarded, endpoint)
    started = time.monotonic()
    guarded.sagemaker.update_endpoint(
        EndpointName=endpoint, EndpointConfigName=broken, DeploymentConfig=_canary(alarm)
    )
    statuses: list[str] = []
    description = guarded.wait(endpoint, seen=statuses)
    finished = time.monotonic()
    time.sleep(1.0)
    client.stop()
    assert statuses[-2:] == ["RollingBack", "InService"], statuses
    assert description["EndpointConfigName"] == blue
    assert alarm in description["FailureReason"] and "step 1 of 2" in description["FailureReason"]
    # Still in ALARM (at least a minute of the rollout clock and 10 s, as between CloudWatch's evaluations),
    # and its history has the trip.
    assert guarded.cloudwatch.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]["StateValue"] == "ALARM"
    history = guarded.cloudwatch.describe_alarm_history(AlarmName=alarm, HistoryItemType="StateUpdate")
    assert any("to ALARM" in item["HistorySummary"] for item in history["AlarmHistoryItems"]), history
    failures = [answer for answer in client.answers if not answer.ok]
    assert failures, "the broken canary never answered"
    assert all(answer.config == broken for answer in failures)
    assert all(started <= answer.at <= finished for answer in failures)
    during = [answer for answer in client.answers if started <= answer.at <= finished]
    # Only the canary's share of the requests failed, the old fleet answered the rest throughout.
    assert len(failures) <= len(during) / INSTANCES * 1.1 + 5
    after = [answer for answer in client.answers if answer.at > finished]
    assert after and all(answer.ok and answer.config == blue for answer in after)


def test_update_with_an_unknown_alarm_or_a_renamed_variant_is_refused(
    guarded: Guarded, endpoint: str
) -> None:
    green = guarded.config(f"{endpoint}-green2", FEATURES, seed=4)
    with pytest.raises(ClientError, match="does not exist"):
        guarded.sagemaker.update_endpoint(
            EndpointName=endpoint, EndpointConfigName=green, DeploymentConfig=_canary("no-such-alarm")
        )
    too_big = _canary(None)
    too_big["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["CanarySize"]["Value"] = 3
    with pytest.raises(ClientError, match="at most 50%"):
        guarded.sagemaker.update_endpoint(
            EndpointName=endpoint, EndpointConfigName=green, DeploymentConfig=too_big
        )
    assert guarded.sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "InService"


def test_a_caller_that_may_not_read_the_rollback_alarms_cannot_start_the_update(
    guarded: Guarded, endpoint: str
) -> None:
    # SageMaker reads the AutoRollbackConfiguration alarms with the UpdateEndpoint caller's permissions.
    alarm = guarded.alarm(endpoint)
    green = guarded.config(f"{endpoint}-green3", FEATURES, seed=5)
    iam = guarded.aws("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role_arn = iam.create_role(RoleName=f"{endpoint}-caller", AssumeRolePolicyDocument=json.dumps(trust))[
        "Role"
    ]["Arn"]
    update_only = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sagemaker:UpdateEndpoint", "Resource": "*"}],
    }
    iam.put_role_policy(
        RoleName=f"{endpoint}-caller", PolicyName="update", PolicyDocument=json.dumps(update_only)
    )
    session = role_sessions.assume_role_as_service(role_arn, "states.amazonaws.com", "caller")
    sagemaker = boto3.client(
        "sagemaker",
        endpoint_url=guarded.sagemaker.meta.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=session.access_key_id,
        aws_secret_access_key=session.secret_access_key,
        aws_session_token=session.session_token,
    )
    with pytest.raises(ClientError, match=f"cloudwatch:DescribeAlarms on resource: .*alarm:{alarm}"):
        sagemaker.update_endpoint(
            EndpointName=endpoint, EndpointConfigName=green, DeploymentConfig=_canary(alarm)
        )
    assert guarded.sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "InService"
