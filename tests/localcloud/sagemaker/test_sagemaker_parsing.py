"""Hyperparameters, image URIs and metric lines, parsed as the XGBoost container and SageMaker do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from localcloud.sagemaker.errors import UserError
from localcloud.sagemaker.hyperparameters import parse_hyperparameters
from localcloud.sagemaker.images import ImageNotEmulable, parse_xgboost_image
from localcloud.sagemaker.metrics import as_logged, final_metrics, metric_definitions

DEMO_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"


def test_string_hyperparameters_become_typed_values() -> None:
    parsed = parse_hyperparameters(
        {
            "num_round": "100",
            "max_depth": "5",
            "eta": "0.2",
            "gamma": "4",
            "min_child_weight": "6",
            "subsample": "0.8",
            "objective": "binary:logistic",
            "eval_metric": "error,auc",
        }
    )
    assert parsed == {
        "num_round": 100,
        "max_depth": 5,
        "eta": 0.2,
        "gamma": 4.0,
        "min_child_weight": 6.0,
        "subsample": 0.8,
        "objective": "binary:logistic",
        "eval_metric": ["error", "auc"],
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"objective": "binary:logistic"}, "Missing required hyperparameter: num_round"),
        ({"num_round": "10", "colour": "blue"}, "Extraneous hyperparameter found: colour"),
        ({"num_round": "ten"}, "Hyperparameter num_round: could not parse value 'ten'"),
        ({"num_round": "10.0"}, "Hyperparameter num_round: could not parse value '10.0'"),
        ({"num_round": "0"}, "Hyperparameter num_round: 0 is not in [1"),
        ({"num_round": "5", "subsample": "0"}, "Hyperparameter subsample: 0.0 is not in (0"),
        ({"num_round": "5", "objective": "binary:magic"}, "Hyperparameter objective: binary:magic is not in"),
        ({"num_round": "5", "objective": "multi:softmax"}, "Require input for parameter 'num_class'"),
        ({"num_round": "5", "eval_metric": "error,bogus"}, "Hyperparameter eval_metric: value"),
        ({"num_round": "5", "objective": "reg:squarederror", "eval_metric": "auc"}, "Metric 'auc' can only"),
    ],
)
def test_invalid_hyperparameters_are_refused_with_the_containers_message(
    raw: dict[str, str], message: str
) -> None:
    with pytest.raises(UserError) as raised:
        parse_hyperparameters(raw)
    assert message in str(raised.value)
    assert raised.value.failure_reason().startswith("ClientError: ")


def test_demo_image_maps_to_xgboost_3_0_5() -> None:
    image = parse_xgboost_image(DEMO_IMAGE)
    assert (image.tag, image.xgboost_version) == ("3.0-5", "3.0.5")
    assert (
        parse_xgboost_image("811284229777.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:3.0-5").tag
        == "3.0-5"
    )


@pytest.mark.parametrize(
    "uri",
    [
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:latest",
        "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1",
        "docker.io/library/python:3.11",
        "",
    ],
)
def test_other_images_are_not_emulable(uri: str) -> None:
    with pytest.raises(ImageNotEmulable, match="cannot be emulated by the local cloud"):
        parse_xgboost_image(uri)


def test_final_metrics_are_the_last_value_of_each_definition() -> None:
    lines = [
        as_logged("INFO:root:Train matrix has 10 rows\n"),
        as_logged("[0]\ttrain-error:0.20000\tvalidation-error:0.30000\tvalidation-auc:0.7\n"),
        as_logged("[1]\ttrain-error:0.10000\tvalidation-error:0.25000\tvalidation-auc:0.8\n"),
    ]
    assert lines[1] == "[0]#011train-error:0.20000#011validation-error:0.30000#011validation-auc:0.7"
    now = datetime.now(UTC)
    metrics = {m["MetricName"]: m["Value"] for m in final_metrics(lines, now)}
    assert metrics == {"train:error": 0.1, "validation:error": 0.25, "validation:auc": 0.8}


def test_metric_definitions_cover_train_and_validation() -> None:
    names = {definition["Name"] for definition in metric_definitions()}
    assert {"train:error", "validation:error", "validation:auc", "train:rmse", "validation:logloss"} <= names
