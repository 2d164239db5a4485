"""One table of cases pins a rule that lives in the module's input validation and is re-checked at run
time by the trigger Lambda (its environment can be edited by hand): both must accept or refuse each case.

The Terraform side runs every case as a `terraform test` run of a copy of the module (mock provider), so
the rule is the module's own, not a restatement.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from trigger.config import ConfigError, load_config

from tests.terraform_support import module_copy, terraform

CASES_FILE = Path(__file__).with_name("contract_cases.json")
CASES: dict[str, Any] = {
    name: rule for name, rule in json.loads(CASES_FILE.read_text()).items() if name != "about"
}
# A valid environment; each case replaces one variable.
LAMBDA_ENVIRONMENT = {
    "STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:churn-xgboost-pipeline",
    "PIPELINE_NAME": "churn-xgboost",
    "BUCKET_NAME": "churn-xgboost-123456789012-us-east-1",
    "INPUT_PREFIX": "input/",
    "RUNS_PREFIX": "runs/",
    "RUN_OUTPUTS": '{"train": "etl/train/"}',
    # Scoring on, so the scoring prefix's rule applies (the module's `scoring`).
    "SCORING_PREFIX": "score/",
    "SCORING_STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:churn-xgboost-scoring",
    "PREDICTIONS_PREFIX": "predictions/",
    "SCORING_OUTPUTS": '{"transform_input": "scoring/transform-input.manifest", "manifest": "manifest.json"}',
}


def _cases() -> list[tuple[str, str, bool]]:
    return [
        (rule_name, value, verdict == "accepted")
        for rule_name, rule in CASES.items()
        for verdict in ("accepted", "refused")
        for value in rule[verdict]
    ]


@pytest.mark.parametrize(("rule", "value", "accepted"), _cases())
def test_the_lambda_applies_the_rule(rule: str, value: str, accepted: bool) -> None:
    variable = CASES[rule]["lambda_variable"]
    environment = {**LAMBDA_ENVIRONMENT, variable: value}
    if accepted:
        load_config(environment)
    else:
        with pytest.raises(ConfigError, match=variable):
            load_config(environment)


def _hcl_module_input(module_input: str, value: str) -> str:
    """`name = "x"` or `storage = { input_prefix = "x" }` for a dotted input path."""
    *objects, field = module_input.split(".")
    text = f"{field} = {json.dumps(value)}"
    for name in reversed(objects):
        text = f"{name} = {{ {text} }}"
    return text


def test_the_module_applies_the_rule(tmp_path: Path) -> None:
    module = module_copy(tmp_path)
    runs = []
    expected: dict[str, bool] = {}
    for index, (rule, value, accepted) in enumerate(_cases()):
        module_input = CASES[rule]["module_input"]
        run_name = f"case_{index}_{rule}_{'accepted' if accepted else 'refused'}"
        expected[run_name] = accepted
        expect = "" if accepted else f"  expect_failures = [var.{module_input.split('.')[0]}]\n"
        runs.append(
            f'run "{run_name}" {{\n  command = plan\n  variables {{\n'
            f"    {_hcl_module_input(module_input, value)}\n  }}\n{expect}}}\n"
        )
    (module / "tests" / "contract_cases.tftest.hcl").write_text(
        'mock_provider "aws" {\n  source = "./tests/mocks"\n}\n\n'
        'variables {\n  name = "churn-xgboost"\n}\n\n' + "\n".join(runs),
        encoding="utf-8",
    )
    terraform(module, "init", "-backend=false", "-input=false")

    output = terraform(module, "test")

    passed = set(re.findall(r'run "([^"]+)"\.\.\. pass', output))
    # A refused value passes its run only by failing the input's validation (expect_failures).
    assert passed == set(expected), f"runs not passed: {sorted(set(expected) - passed)}\n{output}"
