"""The commands: read from AWS, decide with the pure modules, return the text to print.

Each command finds the pipeline first, so a wrong name fails before anything else is read or written.
"""

from __future__ import annotations

import shlex

from pipeline_cli import approval, registry, render
from pipeline_cli.errors import CliError
from pipeline_cli.pipeline import find_pipeline
from pipeline_cli.runs import recent_runs
from pipeline_cli.serving import read_serving, role_of
from pipeline_cli.session import Aws


def versions(aws: Aws, pipeline_name: str, limit: int, as_json: bool) -> str:
    pipeline = find_pipeline(aws, pipeline_name)
    sagemaker = aws.client("sagemaker")
    summaries = registry.list_versions(sagemaker, pipeline.name, limit)
    # ListModelPackages has no customer metadata: each version shown is described.
    shown = [registry.describe_version(sagemaker, summary.arn) for summary in summaries]
    serving = read_serving(sagemaker, pipeline.endpoint_name)
    return (render.versions_json if as_json else render.versions_text)(pipeline, serving, shown)


def runs(aws: Aws, pipeline_name: str, limit: int, as_json: bool) -> str:
    pipeline = find_pipeline(aws, pipeline_name)
    found = recent_runs(aws.client("stepfunctions"), pipeline.state_machine_arn, limit)
    return (render.runs_json if as_json else render.runs_text)(pipeline, found)


def change_approval(aws: Aws, pipeline_name: str, number: int, status: str, reason: str | None) -> str:
    """Approve or reject version `number` (`status` Approved or Rejected) and say what happens next."""
    if reason is not None and len(reason) > approval.MAX_REASON_LENGTH:
        raise CliError(
            f"--reason is {len(reason)} characters; SageMaker keeps at most {approval.MAX_REASON_LENGTH}"
        )
    pipeline = find_pipeline(aws, pipeline_name)
    sagemaker = aws.client("sagemaker")
    summary = registry.find_version(registry.list_versions(sagemaker, pipeline.name), number, pipeline.name)
    version = registry.describe_version(sagemaker, summary.arn)
    if version.status == status:
        return approval.already_message(pipeline, version)
    # Only a rejection's message depends on what the endpoint serves.
    role = (
        role_of(version.arn, read_serving(sagemaker, pipeline.endpoint_name))
        if status == registry.REJECTED
        else None
    )
    if reason is None:
        reason = approval.default_reason(status, aws.client("sts").get_caller_identity()["Arn"])
    registry.set_approval(sagemaker, version.arn, status, reason)
    follow = shlex.join([approval.TOOL, "runs", "--pipeline", pipeline.name, *aws.target.options()])
    lines = [approval.change_message(pipeline, version, status, reason)]
    return "\n".join(lines + approval.next_steps(pipeline, version, status, role, follow))
