"""The run input matches the contract documented in statemachine/README.md, field for field."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from trigger.events import CreatedObject
from trigger.naming import derive_names
from trigger.run_input import build_run_input, execution_input
from trigger_test_support import RUN_OUTPUTS

CONTRACT_README = Path(__file__).resolve().parents[2] / "statemachine" / "README.md"


def documented_example() -> dict[str, Any]:
    text = CONTRACT_README.read_text(encoding="utf-8")
    section = text[text.index("## Run input contract") :]
    block = re.search(r"```json\n(.*?)```", section, re.DOTALL)
    assert block, f"no JSON example under 'Run input contract' in {CONTRACT_README}"
    return json.loads(block.group(1))


def shape(value: Any) -> Any:
    """Field names and nesting, without the values."""
    if isinstance(value, dict):
        return {name: shape(item) for name, item in value.items()}
    return None


def example_run_input(
    version_id: str | None = "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd", tuning: bool = False
) -> dict[str, Any]:
    obj = CreatedObject(
        bucket="churn-xgboost-123456789012-eu-west-1",
        key="input/churn data.csv",
        size=412345,
        etag="9b2cf535f27731c974343645a3985328",
        version_id=version_id,
        sequencer="0055AED6DCD90281E5",
        event_time="2026-11-25T21:15:02.123Z",
    )
    names = derive_names(
        pipeline_name="churn-xgboost",
        input_prefix="input/",
        bucket=obj.bucket,
        key=obj.key,
        version_id=obj.version_id,
        sequencer=obj.sequencer,
        etag=obj.etag,
        event_time=obj.event_time,
        tuning=tuning,
    )
    return build_run_input(obj, names, "runs/", RUN_OUTPUTS)


def test_same_fields_as_the_documented_contract() -> None:
    assert shape(example_run_input()) == shape(documented_example())


def test_values_follow_the_documented_rules() -> None:
    documented = documented_example()
    built = example_run_input()
    run_id = built["run_id"]
    assert re.fullmatch(r"churn-data-[0-9a-f]{10}", run_id)
    assert built["source"] == documented["source"]
    bucket = built["source"]["bucket"]
    expected_outputs = {
        name: uri.replace("<bucket>", bucket).replace("churn-data-3f9a1c2b7d", run_id)
        for name, uri in documented["outputs"].items()
    }
    assert built["outputs"] == expected_outputs
    assert built["names"] == {
        name: value.replace("churn-data-3f9a1c2b7d", run_id) for name, value in documented["names"].items()
    }


def test_unversioned_source_has_null_version_id() -> None:
    run_input = example_run_input(version_id=None)
    assert "version_id" in run_input["source"]
    assert run_input["source"]["version_id"] is None


def test_execution_input_is_stable_json() -> None:
    run_input = example_run_input()
    reordered = dict(reversed(list(run_input.items())))
    assert execution_input(run_input) == execution_input(reordered)
    assert json.loads(execution_input(run_input)) == run_input
