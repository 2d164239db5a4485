"""A demo variant deploys a pipeline of its own beside the plain demo's, so both fit in one local cloud kept
up between demos, and neither demo's Terraform state claims the other's resources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from localcloud.tools.demo import DEMO_PIPELINE, VARIANT_SETTINGS, demo_pipeline_name, variant_pipelines

MODULE_VARIABLES = Path(__file__).resolve().parents[3] / "modules" / "mlops_pipeline" / "variables.tf"


def module_name_rule() -> re.Pattern[str]:
    """The module's own check of `name` (its regex and its 3-24 length), read from variables.tf."""
    match = re.search(
        r'length\(var\.name\) <= (\d+) && can\(regex\("([^"]+)", var\.name\)\)', MODULE_VARIABLES.read_text()
    )
    assert match, "the module's name validation changed shape; update this test's reading of it"
    maximum, pattern = int(match[1]), match[2]
    return re.compile(f"(?=.{{3,{maximum}}}$){pattern}")


DEMO_PIPELINES = {
    DEMO_PIPELINE: {
        "training": {"image_repository": "sagemaker-xgboost", "hyperparameters": {"num_round": "100"}},
        "endpoint": {"instance_type": "ml.m5.large", "instance_count": 4},
        "endpoint_deployment": {"strategy": "canary"},
    },
    "churn-linear": {"training": {"image_repository": "linear-learner"}},
}


@pytest.mark.parametrize("variant", sorted(VARIANT_SETTINGS))
def test_a_variant_is_one_pipeline_of_its_own_with_the_variants_settings(variant: str) -> None:
    pipelines = variant_pipelines(DEMO_PIPELINES, variant)

    name = demo_pipeline_name(variant)
    assert list(pipelines) == [name]
    assert name != DEMO_PIPELINE
    assert module_name_rule().fullmatch(name), f"{name} is not a name the module accepts"
    for group, settings in DEMO_PIPELINES[DEMO_PIPELINE].items():
        assert pipelines[name][group] == VARIANT_SETTINGS[variant].get(group, settings), group
    for group, settings in VARIANT_SETTINGS[variant].items():
        assert pipelines[name][group] == settings
    # The input is left as it was: the plain demo's settings stay the plain demo's.
    assert "churn-linear" in DEMO_PIPELINES and "tuning" not in DEMO_PIPELINES[DEMO_PIPELINE]


def test_the_plain_demo_keeps_its_pipeline() -> None:
    assert demo_pipeline_name(None) == DEMO_PIPELINE


def test_the_name_rule_read_from_the_module_refuses_what_the_module_refuses() -> None:
    rule = module_name_rule()
    assert rule.fullmatch("churn-xgboost")
    for refused in ("ab", "churn--xgboost", "churn-", "Churn", "1churn", "a" * 25):
        assert not rule.fullmatch(refused), refused
