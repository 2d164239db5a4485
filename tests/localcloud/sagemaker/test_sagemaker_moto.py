"""Training jobs and endpoints through boto3 against the local cloud (moto server + patches).

Uses the session's in-process local cloud from conftest.py rather than `moto.mock_aws`: entering and
leaving mock_aws resets moto's process-wide backends, which would wipe the shared cloud's state.
"""

from __future__ import annotations

import io
import tarfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
import xgboost as xgb
from botocore.exceptions import ClientError

from localcloud.sagemaker import endpoints, training

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
# Names are unique per run: the local cloud is shared by the session and job names are unique forever.
RUN = uuid.uuid4().hex[:8]
BUCKET = f"pipeline-{RUN}"
JOB_1, JOB_2 = f"churn-run-1-{RUN}", f"churn-run-2-{RUN}"
ENDPOINT = f"churn-endpoint-{RUN}"
FEATURES = 4


def _csv(rows: np.ndarray) -> bytes:
    buffer = io.StringIO()
    np.savetxt(buffer, rows, delimiter=",", fmt="%.6g")
    return buffer.getvalue().encode()


class Cloud:
    def __init__(self, aws: Callable[[str], Any], suffix: str, role_arn: str) -> None:
        self.suffix = suffix
        self.role_arn = role_arn
        self.s3 = aws("s3")
        self.sagemaker = aws("sagemaker")
        self.runtime = aws("sagemaker-runtime")
        rng = np.random.default_rng(11)
        self.features = rng.normal(size=(400, FEATURES))
        labels = (self.features[:, 0] + 0.5 * self.features[:, 3] > 0).astype(int)
        data = np.column_stack([labels, self.features])
        self.s3.create_bucket(Bucket=BUCKET)
        self.s3.put_object(Bucket=BUCKET, Key="etl/train/part-00000.csv", Body=_csv(data[:300]))
        self.s3.put_object(Bucket=BUCKET, Key="etl/validation/part-00000.csv", Body=_csv(data[300:]))

    def create_training_job(self, name: str, **overrides: Any) -> None:
        request: dict[str, Any] = {
            "TrainingJobName": name,
            "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            "RoleArn": self.role_arn,
            "HyperParameters": {"num_round": "10", "objective": "binary:logistic", "eval_metric": "error"},
            "InputDataConfig": [
                {
                    "ChannelName": channel,
                    "ContentType": "text/csv",
                    "DataSource": {
                        "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/etl/{channel}/"}
                    },
                }
                for channel in ("train", "validation")
            ],
            "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/model/"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        }
        request.update(overrides)
        self.sagemaker.create_training_job(**request)

    def wait(
        self, describe: Callable[[], dict[str, Any]], status_key: str, busy: tuple[str, ...]
    ) -> dict[str, Any]:
        deadline = time.monotonic() + 90
        while True:
            description = describe()
            if description[status_key] not in busy:
                return description
            assert time.monotonic() < deadline, f"still {description[status_key]} after 90 s"
            time.sleep(0.1)

    def wait_training(self, name: str) -> dict[str, Any]:
        return self.wait(
            lambda: self.sagemaker.describe_training_job(TrainingJobName=name),
            "TrainingJobStatus",
            ("InProgress",),
        )

    def wait_endpoint(self, name: str) -> dict[str, Any]:
        return self.wait(
            lambda: self.sagemaker.describe_endpoint(EndpointName=name),
            "EndpointStatus",
            ("Creating", "Updating"),
        )

    def deploy_config(self, suffix: str, model_data_url: str, image: str = IMAGE) -> str:
        self.sagemaker.create_model(
            ModelName=f"model-{suffix}-{RUN}",
            ExecutionRoleArn=self.role_arn,
            PrimaryContainer={"Image": image, "ModelDataUrl": model_data_url},
        )
        self.sagemaker.create_endpoint_config(
            EndpointConfigName=f"config-{suffix}-{RUN}",
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": f"model-{suffix}-{RUN}",
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                }
            ],
        )
        return f"config-{suffix}-{RUN}"

    def predict(self, endpoint: str, rows: np.ndarray) -> list[float]:
        response = self.runtime.invoke_endpoint(
            EndpointName=endpoint, ContentType="text/csv", Body=_csv(rows)
        )
        assert response["ContentType"] == "text/csv"
        return [float(value) for value in response["Body"].read().decode().split(",")]


@pytest.fixture(scope="module")
def cloud(aws: Callable[[str], Any], role_arn: str) -> Iterator[Cloud]:
    cloud = Cloud(aws, RUN, role_arn)
    try:
        yield cloud
    finally:
        for endpoint in cloud.sagemaker.list_endpoints(NameContains=cloud.suffix)["Endpoints"]:
            cloud.sagemaker.delete_endpoint(EndpointName=endpoint["EndpointName"])  # stops its server


@pytest.fixture(scope="module")
def trained(cloud: Cloud) -> dict[str, dict[str, Any]]:
    """Two completed jobs with different hyperparameters, so their models predict differently."""
    cloud.create_training_job(JOB_1)
    cloud.create_training_job(
        JOB_2,
        HyperParameters={"num_round": "3", "max_depth": "1", "eta": "0.1", "objective": "binary:logistic"},
    )
    return {name: cloud.wait_training(name) for name in (JOB_1, JOB_2)}


def test_training_job_completes_with_metrics_and_model(
    cloud: Cloud, trained: dict[str, dict[str, Any]]
) -> None:
    job = trained[JOB_1]
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    assert [t["Status"] for t in job["SecondaryStatusTransitions"]] == [
        "Starting",
        "Downloading",
        "Training",
        "Uploading",
        "Completed",
    ]
    metrics = {m["MetricName"]: m["Value"] for m in job["FinalMetricDataList"]}
    assert set(metrics) == {"train:error", "validation:error"}
    assert 0.0 <= metrics["validation:error"] <= 0.5
    assert job["TrainingStartTime"] <= job["TrainingEndTime"]
    assert job["TrainingTimeInSeconds"] >= 1
    artifact = job["ModelArtifacts"]["S3ModelArtifacts"]
    assert artifact == f"s3://{BUCKET}/model/{JOB_1}/output/model.tar.gz"
    body = cloud.s3.get_object(Bucket=BUCKET, Key=f"model/{JOB_1}/output/model.tar.gz")["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
        assert archive.getnames() == ["xgboost-model"]
        model_bytes = archive.extractfile("xgboost-model").read()  # type: ignore[union-attr]
    booster = xgb.Booster()
    booster.load_model(bytearray(model_bytes))
    assert booster.num_boosted_rounds() == 10
    log = training.training_log_path(JOB_1).read_text().splitlines()
    assert log[-1].startswith("[9]#011train-error:")
    assert "#011validation-error:" in log[-1]


def test_training_job_names_are_validated_and_unique(cloud: Cloud, trained: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as duplicate:
        cloud.create_training_job(JOB_1)
    assert duplicate.value.response["Error"]["Code"] == "ResourceInUse"
    assert "already exists" in duplicate.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as invalid:
        cloud.create_training_job("bad_name!")
    assert invalid.value.response["Error"]["Code"] == "ValidationException"
    assert "at 'trainingJobName' failed to satisfy constraint" in invalid.value.response["Error"]["Message"]
    with pytest.raises(ClientError, match="at 'roleArn' failed to satisfy constraint"):
        cloud.create_training_job(f"role-check-{RUN}", RoleArn="not-an-arn-but-long-enough")


def test_unsupported_image_fails_the_job_with_a_reason(cloud: Cloud) -> None:
    cloud.create_training_job(
        f"old-image-{RUN}",
        AlgorithmSpecification={
            "TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
            "TrainingInputMode": "File",
        },
    )
    job = cloud.wait_training(f"old-image-{RUN}")
    assert job["TrainingJobStatus"] == "Failed"
    assert job["FailureReason"].startswith("ClientError: image ")
    assert "cannot be emulated by the local cloud" in job["FailureReason"]


def test_hidden_file_in_a_channel_fails_the_job_with_the_containers_reason(cloud: Cloud) -> None:
    cloud.s3.put_object(Bucket=BUCKET, Key="spark/train/part-00000.csv", Body=b"1,0.1,0.2,0.3,0.4\n")
    cloud.s3.put_object(Bucket=BUCKET, Key="spark/train/_SUCCESS", Body=b"")
    cloud.create_training_job(
        f"spark-output-{RUN}",
        InputDataConfig=[
            {
                "ChannelName": "train",
                "ContentType": "text/csv",
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/spark/train/"}
                },
            }
        ],
    )
    job = cloud.wait_training(f"spark-output-{RUN}")
    assert job["TrainingJobStatus"] == "Failed"
    assert job["FailureReason"].startswith("ClientError: channel 'train' contains the hidden file '_SUCCESS'")


def test_a_job_over_its_max_runtime_is_stopped(cloud: Cloud) -> None:
    cloud.create_training_job(
        f"too-long-{RUN}",
        HyperParameters={"num_round": "1000000", "objective": "binary:logistic"},
        StoppingCondition={"MaxRuntimeInSeconds": 1},
    )
    job = cloud.wait_training(f"too-long-{RUN}")
    assert (job["TrainingJobStatus"], job["SecondaryStatus"]) == ("Stopped", "MaxRuntimeExceeded")


def test_empty_prefix_fails_the_job(cloud: Cloud) -> None:
    cloud.create_training_job(
        f"no-data-{RUN}",
        InputDataConfig=[
            {
                "ChannelName": "train",
                "ContentType": "text/csv",
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/nothing/"}
                },
            }
        ],
    )
    job = cloud.wait_training(f"no-data-{RUN}")
    assert job["TrainingJobStatus"] == "Failed"
    assert job["FailureReason"].startswith("ClientError: No S3 objects found under S3 URL")


def test_endpoint_lifecycle(cloud: Cloud, trained: dict[str, dict[str, Any]]) -> None:
    first = cloud.deploy_config("one", trained[JOB_1]["ModelArtifacts"]["S3ModelArtifacts"])
    second = cloud.deploy_config("two", trained[JOB_2]["ModelArtifacts"]["S3ModelArtifacts"])
    broken = cloud.deploy_config("broken", f"s3://{BUCKET}/model/missing/model.tar.gz")
    assert cloud.sagemaker.describe_model(ModelName=f"model-one-{RUN}")["PrimaryContainer"]["Image"] == IMAGE
    config = cloud.sagemaker.describe_endpoint_config(EndpointConfigName=first)
    assert config["ProductionVariants"][0]["ModelName"] == f"model-one-{RUN}"

    cloud.sagemaker.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName=first)
    assert cloud.sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointStatus"] == "Creating"
    with pytest.raises(ClientError, match="Cannot update in-progress endpoint"):
        cloud.sagemaker.update_endpoint(EndpointName=ENDPOINT, EndpointConfigName=second)
    with pytest.raises(ClientError, match="Cannot create already existing endpoint"):
        cloud.sagemaker.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName=first)
    described = cloud.wait_endpoint(ENDPOINT)
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", first)

    rows = cloud.features[:5]
    first_predictions = cloud.predict(ENDPOINT, rows)
    assert len(first_predictions) == 5
    assert all(0.0 <= value <= 1.0 for value in first_predictions)

    cloud.sagemaker.update_endpoint(EndpointName=ENDPOINT, EndpointConfigName=second)
    updating = cloud.sagemaker.describe_endpoint(EndpointName=ENDPOINT)
    assert updating["EndpointStatus"] == "Updating"
    assert updating["PendingDeploymentSummary"]["EndpointConfigName"] == second
    assert cloud.predict(ENDPOINT, rows) == first_predictions  # the old model serves meanwhile
    described = cloud.wait_endpoint(ENDPOINT)
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", second)
    second_predictions = cloud.predict(ENDPOINT, rows)
    assert second_predictions != pytest.approx(first_predictions)

    cloud.sagemaker.update_endpoint(EndpointName=ENDPOINT, EndpointConfigName=broken)
    described = cloud.wait_endpoint(ENDPOINT)
    assert (described["EndpointStatus"], described["EndpointConfigName"]) == ("InService", second)
    assert "Failed to download model data" in described["FailureReason"]
    assert cloud.predict(ENDPOINT, rows) == second_predictions

    names = [
        e["EndpointName"]
        for e in cloud.sagemaker.list_endpoints(NameContains=f"churn-endpoint-{RUN}")["Endpoints"]
    ]
    assert names == [ENDPOINT]
    with pytest.raises(ClientError) as model_error:
        cloud.runtime.invoke_endpoint(EndpointName=ENDPOINT, ContentType="text/csv", Body=b"1,2")
    assert model_error.value.response["Error"]["Code"] == "ModelError"
    assert "Feature size of csv inference data 2" in model_error.value.response["Error"]["Message"]

    server = endpoints.route("123456789012", "us-east-1", ENDPOINT)
    assert server is not None
    cloud.sagemaker.delete_endpoint(EndpointName=ENDPOINT)
    assert server.process.poll() is not None  # the model server is stopped with the endpoint
    with pytest.raises(ClientError) as gone:
        cloud.predict(ENDPOINT, rows)
    assert gone.value.response["Error"]["Code"] == "ValidationError"


def test_endpoint_with_unsupported_image_fails(cloud: Cloud, trained: dict[str, dict[str, Any]]) -> None:
    config = cloud.deploy_config(
        "old-image",
        trained[JOB_1]["ModelArtifacts"]["S3ModelArtifacts"],
        image="683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
    )
    cloud.sagemaker.create_endpoint(EndpointName=f"old-image-endpoint-{RUN}", EndpointConfigName=config)
    described = cloud.wait_endpoint(f"old-image-endpoint-{RUN}")
    assert described["EndpointStatus"] == "Failed"
    assert "cannot be emulated by the local cloud" in described["FailureReason"]
    with pytest.raises(ClientError, match="not found"):
        cloud.predict(f"old-image-endpoint-{RUN}", cloud.features[:1])


def test_invocation_metrics_in_cloudwatch(
    cloud: Cloud, trained: dict[str, dict[str, Any]], aws: Callable[[str], Any]
) -> None:
    name = f"metrics-endpoint-{RUN}"
    config = cloud.deploy_config("metrics", trained[JOB_1]["ModelArtifacts"]["S3ModelArtifacts"])
    cloud.sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=config)
    assert cloud.wait_endpoint(name)["EndpointStatus"] == "InService"
    successes = 3
    for _ in range(successes):
        cloud.predict(name, cloud.features[:2])
    with pytest.raises(ClientError) as model_error:  # the model answers 400: a 4xx, surfaced as ModelError
        cloud.runtime.invoke_endpoint(EndpointName=name, ContentType="text/csv", Body=b"1,2")
    assert model_error.value.response["Error"]["Code"] == "ModelError"

    cloudwatch = aws("cloudwatch")
    now = datetime.now(UTC)

    def statistics(metric: str) -> dict[str, Any]:
        datapoints = cloudwatch.get_metric_statistics(
            Namespace="AWS/SageMaker",
            MetricName=metric,
            Dimensions=[
                {"Name": "EndpointName", "Value": name},
                {"Name": "VariantName", "Value": "AllTraffic"},
            ],
            StartTime=now - timedelta(minutes=10),
            EndTime=now + timedelta(minutes=10),
            Period=3600,
            Statistics=["Sum", "SampleCount", "Minimum"],
        )["Datapoints"]
        assert len(datapoints) == 1, datapoints
        return datapoints[0]

    invocations = statistics("Invocations")
    assert (invocations["Sum"], invocations["Unit"]) == (successes + 1, "None")
    errors_4xx, errors_5xx = statistics("Invocation4XXErrors"), statistics("Invocation5XXErrors")
    assert (errors_4xx["Sum"], errors_4xx["SampleCount"], errors_4xx["Unit"]) == (1, successes + 1, "None")
    assert (errors_5xx["Sum"], errors_5xx["SampleCount"]) == (0, successes + 1)
    for latency in ("ModelLatency", "OverheadLatency"):
        datapoint = statistics(latency)
        assert (datapoint["SampleCount"], datapoint["Unit"]) == (successes + 1, "Microseconds")
    assert statistics("ModelLatency")["Minimum"] > 0
    other = cloudwatch.list_metrics(
        Namespace="AWS/SageMaker", Dimensions=[{"Name": "EndpointName", "Value": f"{name}-other"}]
    )
    assert other["Metrics"] == []
