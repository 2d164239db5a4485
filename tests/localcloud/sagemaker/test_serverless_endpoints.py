"""Serverless endpoints on the local cloud: ServerlessConfig checked and described as SageMaker does, the
same model server as instance-based endpoints, MaxConcurrency throttling, cold starts and their
ModelSetupTime, provisioned concurrency, the 4 MB payload limit and the updates SageMaker refuses."""

from __future__ import annotations

import concurrent.futures
import io
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
import xgboost as xgb
from botocore.config import Config
from botocore.exceptions import ClientError

from localcloud import config
from localcloud.sagemaker import invocations as sagemaker_invocations
from localcloud.sagemaker import serverless_capacity
from localcloud.server import LocalCloud
from tests.localcloud.sagemaker.xgboost_models import model_tarball

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
RUN = uuid.uuid4().hex[:8]
BUCKET = f"serverless-{RUN}"
FEATURES = 4
VARIANT = "AllTraffic"
# What botocore sends (and a client with parameter validation would refuse before sending).
UNCHECKED = Config(parameter_validation=False)
# Throttling errors are retried by botocore's default retry modes; these tests must see each answer.
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def _csv(rows: np.ndarray) -> bytes:
    buffer = io.StringIO()
    np.savetxt(buffer, rows, delimiter=",", fmt="%.6g")
    return buffer.getvalue().encode()


def _booster_from(tarball: bytes) -> xgb.Booster:
    """The model as SageMaker would unpack it: xgboost-model from model.tar.gz, loaded in this process."""
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile("xgboost-model")
        assert member is not None
        return xgb.Booster(model_file=bytearray(member.read()))


class Serverless:
    def __init__(self, local_cloud: LocalCloud, role_arn: str) -> None:
        self.port = local_cloud.port
        self.sagemaker = config.boto3_client("sagemaker", self.port)
        self.cloudwatch = config.boto3_client("cloudwatch", self.port)
        self.runtime = self.client("sagemaker-runtime", NO_RETRIES)
        self.tarball, _ = model_tarball(FEATURES, seed=7)
        s3 = config.boto3_client("s3", self.port)
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="model.tar.gz", Body=self.tarball)
        self.model = f"serverless-model-{RUN}"
        self.sagemaker.create_model(
            ModelName=self.model,
            ExecutionRoleArn=role_arn,
            PrimaryContainer={"Image": IMAGE, "ModelDataUrl": f"s3://{BUCKET}/model.tar.gz"},
        )
        self.rows = np.random.default_rng(3).normal(size=(5, FEATURES))

    def client(self, service: str, client_config: Config) -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=config.endpoint_url(self.port),
            region_name=config.REGION,
            aws_access_key_id=config.ACCESS_KEY_ID,
            aws_secret_access_key=config.SECRET_ACCESS_KEY,
            config=client_config,
        )

    def variant(self, **serverless: int) -> dict[str, Any]:
        return {"VariantName": VARIANT, "ModelName": self.model, "ServerlessConfig": serverless}

    def config(self, **serverless: int) -> str:
        name = f"serverless-{uuid.uuid4().hex[:8]}"
        self.sagemaker.create_endpoint_config(
            EndpointConfigName=name, ProductionVariants=[self.variant(**serverless)]
        )
        return name

    def instance_config(self) -> str:
        name = f"instances-{uuid.uuid4().hex[:8]}"
        self.sagemaker.create_endpoint_config(
            EndpointConfigName=name,
            ProductionVariants=[
                {
                    "VariantName": VARIANT,
                    "ModelName": self.model,
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                }
            ],
        )
        return name

    def endpoint(self, config_name: str) -> str:
        name = f"serverless-ep-{uuid.uuid4().hex[:8]}"
        self.sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=config_name)
        assert self.wait(name)["EndpointStatus"] == "InService"
        return name

    def wait(self, endpoint: str) -> dict[str, Any]:
        deadline = datetime.now(UTC) + timedelta(seconds=90)
        while True:
            description = self.sagemaker.describe_endpoint(EndpointName=endpoint)
            if description["EndpointStatus"] not in ("Creating", "Updating", "RollingBack"):
                return description
            assert datetime.now(UTC) < deadline, description
            time.sleep(0.1)

    def invoke(self, endpoint: str, body: bytes | None = None) -> dict[str, Any]:
        return self.runtime.invoke_endpoint(
            EndpointName=endpoint, ContentType="text/csv", Body=_csv(self.rows) if body is None else body
        )

    def statistics(self, endpoint: str, metric: str) -> dict[str, Any] | None:
        """The metric's statistics over every datapoint of the endpoint's variant, or None without any."""
        now = datetime.now(UTC)
        datapoints = self.cloudwatch.get_metric_statistics(
            Namespace="AWS/SageMaker",
            MetricName=metric,
            Dimensions=[
                {"Name": "EndpointName", "Value": endpoint},
                {"Name": "VariantName", "Value": VARIANT},
            ],
            StartTime=now - timedelta(minutes=10),
            EndTime=now + timedelta(minutes=10),
            Period=3600,
            Statistics=["Sum", "SampleCount", "Minimum", "Maximum"],
        )["Datapoints"]
        assert len(datapoints) <= 1, datapoints
        return datapoints[0] if datapoints else None


@pytest.fixture(scope="module")
def serverless(local_cloud: LocalCloud, role_arn: str) -> Iterator[Serverless]:
    helper = Serverless(local_cloud, role_arn)
    try:
        yield helper
    finally:
        for endpoint in helper.sagemaker.list_endpoints(NameContains="serverless-ep-")["Endpoints"]:
            helper.sagemaker.delete_endpoint(EndpointName=endpoint["EndpointName"])  # stops its server


@pytest.mark.parametrize(
    ("variant", "message"),
    [
        ({"MemorySizeInMB": 1500, "MaxConcurrency": 5}, "MemorySizeInMB 1500 .* is not a valid memory size"),
        (
            {"MemorySizeInMB": 7168, "MaxConcurrency": 5},
            r"1 validation error detected: Value '7168' at "
            r"'productionVariants\.1\.member\.serverlessConfig\.memorySizeInMB' failed to satisfy "
            r"constraint: Member must have value less than or equal to 6144",
        ),
        ({"MemorySizeInMB": 512, "MaxConcurrency": 5}, "greater than or equal to 1024"),
        (
            {"MemorySizeInMB": 1024, "MaxConcurrency": 0},
            "maxConcurrency' failed .* greater than or equal to 1",
        ),
        (
            {"MemorySizeInMB": 1024, "MaxConcurrency": 201},
            "maxConcurrency' failed .* less than or equal to 200",
        ),
        (
            {"MemorySizeInMB": 1024, "MaxConcurrency": 2, "ProvisionedConcurrency": 0},
            "provisionedConcurrency' failed .* greater than or equal to 1",
        ),
        (
            {"MemorySizeInMB": 1024, "MaxConcurrency": 2, "ProvisionedConcurrency": 3},
            r"ProvisionedConcurrency \(3\) of production variant AllTraffic must be less than or equal "
            r"to its MaxConcurrency \(2\)",
        ),
    ],
)
def test_serverless_config_out_of_sagemakers_limits_is_refused(
    serverless: Serverless, variant: dict[str, int], message: str
) -> None:
    # Sent unchecked, so that the service's checks answer, not botocore's.
    sagemaker = serverless.client("sagemaker", UNCHECKED)
    name = f"refused-{uuid.uuid4().hex[:8]}"
    with pytest.raises(ClientError, match=message) as refused:
        sagemaker.create_endpoint_config(
            EndpointConfigName=name, ProductionVariants=[serverless.variant(**variant)]
        )
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError, match="Could not find endpoint configuration"):
        sagemaker.describe_endpoint_config(EndpointConfigName=name)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"InstanceType": "ml.m5.large"}, "specifies both ServerlessConfig and InstanceType"),
        ({"InitialInstanceCount": 1}, "specifies both ServerlessConfig and InitialInstanceCount"),
    ],
)
def test_a_variant_is_serverless_or_instance_based_not_both(
    serverless: Serverless, extra: dict[str, Any], message: str
) -> None:
    variant = {**serverless.variant(MemorySizeInMB=1024, MaxConcurrency=1), **extra}
    with pytest.raises(ClientError, match=message):
        serverless.sagemaker.create_endpoint_config(
            EndpointConfigName=f"both-{uuid.uuid4().hex[:8]}", ProductionVariants=[variant]
        )


def test_serverless_endpoints_have_one_variant_and_no_data_capture(serverless: Serverless) -> None:
    second = {**serverless.variant(MemorySizeInMB=1024, MaxConcurrency=1), "VariantName": "Second"}
    with pytest.raises(ClientError, match="one production variant only; this configuration has 2"):
        serverless.sagemaker.create_endpoint_config(
            EndpointConfigName=f"two-{uuid.uuid4().hex[:8]}",
            ProductionVariants=[serverless.variant(MemorySizeInMB=1024, MaxConcurrency=1), second],
        )
    with pytest.raises(ClientError, match="DataCaptureConfig is not supported for serverless endpoints"):
        serverless.sagemaker.create_endpoint_config(
            EndpointConfigName=f"capture-{uuid.uuid4().hex[:8]}",
            ProductionVariants=[serverless.variant(MemorySizeInMB=1024, MaxConcurrency=1)],
            DataCaptureConfig={
                "InitialSamplingPercentage": 100,
                "DestinationS3Uri": f"s3://{BUCKET}/capture/",
                "CaptureOptions": [{"CaptureMode": "Input"}],
            },
        )


def test_a_serverless_endpoint_is_described_and_serves_the_model(serverless: Serverless) -> None:
    wanted = {"MemorySizeInMB": 2048, "MaxConcurrency": 5, "ProvisionedConcurrency": 1}
    config_name = serverless.config(**wanted)
    (variant,) = serverless.sagemaker.describe_endpoint_config(EndpointConfigName=config_name)[
        "ProductionVariants"
    ]
    assert variant["ServerlessConfig"] == wanted
    assert "InstanceType" not in variant and "InitialInstanceCount" not in variant

    endpoint = serverless.endpoint(config_name)
    (described,) = serverless.sagemaker.describe_endpoint(EndpointName=endpoint)["ProductionVariants"]
    assert described["CurrentServerlessConfig"] == described["DesiredServerlessConfig"] == wanted
    assert "CurrentInstanceCount" not in described

    response = serverless.invoke(endpoint)
    predictions = [float(value) for value in response["Body"].read().decode().split(",")]
    sent = np.loadtxt(io.StringIO(_csv(serverless.rows).decode()), delimiter=",", dtype=np.float32)
    expected = _booster_from(serverless.tarball).predict(xgb.DMatrix(sent))
    assert predictions == pytest.approx(expected.tolist(), abs=1e-6)
    assert response["InvokedProductionVariant"] == VARIANT


def test_invocations_beyond_max_concurrency_are_throttled_at_once(
    serverless: Serverless, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = serverless.endpoint(serverless.config(MemorySizeInMB=1024, MaxConcurrency=2))
    # The model server is held until the test lets it answer: whatever is admitted stays in flight.
    in_model = threading.Semaphore(0)
    answer = threading.Event()
    forward = sagemaker_invocations._forward

    def held_forward(*args: Any) -> Any:
        in_model.release()
        assert answer.wait(60), "the test never let the model answer"
        return forward(*args)

    monkeypatch.setattr(sagemaker_invocations, "_forward", held_forward)

    def call() -> dict[str, Any] | ClientError:
        try:
            return serverless.invoke(endpoint)
        except ClientError as error:
            return error

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        calls = [pool.submit(call) for _ in range(6)]
        for _ in range(2):
            assert in_model.acquire(timeout=60), "fewer than MaxConcurrency requests reached the model"
        # The two admitted requests cannot finish yet, so the first four answers are the other four.
        early = []
        for done in concurrent.futures.as_completed(calls, timeout=60):
            early.append(done.result())
            if len(early) == 4:
                break
        answer.set()
        results = [call.result(timeout=60) for call in calls]

    assert all(isinstance(result, ClientError) for result in early), early
    throttled = [result for result in results if isinstance(result, ClientError)]
    assert len(throttled) == 4 and set(map(id, throttled)) == set(map(id, early))
    for error in throttled:
        assert error.response["Error"] == {
            "Code": "ThrottlingException",
            "Message": "The request was denied due to request throttling.",
        }
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert sum(not isinstance(result, ClientError) for result in results) == 2
    assert not in_model.acquire(timeout=0), "a throttled request reached the model"

    # Only the admitted requests are invocations; the fleet was full while they ran.
    invocations = serverless.statistics(endpoint, "Invocations")
    assert invocations is not None and invocations["Sum"] == 2
    errors = serverless.statistics(endpoint, "Invocation4XXErrors")
    assert errors is not None and errors["Sum"] == 0
    utilization = serverless.statistics(endpoint, "ServerlessConcurrentExecutionsUtilization")
    assert utilization is not None and (utilization["SampleCount"], utilization["Maximum"]) == (2, 1.0)


@pytest.mark.parametrize(("idle_seconds", "cold_starts"), [("300", 1), ("0", 3)])
def test_a_cold_start_is_published_as_model_setup_time(
    serverless: Serverless, monkeypatch: pytest.MonkeyPatch, idle_seconds: str, cold_starts: int
) -> None:
    # Read when the fleet starts: idle 300 s keeps the one environment warm between the three calls,
    # idle 0 s scales it to zero after each.
    monkeypatch.setenv(serverless_capacity.COLD_START_ENV_VAR, "0.05")
    monkeypatch.setenv(serverless_capacity.IDLE_ENV_VAR, idle_seconds)
    endpoint = serverless.endpoint(serverless.config(MemorySizeInMB=1024, MaxConcurrency=2))
    assert serverless.statistics(endpoint, "ModelSetupTime") is None  # no invocation, no cold start
    for _ in range(3):
        serverless.invoke(endpoint)

    setup = serverless.statistics(endpoint, "ModelSetupTime")
    assert setup is not None
    assert (setup["SampleCount"], setup["Minimum"], setup["Maximum"]) == (cold_starts, 50_000, 50_000)
    assert setup["Unit"] == "Microseconds"
    invocations = serverless.statistics(endpoint, "Invocations")
    assert invocations is not None and invocations["Sum"] == 3


def test_provisioned_concurrency_is_always_warm(
    serverless: Serverless, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(serverless_capacity.COLD_START_ENV_VAR, "0.05")
    endpoint = serverless.endpoint(
        serverless.config(MemorySizeInMB=1024, MaxConcurrency=2, ProvisionedConcurrency=1)
    )
    for _ in range(3):
        serverless.invoke(endpoint)

    assert serverless.statistics(endpoint, "ModelSetupTime") is None
    provisioned = serverless.statistics(endpoint, "ServerlessProvisionedConcurrencyInvocations")
    spillover = serverless.statistics(endpoint, "ServerlessProvisionedConcurrencySpilloverInvocations")
    assert provisioned is not None and spillover is not None
    assert (provisioned["Sum"], spillover["Sum"]) == (3, 0)
    utilization = serverless.statistics(endpoint, "ServerlessProvisionedConcurrencyUtilization")
    assert utilization is not None and utilization["Maximum"] == 1.0


def test_a_payload_over_4_mb_is_refused_before_the_model(serverless: Serverless) -> None:
    endpoint = serverless.endpoint(serverless.config(MemorySizeInMB=1024, MaxConcurrency=1))
    with pytest.raises(ClientError, match=r"Request [0-9a-f-]{36} has oversize body\.") as refused:
        serverless.invoke(endpoint, body=b"1" * (4 * 1024 * 1024 + 1))
    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert serverless.statistics(endpoint, "Invocations") is None


def test_a_rolling_update_of_a_serverless_endpoint_is_refused(serverless: Serverless) -> None:
    first = serverless.config(MemorySizeInMB=1024, MaxConcurrency=2)
    endpoint = serverless.endpoint(first)
    rolling = {
        "RollingUpdatePolicy": {
            "MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 50},
            "WaitIntervalInSeconds": 0,
        }
    }
    for target in (serverless.config(MemorySizeInMB=2048, MaxConcurrency=2), serverless.instance_config()):
        with pytest.raises(
            ClientError, match="RollingUpdatePolicy is not supported for serverless"
        ) as refused:
            serverless.sagemaker.update_endpoint(
                EndpointName=endpoint, EndpointConfigName=target, DeploymentConfig=rolling
            )
        assert refused.value.response["Error"]["Code"] == "ValidationException"
    described = serverless.sagemaker.describe_endpoint(EndpointName=endpoint)
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", first)


def test_a_canary_on_a_serverless_endpoint_is_sized_in_percent_of_capacity(serverless: Serverless) -> None:
    endpoint = serverless.endpoint(serverless.config(MemorySizeInMB=1024, MaxConcurrency=2))
    bigger = {"MemorySizeInMB": 2048, "MaxConcurrency": 4}
    target = serverless.config(**bigger)

    def canary(size: dict[str, Any]) -> dict[str, Any]:
        routing = {"Type": "CANARY", "WaitIntervalInSeconds": 0, "CanarySize": size}
        return {"BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": routing}}

    with pytest.raises(ClientError, match="INSTANCE_COUNT cannot size a step of a serverless variant"):
        serverless.sagemaker.update_endpoint(
            EndpointName=endpoint,
            EndpointConfigName=target,
            DeploymentConfig=canary({"Type": "INSTANCE_COUNT", "Value": 1}),
        )
    serverless.sagemaker.update_endpoint(
        EndpointName=endpoint,
        EndpointConfigName=target,
        DeploymentConfig=canary({"Type": "CAPACITY_PERCENT", "Value": 25}),
    )
    (pending,) = serverless.sagemaker.describe_endpoint(EndpointName=endpoint)["PendingDeploymentSummary"][
        "ProductionVariants"
    ]
    assert pending["DesiredServerlessConfig"] == bigger
    described = serverless.wait(endpoint)
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", target)
    assert "FailureReason" not in described
    assert described["ProductionVariants"][0]["CurrentServerlessConfig"] == bigger
    serverless.invoke(endpoint)


def test_a_real_time_endpoint_cannot_become_serverless(serverless: Serverless) -> None:
    endpoint = serverless.endpoint(serverless.config(MemorySizeInMB=1024, MaxConcurrency=1))
    instances = serverless.instance_config()
    serverless.sagemaker.update_endpoint(EndpointName=endpoint, EndpointConfigName=instances)
    described = serverless.wait(endpoint)  # serverless to real-time is allowed
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", instances)
    assert described["ProductionVariants"][0]["CurrentInstanceCount"] == 1
    serverless.invoke(endpoint)

    back = serverless.config(MemorySizeInMB=1024, MaxConcurrency=1)
    with pytest.raises(
        ClientError, match=r"updating a real-time .* endpoint to a serverless endpoint is not"
    ):
        serverless.sagemaker.update_endpoint(EndpointName=endpoint, EndpointConfigName=back)
    assert serverless.sagemaker.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"] == instances
