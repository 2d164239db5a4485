"""Pipelines in one account never reach each other's SageMaker resources.

The state machine's role is granted the per-run training jobs, models and endpoint configs by ARN pattern
(`local.sagemaker_arns` in modules/mlops_pipeline/main.tf); the trigger names them
(lambdas/trigger/naming.py). Each run also registers a version of its pipeline's model package group,
`model-package/<pipeline>/<version>`, granted as `model-package/<pipeline>/*`.
For any two valid pipeline names A != B, no pattern of A may match a name the trigger derives for B, while
A's patterns cover A's own names. The patterns are the module's: one `terraform test` (mock provider) checks
that the module grants exactly the patterns this file matches against.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from trigger.config import PIPELINE_NAME_MAX_LENGTH, PIPELINE_NAME_MIN_LENGTH, PIPELINE_NAME_PATTERN
from trigger.naming import RunNames, derive_names

from tests.terraform_support import module_copy, terraform

ARN_PREFIX = "arn:aws:sagemaker:us-east-1:123456789012"  # the mock provider's account and region
RESOURCE_TYPES = {"training_job": "training-job", "model": "model", "endpoint_config": "endpoint-config"}
PIPELINES = ("churn", "churn-xgboost", "abc", "a-pipeline-name-24-chars")


def granted_patterns(pipeline_name: str) -> set[str]:
    """The SageMaker wildcard resources of the state machine's policy (checked against the module below)."""
    per_run = {f"{ARN_PREFIX}:{kind}/{pipeline_name}--*" for kind in RESOURCE_TYPES.values()}
    return per_run | {f"{ARN_PREFIX}:model-package/{pipeline_name}/*"}


def iam_matches(pattern: str, arn: str) -> bool:
    """IAM resource matching: `*` any run of characters, `?` one character, everything else literal."""
    regex = "".join({"*": ".*", "?": "."}.get(char, re.escape(char)) for char in pattern)
    return re.fullmatch(regex, arn) is not None


def run_names(pipeline_name: str, key: str = "input/churn data.csv") -> RunNames:
    return derive_names(
        pipeline_name=pipeline_name,
        input_prefix="input/",
        bucket=f"{pipeline_name}-123456789012-us-east-1",
        key=key,
        version_id="v1",
        sequencer=None,
        etag="9b2cf535f27731c974343645a3985328",
        event_time=None,
    )


def run_arns(names: RunNames, pipeline_name: str) -> set[str]:
    """The run's resources, and a version of its pipeline's model package group (any number)."""
    per_run = {f"{ARN_PREFIX}:{kind}/{getattr(names, field)}" for field, kind in RESOURCE_TYPES.items()}
    return per_run | {f"{ARN_PREFIX}:model-package/{pipeline_name}/17"}


def reachable(granting: str, names: RunNames, pipeline_name: str) -> set[str]:
    arns = run_arns(names, pipeline_name)
    return {arn for arn in arns for p in granted_patterns(granting) if iam_matches(p, arn)}


def test_churn_does_not_reach_churn_xgboost_and_back() -> None:
    churn, churn_xgboost = run_names("churn"), run_names("churn-xgboost")
    assert reachable("churn", churn_xgboost, "churn-xgboost") == set()
    assert reachable("churn-xgboost", churn, "churn") == set()
    assert reachable("churn", churn, "churn") == run_arns(churn, "churn")
    assert reachable("churn-xgboost", churn_xgboost, "churn-xgboost") == run_arns(
        churn_xgboost, "churn-xgboost"
    )


pipeline_names = st.from_regex(r"[a-z](-?[a-z0-9]){2,23}", fullmatch=True).filter(
    lambda name: (
        PIPELINE_NAME_MIN_LENGTH <= len(name) <= PIPELINE_NAME_MAX_LENGTH
        and PIPELINE_NAME_PATTERN.match(name) is not None
    )
)
# Prefix pairs are where overlap would come from: `churn` / `churn-xgboost`.
prefix_pairs = st.tuples(pipeline_names, st.from_regex(r"(-?[a-z0-9]){1,12}", fullmatch=True)).map(
    lambda pair: (pair[0], (pair[0] + pair[1])[:PIPELINE_NAME_MAX_LENGTH])
)
upload_keys = st.text(alphabet="abcdefghij-_ .0123456789/", min_size=1, max_size=60).map(
    lambda s: f"input/{s}.csv"
)


@settings(max_examples=300, deadline=None)
@given(pair=st.one_of(st.tuples(pipeline_names, pipeline_names), prefix_pairs), key=upload_keys)
def test_no_pipeline_reaches_another_pipelines_names(pair: tuple[str, str], key: str) -> None:
    granting, other = pair
    if PIPELINE_NAME_PATTERN.match(other) is None or granting == other:
        return
    assert reachable(granting, run_names(other, key), other) == set(), (granting, other, key)
    own = run_names(granting, key)
    assert reachable(granting, own, granting) == run_arns(own, granting)


def test_the_module_grants_these_patterns(tmp_path: Path) -> None:
    module = module_copy(tmp_path)
    runs = []
    for index, name in enumerate(PIPELINES):
        runs.append(
            f'run "pipeline_{index}" {{\n  command = plan\n'
            f"  variables {{\n    name = {json.dumps(name)}\n  }}\n"
            "  assert {\n    condition = toset(flatten([\n"
            "      for s in data.aws_iam_policy_document.step_function.statement : [\n"
            '        for r in s.resources : r if strcontains(r, ":sagemaker:") && strcontains(r, "*")\n'
            "      ]\n"
            f"    ])) == toset({json.dumps(sorted(granted_patterns(name)))})\n"
            '    error_message = "the module grants other SageMaker patterns than this test checks"\n'
            "  }\n}\n"
        )
    (module / "tests" / "isolation.tftest.hcl").write_text(
        'mock_provider "aws" {\n  source = "./tests/mocks"\n}\n\n' + "\n".join(runs), encoding="utf-8"
    )
    terraform(module, "init", "-backend=false", "-input=false")

    output = terraform(module, "test")

    passed = set(re.findall(r'run "([^"]+)"\.\.\. pass', output))
    assert passed == {f"pipeline_{index}" for index in range(len(PIPELINES))}, output


def test_cleanup_script_deletes_by_the_same_separator_the_trigger_names_with() -> None:
    from trigger.naming import PIPELINE_NAME_SEPARATOR

    from scripts.empty_pipeline import NAME_SEPARATOR

    assert NAME_SEPARATOR == PIPELINE_NAME_SEPARATOR
