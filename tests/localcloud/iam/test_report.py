"""The access report names per role what was used, what was denied, and which statements nothing used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from localcloud.iam import report

ROLE = "arn:aws:iam::123456789012:role/churn-glue"
POLICY = "role/churn-glue/inline/churn-glue-permissions"


def _policies(*sids: str) -> dict:
    statements = [{"Sid": sid, "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"} for sid in sids]
    return {
        "kind": "policies",
        "role_arn": ROLE,
        "policies": [{"name": POLICY, "document": {"Statement": statements}}],
    }


def _decision(
    action: str, allowed: bool, statements: list[list[str]], caller: str = "glue.amazonaws.com"
) -> dict:
    return {
        "kind": "decision",
        "role_arn": ROLE,
        "caller": caller,
        "action": action,
        "resource": "arn:aws:s3:::b/input/a.csv",
        "allowed": allowed,
        "reason": "allowed" if allowed else "implicit_deny",
        "statements": statements,
        "error": None if allowed else "User: ... is not authorized to perform: s3:PutObject",
    }


def test_unused_statements_are_those_no_allowed_call_matched() -> None:
    entries = [
        _policies("ReadInput", "WriteOutput", "WriteLogs"),
        _decision("sts:AssumeRole", True, [], caller="glue.amazonaws.com"),
        _decision("s3:GetObject", True, [[POLICY, "ReadInput"]]),
        # A resource policy's statement is not one of the role's grants.
        _decision("s3:GetObject", True, [["bucket-policy/b", "AllowGlue"]]),
        _decision("s3:PutObject", False, []),
    ]
    [activity] = report.collect(entries).values()
    assert activity.assumed_by == {"glue.amazonaws.com"}
    assert activity.unused_statements() == [(POLICY, "WriteOutput"), (POLICY, "WriteLogs")]
    text = report.render({ROLE: activity})
    assert "s3:GetObject  [AllowGlue, ReadInput]" in text
    assert "denied:\n    s3:PutObject on arn:aws:s3:::b/input/a.csv" in text
    assert "statements never used:\n    WriteOutput" in text


def test_unused_actions_inside_used_statements_are_listed() -> None:
    policies = _policies("ReadInput")
    policies["policies"][0]["document"]["Statement"][0]["Action"] = [
        "s3:GetObject",
        "s3:GetObjectTagging",
        "s3:List*",
    ]
    [activity] = report.collect([policies, _decision("s3:GetObject", True, [[POLICY, "ReadInput"]])]).values()
    assert activity.unused_statements() == []
    assert activity.unused_actions() == [(POLICY, "ReadInput", "s3:GetObjectTagging")]


def test_a_statement_removed_during_the_run_still_counts() -> None:
    entries = [_policies("ReadInput", "WriteOutput"), _policies("ReadInput")]
    [activity] = report.collect(entries).values()
    assert activity.unused_statements() == [(POLICY, "ReadInput"), (POLICY, "WriteOutput")]


def test_the_command_reads_logs_and_refuses_a_missing_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "access-log.jsonl"
    log.write_text(
        "\n".join(
            json.dumps(e)
            for e in [_policies("ReadInput"), _decision("s3:GetObject", True, [[POLICY, "ReadInput"]])]
        )
    )
    assert report.main([str(log)]) == 0
    assert "statements never used: none" in capsys.readouterr().out
    assert report.main([str(tmp_path / "missing.jsonl")]) == 1
    assert "run `make demo`" in capsys.readouterr().err
