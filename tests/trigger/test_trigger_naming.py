from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trigger.naming import (
    EXECUTION_NAME_MAX_LENGTH,
    EXECUTION_NAME_PATTERN,
    FALLBACK_SLUG,
    HASH_LENGTH,
    RUN_ID_PATTERN,
    SAGEMAKER_NAME_MAX_LENGTH,
    SAGEMAKER_NAME_PATTERN,
    SLUG_MAX_LENGTH,
    NamingError,
    RunNames,
    derive_names,
    key_slug,
    object_identity,
    slug_budget,
    slugify,
)

LONGEST_PIPELINE_NAME = "a-pipeline-name-24-chars"
assert len(LONGEST_PIPELINE_NAME) == 24


def names_for(
    key: str,
    *,
    pipeline_name: str = "churn-xgboost",
    bucket: str = "churn-bucket",
    version_id: str | None = None,
    sequencer: str | None = "0055AED6DCD90281E5",
    etag: str = "9b2cf535f27731c974343645a3985328",
    event_time: str | None = "2026-11-25T21:15:02.123Z",
) -> RunNames:
    return derive_names(
        pipeline_name=pipeline_name,
        input_prefix="input/",
        bucket=bucket,
        key=key,
        version_id=version_id,
        sequencer=sequencer,
        etag=etag,
        event_time=event_time,
    )


def assert_valid_for_services(names: RunNames, pipeline_name: str) -> None:
    assert RUN_ID_PATTERN.match(names.run_id), names.run_id
    assert names.execution == names.run_id
    assert len(names.execution) <= EXECUTION_NAME_MAX_LENGTH
    assert EXECUTION_NAME_PATTERN.match(names.execution)
    for name in (names.training_job, names.model, names.endpoint_config):
        assert name == f"{pipeline_name}--{names.run_id}"
        assert len(name) <= SAGEMAKER_NAME_MAX_LENGTH, name
        assert SAGEMAKER_NAME_PATTERN.match(name), name


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("churn data", "churn-data"),
        ("Churn  DATA__2024", "churn-data-2024"),
        ("--a++b--", "a-b"),
        ("données é", "donnees-e"),
        ("日本", ""),
        ("%41 literal", "41-literal"),
        ("v1.2/2024.01.15/data", "v1-2-2024-01-15-data"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(
    ("key", "slug"),
    [
        ("input/churn data.csv", "churn-data"),
        ("input/churn.data.csv", "churn-data"),
        ("input/v1.2/data", "v1-2-data"),
        ("input/no-extension", "no-extension"),
        ("input/日本/データ.csv", FALLBACK_SLUG),
        ("input/.csv", "csv"),
    ],
)
def test_key_slug_drops_prefix_and_extension(key: str, slug: str) -> None:
    assert key_slug(key, "input/") == slug


def test_long_slug_keeps_the_end_of_the_key_and_never_starts_with_a_hyphen() -> None:
    slug = key_slug("input/" + "folder/" * 100 + "the-file-name.csv", "input/", max_length=20)
    assert slug == "folder-the-file-name"
    assert key_slug("input/" + "x" * 50 + "-" + "y" * 19 + ".csv", "input/", max_length=20) == "y" * 19
    assert key_slug("input/" + "z" * 50 + ".csv", "input/", max_length=20) == "z" * 20


def test_contract_example_shape() -> None:
    names = names_for("input/churn data.csv")
    assert names.run_id.startswith("churn-data-")
    assert len(names.run_id) == len("churn-data-") + HASH_LENGTH
    assert names.training_job == f"churn-xgboost--{names.run_id}"


def test_thousand_character_key_keeps_every_name_within_limits() -> None:
    key = "input/" + "Quarterly Report " * 59 + ".csv"
    assert len(key) >= 1000
    for pipeline_name in ("abc", "churn-xgboost", LONGEST_PIPELINE_NAME):
        names = names_for(key, pipeline_name=pipeline_name)
        assert_valid_for_services(names, pipeline_name)
        # The slug fills its budget except for the word cut in half at its start.
        slug = names.run_id[: -HASH_LENGTH - 1]
        assert slug_budget(pipeline_name) - len("quarterly-") <= len(slug) <= slug_budget(pipeline_name)
        assert slug.startswith(("quarterly-", "report-"))


def test_slug_budget_fills_sagemaker_limit_for_longest_pipeline_name() -> None:
    # `<name>--<slug>-<hash>`: the separator and the hyphen before the hash take 3 characters.
    assert slug_budget(LONGEST_PIPELINE_NAME) == SAGEMAKER_NAME_MAX_LENGTH - 24 - 3 - HASH_LENGTH
    assert slug_budget("abc") == SLUG_MAX_LENGTH
    assert slug_budget("p" * 49) == 1
    with pytest.raises(NamingError, match="too long"):
        slug_budget("p" * 50)


def test_identity_prefers_version_then_sequencer_then_etag_and_time() -> None:
    assert object_identity("v1", "SEQ", "etag", "t") == "version:v1"
    assert object_identity(None, "SEQ", "etag", "t") == "sequencer:SEQ"
    assert object_identity(None, None, "etag", "t") == "etag:etag@t"


def test_hash_separates_bucket_and_key_boundaries() -> None:
    first = names_for("input/b/c.csv", bucket="a")
    second = names_for("input/c.csv", bucket="a/b")
    assert first.run_id != second.run_id


def test_unversioned_reupload_of_identical_content_is_a_new_run_without_sequencer() -> None:
    # moto's notifications carry neither version id nor sequencer: the event time tells uploads apart.
    first = names_for("input/a.csv", sequencer=None, event_time="2026-11-25T21:15:02.123Z")
    second = names_for("input/a.csv", sequencer=None, event_time="2026-11-25T21:16:40.001Z")
    assert first.run_id != second.run_id


# S3 keys are at most 1,024 bytes of UTF-8; hypothesis' default text has no lone surrogates.
keys = st.text(min_size=1, max_size=400).map(lambda text: "input/" + text)
identities = st.text(min_size=1, max_size=64).filter(lambda value: value != "null")
pipeline_names = st.from_regex(r"\A[a-z][a-z0-9-]{1,22}[a-z0-9]\Z")


@settings(max_examples=200, deadline=None)
@given(key=keys, version_id=identities, pipeline_name=pipeline_names)
def test_any_key_gives_names_valid_for_every_service(key: str, version_id: str, pipeline_name: str) -> None:
    assert_valid_for_services(
        names_for(key, pipeline_name=pipeline_name, version_id=version_id), pipeline_name
    )


@settings(max_examples=200, deadline=None)
@given(key=keys, version_id=identities, other_version_id=identities, pipeline_name=pipeline_names)
def test_run_id_is_stable_for_same_input_and_differs_for_another_version(
    key: str, version_id: str, other_version_id: str, pipeline_name: str
) -> None:
    first = names_for(key, pipeline_name=pipeline_name, version_id=version_id)
    assert names_for(key, pipeline_name=pipeline_name, version_id=version_id) == first
    if other_version_id != version_id:
        assert names_for(key, pipeline_name=pipeline_name, version_id=other_version_id).run_id != first.run_id


@settings(max_examples=100, deadline=None)
@given(key=keys, sequencer=identities, other_sequencer=identities)
def test_unversioned_run_id_follows_the_sequencer(key: str, sequencer: str, other_sequencer: str) -> None:
    first = names_for(key, sequencer=sequencer)
    assert names_for(key, sequencer=sequencer) == first
    if other_sequencer != sequencer:
        assert names_for(key, sequencer=other_sequencer).run_id != first.run_id
