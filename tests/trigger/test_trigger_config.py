from __future__ import annotations

import importlib
import sys

import pytest
from trigger.config import ConfigError, load_config

VALID = {
    "STATE_MACHINE_ARN": "arn:aws:states:eu-west-1:123456789012:stateMachine:churn-xgboost-pipeline",
    "PIPELINE_NAME": "churn-xgboost",
    "BUCKET_NAME": "churn-xgboost-123456789012-eu-west-1",
    "INPUT_PREFIX": "input/",
    "RUNS_PREFIX": "runs/",
    "RUN_OUTPUTS": '{"train": "etl/train/", "manifest": "etl/manifest.json", "model": "model/"}',
}


def test_valid_environment() -> None:
    config = load_config(VALID)
    assert config.pipeline_name == "churn-xgboost"
    assert config.region == "eu-west-1"
    assert config.run_outputs == {"train": "etl/train/", "manifest": "etl/manifest.json", "model": "model/"}


@pytest.mark.parametrize("missing", sorted(VALID))
def test_missing_variable_is_named(missing: str) -> None:
    environ = {name: value for name, value in VALID.items() if name != missing}
    with pytest.raises(ConfigError, match=rf"{missing} is not set"):
        load_config(environ)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({})
    for name in VALID:
        assert f"{name} is not set" in str(raised.value)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("STATE_MACHINE_ARN", "churn-xgboost-pipeline", "not a state machine ARN"),
        ("STATE_MACHINE_ARN", "arn:aws:lambda:us-east-1:123456789012:function:f", "not a state machine ARN"),
        ("PIPELINE_NAME", "Churn_XGBoost", "PIPELINE_NAME='Churn_XGBoost'"),
        ("PIPELINE_NAME", "a-pipeline-name-of-25-chs", "3-24 characters"),
        ("PIPELINE_NAME", "churn--xgb", "'--' separates the pipeline name"),
        ("INPUT_PREFIX", "input", "must end with '/'"),
        ("RUNS_PREFIX", "/runs/", "must not start with '/'"),
        ("RUNS_PREFIX", "input/runs/", "overlap"),
        ("INPUT_PREFIX", "runs/input/", "overlap"),
        ("RUN_OUTPUTS", "etl/", "RUN_OUTPUTS is not JSON"),
        ("RUN_OUTPUTS", "{}", "RUN_OUTPUTS must be a JSON object"),
        ("RUN_OUTPUTS", '{"model": "/model/"}', "RUN_OUTPUTS paths of \\['model'\\]"),
        ("RUN_OUTPUTS", '{"model": "../other/"}', "must be relative keys"),
    ],
)
def test_malformed_variable_is_named(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        load_config({**VALID, name: value})
    assert name in str(raised.value)


def test_handler_import_fails_with_the_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in VALID.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("STATE_MACHINE_ARN")
    monkeypatch.delitem(sys.modules, "trigger.handler", raising=False)
    with pytest.raises(ConfigError, match="STATE_MACHINE_ARN is not set"):
        importlib.import_module("trigger.handler")
