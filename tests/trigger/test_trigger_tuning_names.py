"""The tuning job name of a pipeline that tunes (naming.py): SageMaker's 32 characters, within `<name>--*`,
derived from the run id only; and emitted into the run input only when the module's `tuning` is set."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_trigger_config import VALID
from test_trigger_naming import LONGEST_PIPELINE_NAME, keys, names_for
from test_trigger_run_input import example_run_input
from trigger.config import ConfigError, load_config
from trigger.naming import (
    TUNING_JOB_NAME_MAX_LENGTH,
    TUNING_JOB_NAME_PATTERN,
    NamingError,
    RunNames,
    derive_names,
    tuning_job_name,
)

# Valid pipeline names (config.py's pattern): no `--`, no trailing hyphen, 3-24 characters.
pipeline_names = st.from_regex(r"\A[a-z](-?[a-z0-9]){2,23}\Z").filter(lambda name: len(name) <= 24)
# SageMaker names a tuning job's candidates `<tuning job>-<3-digit index>-<8 hex>`.
CANDIDATE_SUFFIX = "-999-ffffffff"
TRAINING_JOB_NAME_MAX_LENGTH = 63


def tuned_names(key: str, pipeline_name: str, version_id: str | None = None) -> RunNames:
    return derive_names(
        pipeline_name=pipeline_name,
        input_prefix="input/",
        bucket="churn-bucket",
        key=key,
        version_id=version_id,
        sequencer="0055AED6DCD90281E5",
        etag="9b2cf535f27731c974343645a3985328",
        event_time="2026-11-25T21:15:02.123Z",
        tuning=True,
    )


@settings(max_examples=200, deadline=None)
@given(key=keys, pipeline_name=pipeline_names)
def test_tuning_job_name_fits_sagemaker_and_the_pipeline_grant(key: str, pipeline_name: str) -> None:
    names = tuned_names(key, pipeline_name)
    name = names.tuning_job
    assert name is not None
    assert len(name) == TUNING_JOB_NAME_MAX_LENGTH, name
    assert TUNING_JOB_NAME_PATTERN.match(name), name
    # The grants are `<name>--*`: the part before the first `--` is this pipeline.
    assert name.split("--", 1)[0] == pipeline_name
    assert re.fullmatch(r"[0-9a-z]+", name.split("--", 1)[1]), name
    # Its candidates are training jobs within the training job name limit and the same grant.
    assert len(name + CANDIDATE_SUFFIX) <= TRAINING_JOB_NAME_MAX_LENGTH


@settings(max_examples=200, deadline=None)
@given(key=keys, version_id=st.text(min_size=1, max_size=64), other=st.text(min_size=1, max_size=64))
def test_tuning_job_name_follows_the_run_id(key: str, version_id: str, other: str) -> None:
    first = tuned_names(key, "churn-xgboost", version_id)
    assert tuned_names(key, "churn-xgboost", version_id).tuning_job == first.tuning_job
    assert first.tuning_job == tuning_job_name("churn-xgboost", first.run_id)
    second = tuned_names(key, "churn-xgboost", other)
    if second.run_id != first.run_id:
        assert second.tuning_job != first.tuning_job


def test_longest_pipeline_name_keeps_six_hash_characters() -> None:
    name = tuning_job_name(LONGEST_PIPELINE_NAME, "churn-data-3f9a1c2b7d")
    assert name.startswith(f"{LONGEST_PIPELINE_NAME}--")
    assert len(name) == 32 and len(name) - len(LONGEST_PIPELINE_NAME) - 2 == 6


def test_a_pipeline_name_without_room_for_a_hash_is_refused() -> None:
    with pytest.raises(NamingError, match="too long for a tuning job name"):
        tuning_job_name("a" * 30, "churn-data-3f9a1c2b7d")


def test_without_tuning_there_is_no_tuning_job_name() -> None:
    assert names_for("input/churn.csv").tuning_job is None


def test_run_input_names_the_tuning_job_only_with_tuning() -> None:
    assert "tuning_job" not in example_run_input()["names"]
    tuned = example_run_input(tuning=True)
    assert tuned["names"]["tuning_job"] == tuning_job_name("churn-xgboost", tuned["run_id"])
    assert {name: value for name, value in tuned.items() if name != "names"} == {
        name: value for name, value in example_run_input().items() if name != "names"
    }


def test_config_reads_tuning() -> None:
    assert load_config(VALID).tuning is False
    assert load_config({**VALID, "TUNING": "true"}).tuning is True
    with pytest.raises(ConfigError, match="TUNING='yes' must be true or false"):
        load_config({**VALID, "TUNING": "yes"})
