"""Batch transform jobs against the local cloud: the model's container really predicts every record, output
objects are named and ordered as on AWS, mini-batches follow MaxPayloadInMB, failures and IAM denials fail
the job with a reason naming the object, and Step Functions' `createTransformJob(.sync)` waits for it."""

from __future__ import annotations

import gzip
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import xgboost as xgb
from botocore.exceptions import ClientError

from localcloud.sagemaker import transform_jobs
from tests.localcloud.sagemaker.role_statements import ECR_PULL
from tests.localcloud.sagemaker.xgboost_models import model_tarball

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
FEATURES = 4
TERMINAL = ("Completed", "Failed", "Stopped")
LINE_BYTES = 40  # every generated row: 4 fixed-width fields, 3 commas and the newline


def _rows(count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-9, 9, size=(count, FEATURES))


def _csv(rows: np.ndarray, ids: list[str] | None = None) -> bytes:
    lines = [",".join(f"{value:+.6f}" for value in row) for row in rows]
    if ids is not None:
        lines = [f"{row_id},{line}" for row_id, line in zip(ids, lines, strict=True)]
    return "".join(line + "\n" for line in lines).encode()


def _poll(describe: Callable[[], dict], done: Callable[[dict], bool], timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        described = describe()
        if done(described):
            return described
        assert time.monotonic() < deadline, f"not done after {timeout:.0f} s: {described}"
        time.sleep(0.1)


def _expected(booster: xgb.Booster, body: bytes, skip_columns: int = 0) -> list[float]:
    """What the model predicts for the CSV rows, parsed as the container parses them (float32)."""
    rows = [line.split(",")[skip_columns:] for line in body.decode().splitlines()]
    return booster.inplace_predict(np.asarray(rows, dtype=np.float32)).tolist()


@dataclass
class Batch:
    """The module's bucket and model, and helpers to run transform jobs on them."""

    aws: Callable[[str], Any]
    bucket: str
    role_arn: str
    model_name: str
    booster: xgb.Booster

    @property
    def sagemaker(self) -> Any:
        return self.aws("sagemaker")

    def put(self, key: str, body: bytes) -> str:
        self.aws("s3").put_object(Bucket=self.bucket, Key=key, Body=body)
        return f"s3://{self.bucket}/{key}"

    def read(self, key: str) -> bytes:
        return self.aws("s3").get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def keys(self, prefix: str) -> list[str]:
        listed = self.aws("s3").list_objects_v2(Bucket=self.bucket, Prefix=prefix).get("Contents", [])
        return [entry["Key"] for entry in listed]

    def request(self, name: str, input_uri: str, output_uri: str, **overrides: Any) -> dict[str, Any]:
        return {
            "TransformJobName": name,
            "ModelName": self.model_name,
            "TransformInput": {
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": input_uri}},
                "ContentType": "text/csv",
                "SplitType": "Line",
            },
            "TransformOutput": {"S3OutputPath": output_uri, "Accept": "text/csv", "AssembleWith": "Line"},
            "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
            **overrides,
        }

    def wait(self, name: str) -> dict[str, Any]:
        return _poll(
            lambda: self.sagemaker.describe_transform_job(TransformJobName=name),
            lambda described: described["TransformJobStatus"] in TERMINAL,
        )

    def transform(self, name: str, input_uri: str, output_uri: str, **overrides: Any) -> dict[str, Any]:
        self.sagemaker.create_transform_job(**self.request(name, input_uri, output_uri, **overrides))
        return self.wait(name)


@pytest.fixture(scope="module")
def batch(aws: Callable[[str], Any], role_arn: str) -> Iterator[Batch]:
    bucket = f"transform-{uuid.uuid4().hex[:8]}"
    aws("s3").create_bucket(Bucket=bucket)
    tarball, booster = model_tarball(FEATURES, seed=11)
    aws("s3").put_object(Bucket=bucket, Key="model/model.tar.gz", Body=tarball)
    model_name = f"transform-model-{uuid.uuid4().hex[:6]}"
    aws("sagemaker").create_model(
        ModelName=model_name,
        ExecutionRoleArn=role_arn,
        PrimaryContainer={"Image": IMAGE, "ModelDataUrl": f"s3://{bucket}/model/model.tar.gz"},
    )
    yield Batch(aws, bucket, role_arn, model_name, booster)


def test_every_row_is_predicted_in_input_order_as_the_model_predicts_it(
    batch: Batch, unique_name: str
) -> None:
    body = _csv(_rows(2_500, seed=1))
    input_uri = batch.put(f"{unique_name}/in/data.csv", body)
    request = batch.request(unique_name, input_uri, f"s3://{batch.bucket}/{unique_name}/out")

    batch.sagemaker.create_transform_job(**request, BatchStrategy="MultiRecord", MaxPayloadInMB=1)
    described = batch.wait(unique_name)

    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    output = batch.read(f"{unique_name}/out/data.csv.out").decode()
    assert output.endswith("\n")
    assert [float(line) for line in output.splitlines()] == _expected(batch.booster, body)
    for field in ("ModelName", "TransformInput", "TransformOutput", "TransformResources"):
        assert described[field] == request[field]
    assert described["BatchStrategy"] == "MultiRecord" and described["MaxPayloadInMB"] == 1
    assert described["CreationTime"] <= described["TransformStartTime"] <= described["TransformEndTime"]
    assert "FailureReason" not in described


def test_each_object_under_the_prefix_gets_its_own_out_object(batch: Batch, unique_name: str) -> None:
    bodies = {"a.csv": _csv(_rows(3, seed=2)), "nested/b.csv": _csv(_rows(5, seed=3)), "c": _csv(_rows(1, 4))}
    for name, body in bodies.items():
        batch.put(f"{unique_name}/in/{name}", body)

    described = batch.transform(
        unique_name, f"s3://{batch.bucket}/{unique_name}/in/", f"s3://{batch.bucket}/{unique_name}/out/"
    )

    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    assert sorted(batch.keys(f"{unique_name}/out/")) == [
        f"{unique_name}/out/a.csv.out",
        f"{unique_name}/out/c.out",
        f"{unique_name}/out/nested/b.csv.out",
    ]
    for name, body in bodies.items():
        output = batch.read(f"{unique_name}/out/{name}.out").decode().splitlines()
        assert [float(line) for line in output] == _expected(batch.booster, body)


def test_a_manifest_file_lists_the_objects_and_names_their_outputs(batch: Batch, unique_name: str) -> None:
    first, second = _csv(_rows(2, seed=22)), _csv(_rows(3, seed=23))
    batch.put(f"{unique_name}/data/one.csv", first)
    batch.put(f"{unique_name}/data/deeper/two.csv", second)
    batch.put(f"{unique_name}/data/not-listed.csv", _csv(_rows(1, seed=24)))
    manifest = [{"prefix": f"s3://{batch.bucket}/{unique_name}/data/"}, "one.csv", "deeper/two.csv"]
    manifest_uri = batch.put(f"{unique_name}/input.manifest", json.dumps(manifest).encode())
    request = batch.request(unique_name, manifest_uri, f"s3://{batch.bucket}/{unique_name}/out")
    request["TransformInput"]["DataSource"]["S3DataSource"]["S3DataType"] = "ManifestFile"

    batch.sagemaker.create_transform_job(**request)
    described = batch.wait(unique_name)

    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    assert sorted(batch.keys(f"{unique_name}/out/")) == [
        f"{unique_name}/out/deeper/two.csv.out",
        f"{unique_name}/out/one.csv.out",
    ]
    output = batch.read(f"{unique_name}/out/deeper/two.csv.out").decode().splitlines()
    assert [float(line) for line in output] == _expected(batch.booster, second)


def test_gzip_input_is_decompressed_before_it_is_split(batch: Batch, unique_name: str) -> None:
    body = _csv(_rows(30, seed=25))
    input_uri = batch.put(f"{unique_name}/in/data.csv.gz", gzip.compress(body))
    request = batch.request(unique_name, input_uri, f"s3://{batch.bucket}/{unique_name}/out/")
    request["TransformInput"]["CompressionType"] = "Gzip"

    batch.sagemaker.create_transform_job(**request)
    described = batch.wait(unique_name)

    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    output = batch.read(f"{unique_name}/out/data.csv.gz.out").decode().splitlines()
    assert [float(line) for line in output] == _expected(batch.booster, body)


def test_multi_record_mini_batches_fill_max_payload_and_single_record_sends_one_each(
    batch: Batch, unique_name: str
) -> None:
    rows = 60_000
    body = _csv(_rows(rows, seed=5))
    assert len(body) == rows * LINE_BYTES
    input_uri = batch.put(f"{unique_name}/in/big.csv", body)
    small_uri = batch.put(f"{unique_name}/small/few.csv", _csv(_rows(7, seed=6)))

    multi = batch.transform(
        f"{unique_name}-multi",
        input_uri,
        f"s3://{batch.bucket}/{unique_name}/out-multi/",
        BatchStrategy="MultiRecord",
        MaxPayloadInMB=1,
    )
    single = batch.transform(
        f"{unique_name}-single",
        small_uri,
        f"s3://{batch.bucket}/{unique_name}/out-single/",
        BatchStrategy="SingleRecord",
    )

    assert multi["TransformJobStatus"] == single["TransformJobStatus"] == "Completed"
    # 1 MB is 1,048,576 bytes: 26,214 rows of 40 bytes per request, so 60,000 rows take 3 requests.
    [big] = transform_jobs.object_results(multi["TransformJobArn"])
    assert (big.records, big.requests, big.written) == (rows, 3, True)
    [few] = transform_jobs.object_results(single["TransformJobArn"])
    assert (few.records, few.requests) == (7, 7)
    output = batch.read(f"{unique_name}/out-multi/big.csv.out").decode().splitlines()
    assert len(output) == rows
    log = transform_jobs.data_log_path(f"{unique_name}-multi").read_text()
    assert "MaxConcurrentTransforms=1, MaxPayloadInMB=1, BatchStrategy=MULTI_RECORD" in log


def test_without_batch_settings_the_containers_execution_parameters_apply(
    batch: Batch, unique_name: str
) -> None:
    input_uri = batch.put(f"{unique_name}/in/data.csv", _csv(_rows(10, seed=7)))

    described = batch.transform(unique_name, input_uri, f"s3://{batch.bucket}/{unique_name}/out/")

    assert described["TransformJobStatus"] == "Completed"
    assert "BatchStrategy" not in described and "MaxPayloadInMB" not in described  # described as given
    parameters = transform_jobs.execution_parameters(described["TransformJobArn"])
    assert parameters == transform_jobs.ExecutionParameters(1, "MultiRecord", 6)
    [result] = transform_jobs.object_results(described["TransformJobArn"])
    assert result.requests == 1


def test_join_source_input_appends_each_prediction_to_its_input_record(
    batch: Batch, unique_name: str
) -> None:
    ids = [f"customer-{index}" for index in range(6)]
    body = _csv(_rows(6, seed=8), ids=ids)
    input_uri = batch.put(f"{unique_name}/in/scored.csv", body)
    predictions = _expected(batch.booster, body, skip_columns=1)

    joined = batch.transform(
        f"{unique_name}-all",
        input_uri,
        f"s3://{batch.bucket}/{unique_name}/all/",
        DataProcessing={"InputFilter": "$[1:]", "JoinSource": "Input"},
    )
    id_only = batch.transform(
        f"{unique_name}-id",
        input_uri,
        f"s3://{batch.bucket}/{unique_name}/id/",
        DataProcessing={"InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": "$[0,-1]"},
    )

    assert joined["TransformJobStatus"] == id_only["TransformJobStatus"] == "Completed"
    assert joined["DataProcessing"] == {"InputFilter": "$[1:]", "JoinSource": "Input"}
    all_lines = batch.read(f"{unique_name}/all/scored.csv.out").decode().splitlines()
    inputs = body.decode().splitlines()
    assert [line.rsplit(",", 1)[0] for line in all_lines] == inputs
    assert [float(line.rsplit(",", 1)[1]) for line in all_lines] == predictions
    id_lines = batch.read(f"{unique_name}/id/scored.csv.out").decode().splitlines()
    assert [line.split(",")[0] for line in id_lines] == ids
    assert [float(line.split(",")[1]) for line in id_lines] == predictions


def test_a_record_the_container_refuses_fails_the_job_naming_the_object(
    batch: Batch, unique_name: str
) -> None:
    batch.put(f"{unique_name}/in/good.csv", _csv(_rows(4, seed=9)))
    bad = _csv(_rows(3, seed=10)) + b"1.0,2.0,3.0\n"  # record 4 has 3 features where the model takes 4
    batch.put(f"{unique_name}/in/bad.csv", bad)

    described = batch.transform(
        unique_name,
        f"s3://{batch.bucket}/{unique_name}/in/",
        f"s3://{batch.bucket}/{unique_name}/out/",
        BatchStrategy="SingleRecord",
    )

    assert described["TransformJobStatus"] == "Failed"
    reason = described["FailureReason"]
    assert reason.startswith("ClientError: See job logs for more information.")
    assert f"{batch.bucket}/{unique_name}/in/bad.csv: Bad HTTP status received from algorithm: 400" in reason
    assert (
        "Feature size of csv inference data 3 is not consistent with feature size of trained model 4"
        in reason
    )
    # No partial output for the failed object; the other object was still transformed, as on AWS.
    assert batch.keys(f"{unique_name}/out/") == [f"{unique_name}/out/good.csv.out"]
    log = transform_jobs.data_log_path(unique_name).read_text()
    assert f"[sagemaker logs]: {batch.bucket}/{unique_name}/in/bad.csv: Message:" in log


def test_an_answer_with_fewer_lines_than_records_fails_the_object(batch: Batch, unique_name: str) -> None:
    # A blank last line is a record; the container drops it, so 3 records get 2 predictions.
    input_uri = batch.put(f"{unique_name}/in/short.csv", _csv(_rows(2, seed=12)) + b"\n")

    described = batch.transform(unique_name, input_uri, f"s3://{batch.bucket}/{unique_name}/out/")

    assert described["TransformJobStatus"] == "Failed"
    assert (
        "short.csv: The algorithm answered 2 lines for a mini-batch of 3 records"
        in described["FailureReason"]
    )
    assert batch.keys(f"{unique_name}/out/") == []


def _restricted_role(aws: Callable[[str], Any], bucket: str, readable: str, writable: str) -> str:
    name = f"transform-{uuid.uuid4().hex[:8]}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            ECR_PULL,
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"},
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": [f"arn:aws:s3:::{bucket}/model/*", f"arn:aws:s3:::{bucket}/{readable}"],
            },
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/{writable}"},
        ],
    }
    iam = aws("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="transform", PolicyDocument=json.dumps(policy))
    return arn


@pytest.mark.parametrize(
    ("readable", "writable", "operation"),
    [("nothing/*", "{job}/out/*", "GetObject"), ("{job}/in/*", "nothing/*", "PutObject")],
)
def test_the_models_role_needs_s3_access_to_input_and_output(
    batch: Batch, unique_name: str, readable: str, writable: str, operation: str
) -> None:
    role = _restricted_role(
        batch.aws, batch.bucket, readable.format(job=unique_name), writable.format(job=unique_name)
    )
    batch.sagemaker.create_model(
        ModelName=unique_name,
        ExecutionRoleArn=role,
        PrimaryContainer={"Image": IMAGE, "ModelDataUrl": f"s3://{batch.bucket}/model/model.tar.gz"},
    )
    input_uri = batch.put(f"{unique_name}/in/data.csv", _csv(_rows(3, seed=13)))

    described = batch.transform(
        unique_name, input_uri, f"s3://{batch.bucket}/{unique_name}/out/", ModelName=unique_name
    )

    assert described["TransformJobStatus"] == "Failed"
    reason = described["FailureReason"]
    assert f"An error occurred (AccessDenied) when calling the {operation} operation" in reason
    assert (
        f"assumed-role/{role.rsplit('/', 1)[1]}/SageMaker is not authorized to perform: s3:{operation}"
        in reason
    )
    assert batch.keys(f"{unique_name}/out/") == []


def test_output_is_written_with_the_jobs_kms_key(batch: Batch, unique_name: str) -> None:
    key_arn = batch.aws("kms").create_key(Description=unique_name)["KeyMetadata"]["Arn"]
    input_uri = batch.put(f"{unique_name}/in/data.csv", _csv(_rows(3, seed=14)))

    described = batch.transform(
        unique_name,
        input_uri,
        f"s3://{batch.bucket}/{unique_name}/out/",
        TransformOutput={"S3OutputPath": f"s3://{batch.bucket}/{unique_name}/out/", "KmsKeyId": key_arn},
    )

    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    head = batch.aws("s3").head_object(Bucket=batch.bucket, Key=f"{unique_name}/out/data.csv.out")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", key_arn)


def test_a_model_from_a_registered_package_runs_the_packages_container(
    batch: Batch, unique_name: str
) -> None:
    sagemaker = batch.sagemaker
    sagemaker.create_model_package_group(ModelPackageGroupName=unique_name)
    package_arn = sagemaker.create_model_package(
        ModelPackageGroupName=unique_name,
        InferenceSpecification={
            "Containers": [{"Image": IMAGE, "ModelDataUrl": f"s3://{batch.bucket}/model/model.tar.gz"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        ModelApprovalStatus="Approved",
    )["ModelPackageArn"]
    sagemaker.create_model(
        ModelName=unique_name, ExecutionRoleArn=batch.role_arn, Containers=[{"ModelPackageName": package_arn}]
    )
    body = _csv(_rows(5, seed=15))
    input_uri = batch.put(f"{unique_name}/in/data.csv", body)

    described = batch.transform(
        unique_name, input_uri, f"s3://{batch.bucket}/{unique_name}/out/", ModelName=unique_name
    )

    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    output = batch.read(f"{unique_name}/out/data.csv.out").decode().splitlines()
    assert [float(line) for line in output] == _expected(batch.booster, body)


def test_a_stopped_job_ends_stopped_without_output(batch: Batch, unique_name: str) -> None:
    # One request per record: far longer than it takes to stop it.
    input_uri = batch.put(f"{unique_name}/in/data.csv", _csv(_rows(50_000, seed=16)))
    batch.sagemaker.create_transform_job(
        **batch.request(unique_name, input_uri, f"s3://{batch.bucket}/{unique_name}/out/"),
        BatchStrategy="SingleRecord",
    )

    batch.sagemaker.stop_transform_job(TransformJobName=unique_name)
    stopping = batch.sagemaker.describe_transform_job(TransformJobName=unique_name)["TransformJobStatus"]
    described = batch.wait(unique_name)

    assert stopping in ("Stopping", "Stopped")
    assert described["TransformJobStatus"] == "Stopped"
    assert "TransformEndTime" in described
    assert batch.keys(f"{unique_name}/out/") == []
    with pytest.raises(ClientError, match="the transform job is in status Stopped"):
        batch.sagemaker.stop_transform_job(TransformJobName=unique_name)


def _create_error(batch: Batch, request: dict[str, Any]) -> ClientError:
    with pytest.raises(ClientError) as raised:
        batch.sagemaker.create_transform_job(**request)
    return raised.value


def test_requests_are_validated_as_sagemaker_does(batch: Batch, unique_name: str) -> None:
    input_uri = batch.put(f"{unique_name}/in/data.csv", _csv(_rows(2, seed=17)))
    output_uri = f"s3://{batch.bucket}/{unique_name}/out/"
    request = batch.request(unique_name, input_uri, output_uri)

    invalid = _create_error(
        batch,
        {
            **request,
            "TransformJobName": "bad_name",
            "MaxPayloadInMB": 101,
            "BatchStrategy": "Many",
            "TransformInput": {**request["TransformInput"], "SplitType": "Words"},
            "TransformOutput": {**request["TransformOutput"], "AssembleWith": "Paragraph"},
            "TransformResources": {"InstanceType": "m5.large", "InstanceCount": 1},
            "DataProcessing": {"JoinSource": "Output"},
        },
    )
    message = invalid.response["Error"]["Message"]
    assert invalid.response["Error"]["Code"] == "ValidationException"
    assert message.startswith("7 validation errors detected: ")
    assert (
        "Value 'bad_name' at 'transformJobName' failed to satisfy constraint: Member must satisfy regular "
        in (message)
    )
    assert (
        "Value '101' at 'maxPayloadInMB' failed to satisfy constraint: Member must have value less than or "
        in (message)
    )
    assert "at 'batchStrategy' failed to satisfy constraint: Member must satisfy enum value set: " in message
    assert (
        "Value 'Words' at 'transformInput.splitType' failed to satisfy constraint: Member must satisfy enum "
        in (message)
    )
    assert "[None, Line, RecordIO, TFRecord]" in message
    assert "at 'transformOutput.assembleWith'" in message and "at 'dataProcessing.joinSource'" in message
    assert "Value 'm5.large' at 'transformResources.instanceType'" in message

    too_much = _create_error(batch, {**request, "MaxConcurrentTransforms": 5, "MaxPayloadInMB": 25})
    assert "MaxConcurrentTransforms * MaxPayloadInMB (5 * 25 = 125) cannot exceed 100 MB." in str(too_much)

    missing_model = _create_error(batch, {**request, "ModelName": "no-such-model"})
    assert 'Could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/no-such-model".' in str(
        missing_model
    )

    empty = _create_error(
        batch, batch.request(unique_name, f"s3://{batch.bucket}/{unique_name}/none/", output_uri)
    )
    assert f'No S3 objects found under S3 URL "s3://{batch.bucket}/{unique_name}/none/"' in str(empty)

    batch.sagemaker.create_transform_job(**request)
    taken = _create_error(batch, request)
    assert taken.response["Error"]["Code"] == "ResourceInUse"
    assert batch.wait(unique_name)["TransformJobStatus"] == "Completed"


def test_what_the_local_cloud_cannot_run_fails_the_job_with_a_clear_reason(
    batch: Batch, unique_name: str
) -> None:
    input_uri = batch.put(f"{unique_name}/in/data.csv", _csv(_rows(2, seed=18)))
    request = batch.request(unique_name, input_uri, f"s3://{batch.bucket}/{unique_name}/out/")

    recordio = batch.transform(
        f"{unique_name}-recordio",
        input_uri,
        f"s3://{batch.bucket}/{unique_name}/out/",
        TransformInput={**request["TransformInput"], "SplitType": "RecordIO"},
    )
    ranges = batch.transform(
        f"{unique_name}-ranges",
        input_uri,
        f"s3://{batch.bucket}/{unique_name}/out/",
        DataProcessing={"InputFilter": "$[0:1,3:]"},
    )

    assert recordio["TransformJobStatus"] == ranges["TransformJobStatus"] == "Failed"
    assert recordio["FailureReason"] == (
        "ClientError: SplitType RecordIO is not emulated by the local cloud (None and Line are)"
    )
    assert "Invalid JsonPath: $[0:1,3:]: only single range filters" in ranges["FailureReason"]


def _state_machine(
    batch: Batch, name: str, resource: str, parameters: dict[str, Any], role_arn: str | None = None
) -> dict:
    sfn = batch.aws("stepfunctions")
    definition = {
        "StartAt": "Transform",
        "States": {
            "Transform": {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}
        },
    }
    machine = sfn.create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=role_arn or batch.role_arn
    )
    execution_arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")[
        "executionArn"
    ]
    return _poll(
        lambda: sfn.describe_execution(executionArn=execution_arn),
        lambda described: described["status"] != "RUNNING",
    )


def test_transform_sync_outputs_the_final_description(batch: Batch, unique_name: str) -> None:
    input_uri = batch.put(f"{unique_name}/in/data.csv", _csv(_rows(20, seed=19)))
    parameters = batch.request(unique_name, input_uri, f"s3://{batch.bucket}/{unique_name}/out/")

    execution = _state_machine(
        batch, unique_name, "arn:aws:states:::sagemaker:createTransformJob.sync", parameters
    )

    assert execution["status"] == "SUCCEEDED", execution
    output = json.loads(execution["output"])
    assert output["TransformJobName"] == unique_name
    assert output["TransformJobStatus"] == "Completed"
    assert isinstance(output["TransformEndTime"], int)  # epoch milliseconds, as Step Functions renders them
    assert len(batch.read(f"{unique_name}/out/data.csv.out").splitlines()) == 20


def test_transform_sync_failure_is_a_task_failure_with_the_description(
    batch: Batch, unique_name: str
) -> None:
    input_uri = batch.put(f"{unique_name}/in/bad.csv", b"1.0,2.0\n")
    parameters = batch.request(unique_name, input_uri, f"s3://{batch.bucket}/{unique_name}/out/")

    execution = _state_machine(
        batch, unique_name, "arn:aws:states:::sagemaker:createTransformJob.sync", parameters
    )

    assert execution["status"] == "FAILED"
    history = batch.aws("stepfunctions").get_execution_history(executionArn=execution["executionArn"])[
        "events"
    ]
    [failed] = [event for event in history if event["type"] == "ExecutionFailed"]
    details = failed["executionFailedEventDetails"]
    assert details["error"] == "States.TaskFailed"
    cause = json.loads(details["cause"])
    assert cause["TransformJobStatus"] == "Failed"
    assert f"{unique_name}/in/bad.csv: Bad HTTP status received from algorithm: 400" in cause["FailureReason"]


def test_transform_request_response_returns_at_once_with_the_arn(batch: Batch, unique_name: str) -> None:
    input_uri = batch.put(f"{unique_name}/in/data.csv", _csv(_rows(2, seed=20)))
    parameters = batch.request(unique_name, input_uri, f"s3://{batch.bucket}/{unique_name}/out/")

    execution = _state_machine(
        batch, unique_name, "arn:aws:states:::sagemaker:createTransformJob", parameters
    )

    assert execution["status"] == "SUCCEEDED", execution
    assert json.loads(execution["output"]) == {
        "TransformJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:transform-job/{unique_name}"
    }
    assert batch.wait(unique_name)["TransformJobStatus"] == "Completed"


def test_transform_sync_needs_the_managed_rule_of_transform_jobs(batch: Batch, unique_name: str) -> None:
    """`.sync` needs the execution role to manage Step Functions' EventBridge rule for transform jobs."""
    iam = batch.aws("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    no_events = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "NotAction": "events:*", "Resource": "*"}],
    }
    states_role = iam.create_role(RoleName=unique_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"][
        "Arn"
    ]
    iam.put_role_policy(RoleName=unique_name, PolicyName="no-events", PolicyDocument=json.dumps(no_events))
    input_uri = batch.put(f"{unique_name}/in/data.csv", _csv(_rows(2, seed=21)))
    parameters = batch.request(unique_name, input_uri, f"s3://{batch.bucket}/{unique_name}/out/")

    execution = _state_machine(
        batch, unique_name, "arn:aws:states:::sagemaker:createTransformJob.sync", parameters, states_role
    )

    assert execution["status"] == "FAILED"
    history = batch.aws("stepfunctions").get_execution_history(executionArn=execution["executionArn"])[
        "events"
    ]
    [failed] = [event for event in history if event["type"] == "ExecutionFailed"]
    cause = failed["executionFailedEventDetails"]["cause"]
    assert f"'{states_role}' is not authorized to create managed-rule." in cause
    assert "rule/StepFunctionsGetEventsForSageMakerTransformJobsRule" in cause
