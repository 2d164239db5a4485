"""The rendered state machine: valid ASL, the states issue 2 asks for, and their behaviour when executed.

Executions run in moto's Step Functions interpreter with scripted Task results
(tests/statemachine_fixtures/mocked_execution.py); the offline cloud runs the real services end to end.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from statemachine.render import render_definition, template_variables
from tests.statemachine_fixtures.mocked_execution import ExecutionResult, Throw, execute
from tests.statemachine_fixtures.template_values import PIPELINES, template_values

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPARISONS = ("LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")
ASL_VALIDATOR = REPO_ROOT / "node_modules" / ".bin" / "asl-validator"
SYNC_RESOURCES = {
    "arn:aws:states:::glue:startJobRun.sync",
    "arn:aws:states:::sagemaker:createTrainingJob.sync",
}


def _variables(pipeline: str = "churn-xgboost", **overrides: Any) -> dict[str, Any]:
    return template_values(pipeline, **overrides)


def _definition(pipeline: str = "churn-xgboost", **overrides: Any) -> dict[str, Any]:
    return json.loads(render_definition(_variables(pipeline, **overrides)))


def _tasks(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: state for name, state in definition["States"].items() if state["Type"] == "Task"}


# ---------------------------------------------------------------------------------------------------------
# Valid ASL
# ---------------------------------------------------------------------------------------------------------


def _asl_validator(*definitions: str) -> subprocess.CompletedProcess[str]:
    if not ASL_VALIDATOR.exists():
        pytest.fail(f"{ASL_VALIDATOR} is missing: run `make venv` (npm ci) first")
    arguments = [argument for definition in definitions for argument in ("--json-definition", definition)]
    return subprocess.run([str(ASL_VALIDATOR), *arguments], capture_output=True, text=True, timeout=120)


def test_rendered_definitions_pass_asl_validator() -> None:
    # One validator process for all variants: node starts in about a second and a half.
    variants = {
        "demo, gate enabled": _variables(),
        "gate disabled": _variables(quality_gate={"enabled": False}),
        "pipeline without gate": _variables("no-gate"),
        "escaped values": _variables("escapes"),
        "hardened (KMS, VPC, isolation)": _variables("hardened"),
    }
    result = _asl_validator(*(render_definition(variables) for variables in variants.values()))
    assert result.returncode == 0, f"variants in order {list(variants)}:\n{result.stdout}{result.stderr}"
    assert result.stdout.count("is valid") == len(variants), result.stdout


def test_asl_validator_rejects_a_broken_definition() -> None:
    # Proves the validator check above can fail: a transition to a state that does not exist.
    definition = _definition()
    definition["States"]["CreateModel"]["Next"] = "NoSuchState"
    assert _asl_validator(json.dumps(definition)).returncode != 0


def test_every_transition_targets_an_existing_state_and_every_state_is_reachable() -> None:
    for enabled in (True, False):
        states = _definition(quality_gate={"enabled": enabled})["States"]
        targets: dict[str, set[str]] = {}
        for name, state in states.items():
            nexts = {state.get("Next"), state.get("Default")}
            nexts |= {choice["Next"] for choice in state.get("Choices", [])}
            nexts |= {catcher["Next"] for catcher in state.get("Catch", [])}
            targets[name] = {target for target in nexts if target is not None}
            assert targets[name] <= states.keys(), f"{name} points to a missing state"
        reachable, frontier = set(), ["CheckRunKind"]
        while frontier:
            name = frontier.pop()
            if name not in reachable:
                reachable.add(name)
                frontier.extend(targets[name])
        assert reachable == set(states), f"unreachable: {set(states) - reachable}"


# ---------------------------------------------------------------------------------------------------------
# The states of issue 2
# ---------------------------------------------------------------------------------------------------------


def test_pipeline_states_and_their_integrations() -> None:
    states = _definition()["States"]
    resources = {name: state.get("Resource") for name, state in states.items()}
    assert resources["RunEtl"] == "arn:aws:states:::glue:startJobRun.sync"
    assert resources["Train"] == "arn:aws:states:::sagemaker:createTrainingJob.sync"
    assert resources["RegisterModel"] == "arn:aws:states:::aws-sdk:sagemaker:createModelPackage"
    assert resources["CreateModel"] == "arn:aws:states:::sagemaker:createModel"
    assert resources["CreateEndpointConfig"] == "arn:aws:states:::sagemaker:createEndpointConfig"
    assert resources["FindEndpoint"] == "arn:aws:states:::aws-sdk:sagemaker:listEndpoints"
    assert resources["CreateEndpoint"] == "arn:aws:states:::sagemaker:createEndpoint"
    # aws-sdk: the request goes to SageMaker as written, DeploymentConfig included (statemachine/README.md).
    assert resources["UpdateEndpoint"] == "arn:aws:states:::aws-sdk:sagemaker:updateEndpoint"
    assert resources["DescribeEndpoint"] == "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint"
    assert states["CheckEndpointExists"]["Type"] == "Choice"
    assert states["WaitForEndpoint"]["Type"] == "Wait"
    assert states["Done"]["Type"] == "Succeed"
    for fail in ("MetricMissing", "ModelRejected", "EndpointTimeout", "EtlFailed", "TrainingFailed"):
        assert states[fail]["Type"] == "Fail"


def test_etl_and_training_read_the_run_input_contract() -> None:
    states = _definition()["States"]
    assert states["RunEtl"]["Parameters"] == {
        "JobName": "churn-xgboost-etl",
        "Arguments": {
            "--run_id.$": "$.run_id",
            "--input_uri.$": "$.source.uri",
            "--train_uri.$": "$.outputs.train",
            "--validation_uri.$": "$.outputs.validation",
            "--rejected_uri.$": "$.outputs.rejected",
            "--manifest_uri.$": "$.outputs.manifest",
        },
    }
    training = states["Train"]["Parameters"]
    assert training["TrainingJobName.$"] == "$.names.training_job"
    channels = {
        channel["ChannelName"]: channel["DataSource"]["S3DataSource"]["S3Uri.$"]
        for channel in training["InputDataConfig"]
    }
    assert channels == {"train": "$.outputs.train", "validation": "$.outputs.validation"}
    assert training["OutputDataConfig"] == {"S3OutputPath.$": "$.outputs.model"}
    assert training["HyperParameters"] == _variables()["training"]["hyperparameters"]
    assert training["AlgorithmSpecification"]["TrainingImage"].endswith("/sagemaker-xgboost:3.0-5")
    assert states["Train"]["ResultPath"] == "$.training"
    assert states["CreateModel"]["Parameters"]["ModelName.$"] == "$.names.model"
    assert states["CreateEndpointConfig"]["Parameters"]["EndpointConfigName.$"] == "$.names.endpoint_config"


def test_every_task_retries_transient_errors_and_catches_the_rest_into_a_named_failure() -> None:
    for enabled in (True, False):
        definition = _definition(quality_gate={"enabled": enabled})
        for name, task in _tasks(definition).items():
            assert task.get("Retry"), f"{name} has no Retry"
            last_catcher = task["Catch"][-1]
            assert last_catcher["ErrorEquals"] == ["States.ALL"], f"{name} does not catch everything"
            if name == "DescribeRollbackAlarms":
                # Only names the tripped alarms: the run fails as rolled back with or without them.
                assert last_catcher["Next"] == "CheckRollbackCause"
                continue
            if name.startswith("Announce"):
                # The model serves (or waits in the registry) either way: a lost announcement fails no run.
                assert definition["States"][last_catcher["Next"]]["Type"] == "Succeed"
                assert last_catcher["ResultPath"] == "$.announcement_error"
                continue
            failure = definition["States"][last_catcher["Next"]]
            assert failure["Type"] == "Fail", f"{name} catches into {last_catcher['Next']}, not a Fail state"
            assert failure["Error"].endswith("Failed"), (
                f"{name}: error {failure['Error']} does not name the step"
            )
            assert "States.Format(" in failure["CausePath"]


def test_sync_job_failures_are_never_retried() -> None:
    # A failed Glue job run or training job ends a .sync task with States.TaskFailed: running it again
    # repeats the same failure at full cost. Only start-call errors are retried.
    for name, task in _tasks(_definition()).items():
        if task["Resource"] in SYNC_RESOURCES:
            retried = {error for retrier in task["Retry"] for error in retrier["ErrorEquals"]}
            assert not retried & {"States.ALL", "States.TaskFailed"}, f"{name} retries job failures"


def test_a_refused_endpoint_update_is_never_retried_blindly() -> None:
    # A blind retry of UpdateEndpoint could replace a newer upload's model once that one's update finishes:
    # a refusal goes back to the wait loop, which rechecks the claim before the next attempt.
    states = _definition()["States"]
    retried = {error for retrier in states["UpdateEndpoint"]["Retry"] for error in retrier["ErrorEquals"]}
    assert not retried & {"SageMaker.ValidationException", "SageMaker.AmazonSageMakerException"}
    refusal, rest = states["UpdateEndpoint"]["Catch"]
    assert refusal == {
        "ErrorEquals": ["SageMaker.ValidationException", "SageMaker.AmazonSageMakerException"],
        "ResultPath": "$.error",
        "Next": "DescribeEndpointAfterRefusal",
    }
    assert rest["Next"] == "UpdateEndpointFailed"
    assert states["CheckRefusedWhileBusy"]["Default"] == "UpdateEndpointFailed"
    assert states["WaitBeforeUpdate"]["Seconds"] == _variables()["endpoint"]["poll_interval_seconds"]
    assert states["CountUpdateWait"]["Next"] == "VerifyClaim"


def test_the_claim_is_a_conditional_write_to_the_deployments_table() -> None:
    states = _definition()["States"]
    assert states["CreateEndpointConfig"]["Next"] == "ClaimEndpoint"
    claim = states["ClaimEndpoint"]
    assert claim["Resource"] == "arn:aws:states:::dynamodb:updateItem"
    assert claim["Parameters"]["TableName"] == "churn-xgboost-deployments"
    assert claim["Parameters"]["Key"] == {"endpoint_name": {"S": "churn-xgboost-endpoint"}}
    assert (
        claim["Parameters"]["ConditionExpression"] == "attribute_not_exists(order_key) OR order_key <= :mine"
    )
    assert claim["Parameters"]["ExpressionAttributeValues"][":mine"] == {"S.$": "$.order_key"}
    assert claim["Parameters"]["ExpressionAttributeValues"][":run"] == {"S.$": "$.run_id"}
    retried = {error for retrier in claim["Retry"] for error in retrier["ErrorEquals"]}
    # A lost claim is an outcome, never retried (nor caught by a wildcard retrier such as States.TaskFailed).
    assert not retried & {"DynamoDB.ConditionalCheckFailedException", "States.TaskFailed", "States.ALL"}
    assert claim["Catch"][0] == {
        "ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
        "ResultPath": None,
        "Next": "ReadClaim",
    }
    assert claim["Next"] == "FindEndpoint"
    for reader in ("ReadClaim", "VerifyClaim", "ReadClaimAfterDeploy"):
        assert states[reader]["Resource"] == "arn:aws:states:::dynamodb:getItem"
        assert states[reader]["Parameters"]["ConsistentRead"] is True
        assert states[reader]["Parameters"]["TableName"] == "churn-xgboost-deployments"
        assert states[reader]["ResultPath"] == "$.claim"
    assert states["Superseded"]["Type"] == "Succeed"
    assert states["SummarizeSuperseded"]["Parameters"]["outcome"] == "Superseded"
    assert states["Summarize"]["Parameters"]["outcome"] == "Deployed"


@pytest.mark.parametrize("comparison", COMPARISONS)
def test_quality_gate_selects_the_metric_by_name_and_compares_with_the_threshold(comparison: str) -> None:
    states = _definition("escapes", quality_gate={"comparison": comparison, "threshold": 0.35})["States"]
    selection = states["SelectGateMetric"]["Parameters"]["values.$"]
    assert selection == "$.training.FinalMetricDataList[?(@.MetricName == 'validation:ndcg@5')].Value"
    assert states["RecordGateMetric"]["Parameters"]["name"] == "validation:ndcg@5"
    (rule,) = states["EvaluateQualityGate"]["Choices"]
    assert rule[f"Numeric{comparison}"] == 0.35
    # Either verdict is registered first (Approved / Rejected), then deployed or failed by CheckVerdict.
    assert rule["Next"] == "ApproveByGate"
    assert states["EvaluateQualityGate"]["Default"] == "RejectByGate"
    assert states["ApproveByGate"]["Parameters"]["status"] == "Approved"
    assert states["RejectByGate"]["Parameters"]["status"] == "Rejected"
    # Both are recorded (evaluation, then registry), so a rejected model's record is complete.
    assert states["RejectByGate"]["Next"] == states["ApproveByGate"]["Next"] == "ReadEtlManifest"
    assert states["WriteEvaluation"]["Next"] == "RegisterModel"
    verdicts = {choice["StringEquals"]: choice["Next"] for choice in states["CheckVerdict"]["Choices"]}
    assert verdicts == {"ModelRejected": "ModelRejected", "MetricMissing": "MetricMissing"}
    assert states["CheckVerdict"]["Default"] == "CreateModel"
    assert states["ModelRejected"]["Error"] == "ModelRejected"


def test_no_state_reads_a_metric_by_list_position() -> None:
    text = render_definition(_variables())
    assert "FinalMetricDataList[0]" not in text
    assert "FinalMetricDataList[1]" not in text


def test_disabled_gate_leaves_no_gate_state() -> None:
    definition = _definition(quality_gate={"enabled": False})
    text = json.dumps(definition)
    assert "FinalMetricDataList" not in text
    assert (
        not {"SelectGateMetric", "EvaluateQualityGate", "MetricMissing", "ModelRejected"}
        & definition["States"].keys()
    )
    assert definition["States"]["Train"]["Next"] == "ApproveWithoutGate"
    assert definition["States"]["ApproveWithoutGate"]["Result"]["status"] == "Approved"
    assert definition["States"]["RegisterModel"]["Next"] == "CreateModel"
    assert "CheckVerdict" not in definition["States"]
    assert definition["States"]["ApproveWithoutGate"]["Result"]["metric"] is None
    assert definition["States"]["Summarize"]["Parameters"]["metric.$"] == "$.verdict.metric"


def test_endpoint_polling_is_bounded_by_the_configured_interval_and_count() -> None:
    states = _definition("escapes")["States"]
    assert states["WaitForEndpoint"]["Seconds"] == 1
    (bound,) = [
        choice
        for choice in states["CheckEndpointStatus"]["Choices"]
        if choice.get("Variable") == "$.polls.count"
    ]
    # The budget is the deployment's own (endpoint_deployment.update_max_polls), not a fixed count.
    assert bound == {"Variable": "$.polls.count", "NumericGreaterThanEquals": 7, "Next": "EndpointTimeout"}


# ---------------------------------------------------------------------------------------------------------
# Production hardening: KMS key, VPC, network isolation, inter-container traffic encryption
# ---------------------------------------------------------------------------------------------------------

HARDENING_FIELDS = {
    "Train": {"VpcConfig", "EnableNetworkIsolation", "EnableInterContainerTrafficEncryption"},
    "CreateModel": {"VpcConfig", "EnableNetworkIsolation"},
    "CreateEndpointConfig": {"KmsKeyId"},
}


def test_hardening_settings_reach_training_model_and_endpoint_config() -> None:
    variables = _variables("hardened")
    key = variables["sagemaker_kms_key_arn"]
    vpc_config = {
        "Subnets": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        "SecurityGroupIds": ["sg-0123456789abcdef0"],
    }
    states = _definition("hardened")["States"]

    training = states["Train"]["Parameters"]
    assert training["OutputDataConfig"] == {"KmsKeyId": key, "S3OutputPath.$": "$.outputs.model"}
    assert training["ResourceConfig"]["VolumeKmsKeyId"] == key
    assert training["VpcConfig"] == vpc_config
    assert training["EnableNetworkIsolation"] is True
    assert training["EnableInterContainerTrafficEncryption"] is True
    assert training["RoleArn"] == "arn:aws:iam::123456789012:role/mlops/hardened-sagemaker"

    model = states["CreateModel"]["Parameters"]
    assert model["VpcConfig"] == vpc_config
    assert model["EnableNetworkIsolation"] is True
    assert model["ExecutionRoleArn"] == "arn:aws:iam::123456789012:role/mlops/hardened-sagemaker"

    endpoint_config = states["CreateEndpointConfig"]["Parameters"]
    assert endpoint_config["KmsKeyId"] == key
    assert endpoint_config["ProductionVariants"][0]["InstanceType"] == "ml.m5.large"


def test_hardening_settings_are_absent_by_default() -> None:
    # The defaults send SageMaker exactly the requests they always did (and the offline cloud accepts them).
    states = _definition()["States"]
    for state, fields in HARDENING_FIELDS.items():
        assert not fields & states[state]["Parameters"].keys(), state
    assert "KmsKeyId" not in states["Train"]["Parameters"]["OutputDataConfig"]
    assert "VolumeKmsKeyId" not in states["Train"]["Parameters"]["ResourceConfig"]


def test_each_hardening_setting_lands_on_its_own() -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    states = _definition(sagemaker_kms_key_arn=key)["States"]
    assert states["Train"]["Parameters"]["ResourceConfig"]["VolumeKmsKeyId"] == key
    assert states["CreateEndpointConfig"]["Parameters"]["KmsKeyId"] == key
    assert "VpcConfig" not in states["Train"]["Parameters"]

    states = _definition(training={"enable_network_isolation": True})["States"]
    assert states["Train"]["Parameters"]["EnableNetworkIsolation"] is True
    assert states["CreateModel"]["Parameters"]["EnableNetworkIsolation"] is True
    assert "EnableInterContainerTrafficEncryption" not in states["Train"]["Parameters"]
    assert "KmsKeyId" not in states["CreateEndpointConfig"]["Parameters"]


# ---------------------------------------------------------------------------------------------------------
# Template variables: read from the template, given explicitly
# ---------------------------------------------------------------------------------------------------------


def test_the_fixtures_give_exactly_the_variables_the_template_declares() -> None:
    # A template that needs another variable fails here, in Terraform's templatefile() (the module's tests)
    # and in test_render_parity.py's check that the module passes every variable the template uses.
    for pipeline, values in PIPELINES.items():
        assert values.keys() == template_variables(), pipeline


def test_render_names_a_missing_and_an_unexpected_variable() -> None:
    variables = _variables()
    del variables["glue_job_name"]
    variables["glue_job"] = "x"
    with pytest.raises(ValueError, match=r"missing \['glue_job_name'\], unexpected \['glue_job'\]"):
        render_definition(variables)


def test_render_names_a_missing_field_of_an_object_variable() -> None:
    variables = _variables()
    del variables["quality_gate"]["metric_name"]
    with pytest.raises(ValueError, match="metric_name"):
        render_definition(variables)


def test_a_field_named_like_a_dict_method_is_the_field() -> None:
    # Terraform objects have no methods: `endpoint.items` must be a field, never dict.items.
    from statemachine.render import _environment

    rendered = _environment().from_string("${jsonencode(endpoint.items)}").render(endpoint={"items": 3})
    assert rendered == "3"


def test_cli_prints_the_definition_of_explicit_variables(tmp_path: Path) -> None:
    variables_file = tmp_path / "variables.json"
    variables_file.write_text(json.dumps(_variables("escapes")), encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "statemachine.render", str(variables_file)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == json.loads(render_definition(_variables("escapes")))


def test_cli_reports_a_missing_variable() -> None:
    variables = _variables()
    del variables["endpoint"]
    completed = subprocess.run(
        [sys.executable, "-m", "statemachine.render", "-"],
        input=json.dumps(variables),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert "missing ['endpoint']" in completed.stderr
    assert completed.stdout == ""


# ---------------------------------------------------------------------------------------------------------
# Behaviour, executed in moto's interpreter with scripted Task results
# ---------------------------------------------------------------------------------------------------------

RUN_INPUT = {
    "run_id": "churn-3f9a1c2b7d",
    "order_key": "2026-11-25T21:15:02.123Z|0055AED6DCD90281E500000000000000|input/churn.csv",
    "source": {
        "bucket": "b",
        "key": "input/churn.csv",
        "version_id": None,
        "size": 1234,
        "etag": "9b2cf535f27731c974343645a3985328",
        "uri": "s3://b/input/churn.csv",
    },
    "names": {
        "execution": "churn-3f9a1c2b7d",
        "training_job": "escapes-churn-3f9a1c2b7d",
        "model": "escapes-churn-3f9a1c2b7d",
        "endpoint_config": "escapes-churn-3f9a1c2b7d",
    },
    "outputs": {
        "run_prefix": "s3://b/runs/churn-3f9a1c2b7d/",
        "train": "s3://b/runs/churn-3f9a1c2b7d/etl/train/",
        "validation": "s3://b/runs/churn-3f9a1c2b7d/etl/validation/",
        "rejected": "s3://b/runs/churn-3f9a1c2b7d/etl/rejected/",
        "manifest": "s3://b/runs/churn-3f9a1c2b7d/etl/manifest.json",
        "evaluation": "s3://b/runs/churn-3f9a1c2b7d/evaluation.json",
        "model": "s3://b/runs/churn-3f9a1c2b7d/model/",
    },
    "output_keys": {
        "train": "runs/churn-3f9a1c2b7d/etl/train/",
        "validation": "runs/churn-3f9a1c2b7d/etl/validation/",
        "rejected": "runs/churn-3f9a1c2b7d/etl/rejected/",
        "manifest": "runs/churn-3f9a1c2b7d/etl/manifest.json",
        "evaluation": "runs/churn-3f9a1c2b7d/evaluation.json",
        "model": "runs/churn-3f9a1c2b7d/model/",
    },
    "started_by": {"kind": "upload", "source_uri": "s3://b/input/churn.csv"},
}
# What the ETL job writes (glue/etl_job.py), as much as the evaluation record reads.
ETL_MANIFEST = {
    "run_id": "churn-3f9a1c2b7d",
    "status": "succeeded",
    "lines": {"total": 1001, "data": 1000, "header": 1, "blank": 0},
    "rows": {"train": 790, "validation": 200, "rejected": 10},
    "rejected_by_reason": {"non-numeric value": 10},
}
ARTIFACTS = "s3://b/runs/churn-3f9a1c2b7d/model/escapes-churn-3f9a1c2b7d/output/model.tar.gz"
MODEL_PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/escapes/3"
CONFIG = RUN_INPUT["names"]["endpoint_config"]


def _training_result(metric_value: float) -> dict[str, Any]:
    return {
        "TrainingJobName": "escapes-churn-3f9a1c2b7d",
        "TrainingJobStatus": "Completed",
        # The gate metric is deliberately not first: selection must be by name.
        "FinalMetricDataList": [
            {"MetricName": "train:ndcg@5", "Value": 0.99},
            {"MetricName": "validation:ndcg@5", "Value": metric_value},
        ],
        "ModelArtifacts": {"S3ModelArtifacts": ARTIFACTS},
    }


def _endpoint(status: str, config: str = CONFIG, **extra: Any) -> dict[str, Any]:
    return {
        "EndpointName": "escapes-endpoint",
        "EndpointStatus": status,
        "EndpointConfigName": config,
        **extra,
    }


NEWER_RUN = "churn-newer-9c0ffee123"
NEWER_ORDER_KEY = "2026-11-25T21:15:03.456Z|0055AED6DCD90281F000000000000000|input/churn.csv"


def _claim(run_id: str = RUN_INPUT["run_id"], order_key: str = RUN_INPUT["order_key"]) -> dict[str, Any]:
    """A GetItem result of the deployments table, as DynamoDB returns it (typed attribute values)."""
    return {
        "Item": {
            "endpoint_name": {"S": "escapes-endpoint"},
            "run_id": {"S": run_id},
            "order_key": {"S": order_key},
            "execution_arn": {"S": f"arn:aws:states:us-east-1:123456789012:execution:pipeline:{run_id}"},
            "claimed_at": {"S": "2026-11-25T21:20:00.000Z"},
        }
    }


NEWER_CLAIM = _claim(NEWER_RUN, NEWER_ORDER_KEY)
LOST_CLAIM = Throw("DynamoDB.ConditionalCheckFailedException", "The conditional request failed")
BUSY = Throw("SageMaker.ValidationException", "Cannot update in-progress endpoint")


def _responses(**overrides: list[Any]) -> dict[str, list[Any]]:
    responses: dict[str, list[Any]] = {
        "ClaimEndpoint": [{}],
        "ReadClaim": [NEWER_CLAIM],
        "VerifyClaim": [_claim()],
        "ReadClaimAfterDeploy": [_claim()],
        "DescribeEndpointBeforeUpdate": [_endpoint("InService", "older-config")],
        "DescribeEndpointAfterRefusal": [_endpoint("Updating", "older-config")],
        "RunEtl": [{"Id": "jr_1", "JobName": "escapes-etl", "JobRunState": "SUCCEEDED"}],
        "Train": [_training_result(1.5)],
        "ReadEtlManifest": [{"Body": json.dumps(ETL_MANIFEST), "ContentType": "application/json"}],
        "WriteEvaluation": [{"ETag": '"abc"'}],
        "RegisterModel": [{"ModelPackageArn": MODEL_PACKAGE}],
        "AnnounceDeployed": [{"Entries": [{"EventId": "e-1"}], "FailedEntryCount": 0}],
        "CreateModel": [{"ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/m"}],
        "CreateEndpointConfig": [
            {"EndpointConfigArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/c"}
        ],
        "FindEndpoint": [{"Endpoints": [{"EndpointName": "escapes-endpoint-blue"}]}],
        "RecheckEndpoint": [{"Endpoints": [{"EndpointName": "escapes-endpoint"}]}],
        "CreateEndpoint": [
            {"EndpointArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/escapes-endpoint"}
        ],
        "UpdateEndpoint": [
            {"EndpointArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/escapes-endpoint"}
        ],
        "DescribeEndpoint": [_endpoint("Creating"), _endpoint("InService")],
    }
    responses.update(overrides)
    return responses


def _run(
    monkeypatch: pytest.MonkeyPatch, responses: dict[str, list[Any]], **overrides: Any
) -> ExecutionResult:
    # GreaterThan: ndcg is better when higher; the fixture pipeline polls every second, at most 5 times.
    variables = _variables("escapes", **overrides)
    variables["quality_gate"].update(comparison="GreaterThan", threshold=1.0)
    return execute(monkeypatch, render_definition(variables), RUN_INPUT, responses)


def test_first_run_creates_the_endpoint_and_summarises(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(monkeypatch, _responses())
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert _output(result) == {
        "pipeline": "escapes",
        "run_id": "churn-3f9a1c2b7d",
        "outcome": "Deployed",
        "started_by": RUN_INPUT["started_by"],
        "model_package_version": 3,
        "deployment_strategy": "all_at_once",
        "metric": {
            "name": "validation:ndcg@5",
            "value": 1.5,
            "text": "1.5",
            "comparison": "GreaterThan",
            "threshold": 1,
        },
        "training_job_name": "escapes-churn-3f9a1c2b7d",
        "model_artifacts": ARTIFACTS,
        "model_package_arn": MODEL_PACKAGE,
        "model_name": "escapes-churn-3f9a1c2b7d",
        "endpoint_config_name": CONFIG,
        "endpoint_name": "escapes-endpoint",
        "endpoint_action": "created",
    }
    assert result.scheduled("createEndpoint") == 1
    assert result.scheduled("updateEndpoint") == 0
    assert result.scheduled("describeEndpoint") == 2


EXISTING = [{"Endpoints": [{"EndpointName": "escapes-endpoint-blue"}, {"EndpointName": "escapes-endpoint"}]}]


def test_later_run_waits_for_another_runs_update_before_updating(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(
        monkeypatch,
        _responses(
            FindEndpoint=EXISTING,
            DescribeEndpointBeforeUpdate=[
                _endpoint("Updating", "older-config"),
                _endpoint("Updating", "older-config"),
                _endpoint("InService", "older-config"),
            ],
            DescribeEndpoint=[_endpoint("Updating"), _endpoint("InService")],
        ),
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert _output(result)["outcome"] == "Deployed"
    assert _output(result)["endpoint_action"] == "updated"
    # UpdateEndpoint is called once, when the endpoint has settled; the claim is checked before each attempt.
    assert result.scheduled("updateEndpoint") == 1
    assert result.entered().count("VerifyClaim") == 3
    assert result.entered().count("WaitBeforeUpdate") == 2
    assert result.scheduled("createEndpoint") == 0


def test_update_refused_because_another_update_started_goes_back_to_the_wait_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _run(
        monkeypatch,
        _responses(
            FindEndpoint=EXISTING,
            UpdateEndpoint=[BUSY, _responses()["UpdateEndpoint"][0]],
            DescribeEndpointBeforeUpdate=[_endpoint("InService", "older-config")],
            DescribeEndpoint=[_endpoint("Updating"), _endpoint("InService")],
        ),
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.scheduled("updateEndpoint") == 2
    assert result.entered().count("VerifyClaim") == 2
    assert "DescribeEndpointAfterRefusal" in result.entered()


def test_update_refused_as_in_progress_whose_blocker_finished_meanwhile_waits_and_retries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Another run's update was in progress at UpdateEndpoint and finished before DescribeEndpointAfterRefusal:
    # the refusal itself proves the endpoint was busy, so this is the wait loop's case, not a real failure.
    result = _run(
        monkeypatch,
        _responses(
            FindEndpoint=EXISTING,
            UpdateEndpoint=[BUSY, _responses()["UpdateEndpoint"][0]],
            DescribeEndpointBeforeUpdate=[_endpoint("InService", "older-config")],
            DescribeEndpointAfterRefusal=[_endpoint("InService", "older-config")],
            DescribeEndpoint=[_endpoint("Updating"), _endpoint("InService")],
        ),
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert _output(result)["endpoint_action"] == "updated"
    assert result.scheduled("updateEndpoint") == 2
    assert result.entered().count("VerifyClaim") == 2
    assert result.entered().count("WaitBeforeUpdate") == 1


def test_update_refused_as_in_progress_again_and_again_fails_after_the_configured_polls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _run(
        monkeypatch,
        _responses(
            FindEndpoint=EXISTING,
            UpdateEndpoint=[BUSY],
            DescribeEndpointBeforeUpdate=[_endpoint("InService", "older-config")],
            DescribeEndpointAfterRefusal=[_endpoint("InService", "older-config")],
        ),
        endpoint_deployment={"update_max_polls": 2},
    )
    assert result.status == "FAILED"
    assert result.error == "EndpointFailed"
    assert "UpdateEndpoint step" in result.cause and "Cannot update in-progress endpoint" in result.cause
    assert result.scheduled("updateEndpoint") == 3


def test_update_refused_while_the_endpoint_is_settled_fails_with_the_update_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refused = Throw("SageMaker.AmazonSageMakerException", "Could not find endpoint configuration")
    result = _run(
        monkeypatch,
        _responses(
            FindEndpoint=EXISTING,
            UpdateEndpoint=[refused],
            DescribeEndpointAfterRefusal=[_endpoint("InService", "older-config")],
        ),
    )
    assert result.status == "FAILED"
    assert result.error == "EndpointFailed"
    assert "UpdateEndpoint step" in result.cause and "Could not find endpoint configuration" in result.cause
    assert result.scheduled("updateEndpoint") == 1


def test_run_whose_claim_is_refused_is_superseded_and_deploys_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _run(monkeypatch, _responses(ClaimEndpoint=[LOST_CLAIM]))
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    output = _output(result)
    assert output["outcome"] == "Superseded"
    assert output["order_key"] == RUN_INPUT["order_key"]
    assert output["superseded_by"] == {
        "run_id": NEWER_RUN,
        "order_key": NEWER_ORDER_KEY,
        "execution_arn": f"arn:aws:states:us-east-1:123456789012:execution:pipeline:{NEWER_RUN}",
    }
    assert output["endpoint_action"] == "none"
    assert output["model_name"] == "escapes-churn-3f9a1c2b7d"
    assert output["metric"]["name"] == "validation:ndcg@5" and output["metric"]["value"] == 1.5
    for call in ("listEndpoints", "createEndpoint", "updateEndpoint", "describeEndpoint"):
        assert result.scheduled(call) == 0, call
    assert result.entered()[-2:] == ["SummarizeSuperseded", "Superseded"]


def test_run_superseded_while_waiting_for_another_update_never_updates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _run(
        monkeypatch,
        _responses(
            FindEndpoint=EXISTING,
            DescribeEndpointBeforeUpdate=[_endpoint("Updating", "older-config")],
            VerifyClaim=[_claim(), NEWER_CLAIM],
        ),
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert _output(result)["outcome"] == "Superseded"
    assert _output(result)["superseded_by"]["run_id"] == NEWER_RUN
    assert result.scheduled("updateEndpoint") == 0


def test_run_replaced_by_a_newer_uploads_update_is_superseded_not_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    newer_config = f"escapes--{NEWER_RUN}"
    result = _run(
        monkeypatch,
        _responses(
            FindEndpoint=EXISTING,
            DescribeEndpoint=[_endpoint("Updating"), _endpoint("InService", newer_config)],
            ReadClaimAfterDeploy=[NEWER_CLAIM],
        ),
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert _output(result)["outcome"] == "Superseded"
    assert _output(result)["superseded_by"]["run_id"] == NEWER_RUN


def test_endpoint_serving_another_config_while_this_run_holds_the_claim_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _run(
        monkeypatch,
        _responses(
            FindEndpoint=EXISTING,
            DescribeEndpoint=[_endpoint("Updating"), _endpoint("InService", "someone-elses-config")],
        ),
    )
    assert result.status == "FAILED"
    assert result.error == "EndpointUpdateFailed"
    assert "someone-elses-config" in result.cause


def test_claim_store_failure_fails_the_run_with_its_own_error(monkeypatch: pytest.MonkeyPatch) -> None:
    denied = Throw("DynamoDB.AccessDeniedException", "not authorized to perform: dynamodb:UpdateItem")
    result = _run(monkeypatch, _responses(ClaimEndpoint=[denied]))
    assert result.status == "FAILED"
    assert result.error == "EndpointClaimFailed"
    assert "escapes-deployments" in result.cause and "dynamodb:UpdateItem" in result.cause
    assert result.scheduled("createEndpoint") == 0


def test_endpoint_created_meanwhile_by_another_run_is_updated(monkeypatch: pytest.MonkeyPatch) -> None:
    exists = Throw("SageMaker.AmazonSageMakerException", "Cannot create already existing endpoint")
    result = _run(monkeypatch, _responses(CreateEndpoint=[exists]))
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert _output(result)["endpoint_action"] == "updated"
    assert "RecheckEndpoint" in result.entered()


def test_create_failure_without_a_competing_run_fails_with_the_create_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    quota = Throw("SageMaker.AmazonSageMakerException", "The account-level service limit was exceeded")
    result = _run(monkeypatch, _responses(CreateEndpoint=[quota], RecheckEndpoint=[{"Endpoints": []}]))
    assert result.status == "FAILED"
    assert result.error == "EndpointFailed"
    assert "CreateEndpoint" in result.cause and "service limit was exceeded" in result.cause


def test_rejected_model_fails_with_metric_value_and_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(monkeypatch, _responses(Train=[_training_result(0.42)]))
    assert result.status == "FAILED"
    assert result.error == "ModelRejected"
    for part in ("validation:ndcg@5", "0.42", "GreaterThan", "1", "escapes-churn-3f9a1c2b7d"):
        assert part in result.cause
    assert result.scheduled("createModel") == 0


def test_disabled_gate_deploys_and_reports_no_metric(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(monkeypatch, _responses(Train=[_training_result(0.0)]), quality_gate={"enabled": False})
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert _output(result)["metric"] is None


def test_etl_failure_carries_the_glue_error_message(monkeypatch: pytest.MonkeyPatch) -> None:
    job_run = {
        "Id": "jr_1",
        "JobRunState": "FAILED",
        "ErrorMessage": "ValueError: only 12 valid rows, need 100",
    }
    result = _run(monkeypatch, _responses(RunEtl=[Throw("States.TaskFailed", json.dumps(job_run))]))
    assert result.status == "FAILED"
    assert result.error == "EtlFailed"
    assert "only 12 valid rows, need 100" in result.cause
    assert result.scheduled("startJobRun.sync") == 1


def test_failed_training_job_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    failure = Throw("States.TaskFailed", json.dumps({"FailureReason": "AlgorithmError: label column empty"}))
    result = _run(monkeypatch, _responses(Train=[failure]))
    assert result.status == "FAILED"
    assert result.error == "TrainingFailed"
    assert "AlgorithmError: label column empty" in result.cause
    assert result.scheduled("createTrainingJob.sync") == 1


def test_failed_endpoint_ends_the_run_with_its_failure_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    failed = _endpoint(
        "Failed",
        FailureReason="The primary container for production variant AllTraffic "
        "did not pass the ping health check",
    )
    result = _run(monkeypatch, _responses(DescribeEndpoint=[_endpoint("Creating"), failed]))
    assert result.status == "FAILED"
    assert result.error == "EndpointFailed"
    assert "did not pass the ping health check" in result.cause


def test_rolled_back_update_fails_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    rolled_back = _endpoint("InService", "older-config", FailureReason="Model failed to load")
    result = _run(
        monkeypatch,
        _responses(
            FindEndpoint=[{"Endpoints": [{"EndpointName": "escapes-endpoint"}]}],
            DescribeEndpoint=[_endpoint("Updating", "older-config"), rolled_back],
        ),
    )
    assert result.status == "FAILED"
    assert result.error == "EndpointUpdateFailed"
    assert "older-config" in result.cause and "Model failed to load" in result.cause


def test_endpoint_that_never_settles_times_out_after_the_configured_polls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _run(
        monkeypatch,
        _responses(DescribeEndpoint=[_endpoint("Creating")]),
        endpoint_deployment={"update_max_polls": 2},
    )
    assert result.status == "FAILED"
    assert result.error == "EndpointTimeout"
    assert result.scheduled("describeEndpoint") == 3
    assert "still Creating after 2 polls" in result.cause


def _output(result: ExecutionResult) -> dict[str, Any]:
    return json.loads(result.output) if isinstance(result.output, str) else result.output


# ---------------------------------------------------------------------------------------------------------
# Guarded rollouts: DeploymentConfig on UpdateEndpoint, rollback detection and naming
# ---------------------------------------------------------------------------------------------------------


ALARMS = {"Alarms": [{"AlarmName": "churn-xgboost-endpoint-4xx-errors"}]}
DEPLOYMENT_CONFIGS = {
    "all_at_once": {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0},
            "TerminationWaitInSeconds": 0,
            "MaximumExecutionTimeoutInSeconds": 1800,
        },
        "AutoRollbackConfiguration": ALARMS,
    },
    "canary": {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "CANARY",
                "WaitIntervalInSeconds": 300,
                "CanarySize": {"Type": "INSTANCE_COUNT", "Value": 1},
            },
            "TerminationWaitInSeconds": 60,
            "MaximumExecutionTimeoutInSeconds": 2400,
        },
        "AutoRollbackConfiguration": ALARMS,
    },
    "linear": {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "LINEAR",
                "WaitIntervalInSeconds": 120,
                "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 20},
            },
            "MaximumExecutionTimeoutInSeconds": 3000,
        },
        "AutoRollbackConfiguration": ALARMS,
    },
    "rolling": {
        "RollingUpdatePolicy": {
            "MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 25},
            "WaitIntervalInSeconds": 300,
            "MaximumExecutionTimeoutInSeconds": 4800,
            "RollbackMaximumBatchSize": {"Type": "INSTANCE_COUNT", "Value": 2},
        },
        "AutoRollbackConfiguration": ALARMS,
    },
}


@pytest.mark.parametrize("strategy", sorted(DEPLOYMENT_CONFIGS))
def test_update_passes_each_strategys_deployment_config_as_is(strategy: str) -> None:
    config = DEPLOYMENT_CONFIGS[strategy]
    parameters = _definition(endpoint_deployment={"config": config})["States"]["UpdateEndpoint"]["Parameters"]
    assert parameters["DeploymentConfig"] == config
    assert parameters["EndpointName"] == "churn-xgboost-endpoint"
    assert parameters["EndpointConfigName.$"] == "$.names.endpoint_config"


def test_the_fixture_pipelines_deployment_config_reaches_the_update() -> None:
    variables = _variables("hardened")
    parameters = _definition("hardened")["States"]["UpdateEndpoint"]["Parameters"]
    assert parameters["DeploymentConfig"] == variables["endpoint_deployment"]["config"]


def test_update_without_deployment_config_sends_none_and_reads_no_alarms() -> None:
    states = _definition("no-gate")["States"]
    assert "DeploymentConfig" not in states["UpdateEndpoint"]["Parameters"]
    assert "DescribeRollbackAlarms" not in states
    assert states["StartRolloutWatch"]["Result"]["watched_alarms"] == []


def test_rollback_alarms_are_described_by_name_only_after_an_update_did_not_take() -> None:
    variables = _variables("hardened")
    states = _definition("hardened")["States"]
    describe = states["DescribeRollbackAlarms"]
    assert describe["Resource"] == "arn:aws:states:::aws-sdk:cloudwatch:describeAlarms"
    assert describe["Parameters"] == {"AlarmNames": variables["endpoint_deployment"]["rollback_alarm_names"]}
    targets = [choice["Next"] for choice in states["CheckEndpointStatus"]["Choices"]]
    assert targets.count("DescribeRollbackAlarms") == 1
    assert targets.index("Summarize") < targets.index("DescribeRollbackAlarms")


def _rollback_responses(
    *endpoint_states: dict[str, Any], alarms: list[dict[str, Any]]
) -> dict[str, list[Any]]:
    return _responses(
        FindEndpoint=[{"Endpoints": [{"EndpointName": "escapes-endpoint"}]}],
        DescribeEndpoint=list(endpoint_states),
        DescribeRollbackAlarms=[{"MetricAlarms": alarms}],
    )


ALARMS_AFTER_ROLLBACK = [
    {"AlarmName": "churn-xgboost-endpoint-5xx-errors", "StateValue": "OK"},
    {"AlarmName": "churn-xgboost-endpoint-4xx-errors", "StateValue": "ALARM"},
    {"AlarmName": "churn-xgboost-endpoint-model-latency", "StateValue": "INSUFFICIENT_DATA"},
]


def test_update_rolled_back_by_an_alarm_names_it_and_keeps_the_failure_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reason = "Deployment rolled back: CloudWatch alarm churn-xgboost-endpoint-4xx-errors went into ALARM"
    result = _run(
        monkeypatch,
        _rollback_responses(
            _endpoint("Updating", "older-config"),
            _endpoint("RollingBack", "older-config"),
            _endpoint("InService", "older-config", FailureReason=reason),
            alarms=ALARMS_AFTER_ROLLBACK,
        ),
    )
    assert result.status == "FAILED"
    assert result.error == "EndpointUpdateRolledBack"
    assert 'Rollback alarms in ALARM: ["churn-xgboost-endpoint-4xx-errors"]' in result.cause
    assert "churn-xgboost-endpoint-5xx-errors" in result.cause  # among the watched ones
    assert reason in result.cause and "older-config" in result.cause


def test_rollback_seen_without_a_failure_reason_is_still_a_rollback(monkeypatch: pytest.MonkeyPatch) -> None:
    # SageMaker may clear FailureReason once the endpoint is back InService.
    result = _run(
        monkeypatch,
        _rollback_responses(
            _endpoint("RollingBack", "older-config"),
            _endpoint("InService", "older-config"),
            alarms=[{"AlarmName": "churn-xgboost-endpoint-4xx-errors", "StateValue": "OK"}],
        ),
    )
    assert result.status == "FAILED"
    assert result.error == "EndpointUpdateRolledBack"
    assert "Rollback alarms in ALARM: []" in result.cause
    assert "SageMaker gave no FailureReason" in result.cause


def test_alarm_in_alarm_names_a_rollback_even_when_rolling_back_was_not_polled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _run(
        monkeypatch,
        _rollback_responses(
            _endpoint("Updating", "older-config"),
            _endpoint("InService", "older-config", FailureReason="rolled back"),
            alarms=ALARMS_AFTER_ROLLBACK,
        ),
    )
    assert result.error == "EndpointUpdateRolledBack"


def test_new_fleet_that_failed_to_start_is_an_update_failure_not_a_rollback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _run(
        monkeypatch,
        _rollback_responses(
            _endpoint("Updating", "older-config"),
            _endpoint("InService", "older-config", FailureReason="did not pass the ping health check"),
            alarms=[{"AlarmName": "churn-xgboost-endpoint-4xx-errors", "StateValue": "OK"}],
        ),
    )
    assert result.error == "EndpointUpdateFailed"
    assert "ping health check" in result.cause


# ---------------------------------------------------------------------------------------------------------
# Model registry: every trained model is registered with the gate's verdict; deployed from its package
# ---------------------------------------------------------------------------------------------------------


def test_a_model_that_passes_the_gate_is_registered_approved_and_deployed_from_its_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _run(monkeypatch, _responses())
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    (registration,) = result.sent("createModelPackage")
    assert registration["ModelPackageGroupName"] == "escapes"
    assert registration["ModelApprovalStatus"] == "Approved"
    assert registration["ModelPackageDescription"] == (
        "Passed the quality gate: validation:ndcg@5 = 1.5, required GreaterThan 1"
    )
    assert registration["InferenceSpecification"] == {
        "Containers": [{"Image": _variables("escapes")["training_image"], "ModelDataUrl": ARTIFACTS}],
        "SupportedContentTypes": ["text/csv"],
        "SupportedResponseMIMETypes": ["text/csv"],
    }
    assert registration["CustomerMetadataProperties"] == {
        "run_id": "churn-3f9a1c2b7d",
        "training_job": "escapes-churn-3f9a1c2b7d",
        "source_bucket": "b",
        "gate_metric_name": "validation:ndcg@5",
        "gate_metric_value": "1.5",
        "gate_verdict": "Passed",
    }
    # The evidence: the evaluation record written before the registration that points at it.
    assert registration["ModelMetrics"] == {
        "ModelQuality": {
            "Statistics": {"ContentType": "application/json", "S3Uri": RUN_INPUT["outputs"]["evaluation"]}
        }
    }
    (written,) = result.sent("putObject")
    assert (written["Bucket"], written["Key"]) == ("b", RUN_INPUT["output_keys"]["evaluation"])
    evaluation = json.loads(written["Body"])
    assert evaluation["source"] == RUN_INPUT["source"]
    assert evaluation["quality_gate"]["value"] == 1.5 and evaluation["quality_gate"]["threshold"] == 1
    assert evaluation["etl"]["rows"] == ETL_MANIFEST["rows"]
    assert evaluation["verdict"]["status"] == "Approved"
    # And it is announced, for the notification rules.
    (announcement,) = result.sent("putEvents")
    (entry,) = announcement["Entries"]
    assert (entry["Source"], entry["DetailType"]) == ("mlops-pipeline.escapes", "Model Deployed")
    detail = entry["Detail"] if isinstance(entry["Detail"], dict) else json.loads(entry["Detail"])
    assert detail["model_package_version"] == 3 and detail["outcome"] == "Deployed"
    # A retry after a lost response returns the same version: the token is derived from the run id.
    assert len(registration["ClientToken"]) == 32
    (model,) = result.sent("createModel")
    assert model["PrimaryContainer"] == {"ModelPackageName": MODEL_PACKAGE}


def test_a_rejected_model_is_registered_rejected_with_the_reason_and_not_deployed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _run(monkeypatch, _responses(Train=[_training_result(0.42)]))
    assert result.error == "ModelRejected"
    (registration,) = result.sent("createModelPackage")
    assert registration["ModelApprovalStatus"] == "Rejected"
    assert registration["ModelPackageDescription"] == (
        "Rejected by the quality gate: validation:ndcg@5 = 0.42, required GreaterThan 1"
    )
    assert f"Registered as {MODEL_PACKAGE} (Rejected)" in result.cause
    assert result.scheduled("createModel") == 0


def test_a_model_without_the_gate_metric_is_registered_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    training = _training_result(1.5)
    training["FinalMetricDataList"] = [{"MetricName": "train:ndcg@5", "Value": 0.99}]
    result = _run(monkeypatch, _responses(Train=[training]))
    assert result.error == "MetricMissing"
    (registration,) = result.sent("createModelPackage")
    assert registration["ModelApprovalStatus"] == "Rejected"
    assert "validation:ndcg@5 is missing" in registration["ModelPackageDescription"]
    assert result.scheduled("createModel") == 0


def test_without_a_gate_every_trained_model_is_registered_approved(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(monkeypatch, _responses(Train=[_training_result(0.0)]), quality_gate={"enabled": False})
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    (registration,) = result.sent("createModelPackage")
    assert registration["ModelApprovalStatus"] == "Approved"


def test_a_failed_registration_fails_the_run_and_deploys_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    refused = Throw("SageMaker.ValidationException", "Model Package Group does not exist.")
    result = _run(monkeypatch, _responses(RegisterModel=[refused]))
    assert result.error == "ModelRegistrationFailed"
    assert "model package group escapes" in result.cause and "does not exist" in result.cause
    assert result.scheduled("createModel") == 0


def test_a_failed_training_job_registers_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    failed_training = Throw("States.TaskFailed", '{"TrainingJobStatus": "Failed"}')
    result = _run(monkeypatch, _responses(Train=[failed_training]))
    assert result.error == "TrainingFailed"
    assert result.scheduled("createModelPackage") == 0
