"""Errors of `aws-sdk:sagemaker:*` tasks are named `SageMaker.<Name>Exception`, as on AWS.

moto knows the Step Functions spelling of a few services only and falls back to the lower-case
service name (`sagemaker.…`), which a `Catch` written for AWS does not match.
"""

from __future__ import annotations

from collections.abc import Callable

from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_aws_sdk,
)

from localcloud import patching

_ERROR_NAMES = {"sagemaker": "SageMaker"}


def _with_sagemaker(original: Callable[[str], str]) -> staticmethod:
    def normalise_service_error_name(service_name: str) -> str:
        return _ERROR_NAMES.get(service_name.lower()) or original(service_name)

    return staticmethod(normalise_service_error_name)


PATCHES = (
    patching.wrap(
        __name__,
        state_task_service_aws_sdk.StateTaskServiceAwsSdk,
        "_normalise_service_error_name",
        fingerprint="7fccfad3463f0276",
        build=_with_sagemaker,
    ),
)
