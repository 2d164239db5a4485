"""What approving or rejecting a version means for a pipeline, as sentences for the person who did it.

In `manual` approval mode the pipeline's approval rule deploys a version when it becomes Approved; in `auto`
mode each run's quality gate decides and an approval deploys nothing. Rejecting never touches the endpoint.
A person must learn this at the moment of approving, not from an endpoint that did (or did not) change.
"""

from __future__ import annotations

from pipeline_cli.pipeline import APPROVAL_MODE_TAG, Pipeline
from pipeline_cli.registry import APPROVED, ModelVersion
from pipeline_cli.serving import Role

# ApprovalDescription's limit in the SageMaker API.
MAX_REASON_LENGTH = 1024
TOOL = "mlops-pipeline"


def default_reason(status: str, caller_arn: str) -> str:
    return f"{status} with {TOOL} by {caller_arn}"


def already_message(pipeline: Pipeline, version: ModelVersion) -> str:
    return f"Version {version.number} of {pipeline.name} is already {version.status}; nothing changed."


def change_message(pipeline: Pipeline, version: ModelVersion, status: str, reason: str) -> str:
    return f"Version {version.number} of {pipeline.name}: {version.status} -> {status} ({reason})."


def next_steps(
    pipeline: Pipeline, version: ModelVersion, status: str, role: Role | None, follow_command: str
) -> list[str]:
    """What happens after the change, and what the person may want to do next."""
    endpoint = pipeline.endpoint_name
    if status == APPROVED:
        if pipeline.approval_mode == "manual":
            return [
                f"Approval mode manual: the pipeline's approval rule now starts a run that deploys exactly "
                f"version {version.number} to endpoint {endpoint}.",
                f"Follow it with: {follow_command}",
            ]
        return [
            "Approval mode auto: approving a version does not deploy it; the quality gate of each run "
            "decides what deploys.",
            'To deploy versions by approving them, set the pipeline\'s approval_mode = "manual" (module '
            f"input; it tags the group {APPROVAL_MODE_TAG}=manual) and run terraform apply.",
        ]
    if role is Role.SERVING:
        return [
            f"Warning: endpoint {endpoint} serves version {version.number}; rejecting it does not undeploy "
            "it. To replace it, "
            + (
                "approve another version."
                if pipeline.approval_mode == "manual"
                else "upload new data: a run whose model passes the quality gate deploys it."
            )
        ]
    if role is Role.DEPLOYING:
        return [
            f"Warning: version {version.number} is being deployed to endpoint {endpoint}; rejecting it does "
            "not stop the deployment."
        ]
    return [f"Endpoint {endpoint} does not serve version {version.number}; nothing else changes."]
