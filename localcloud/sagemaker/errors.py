"""The failure categories of SageMaker's built-in algorithm containers.

SageMaker prefixes a training job's FailureReason with the category the container reported:
`ClientError` for problems the user can fix (data, hyperparameters), `AlgorithmError` for failures
inside the algorithm.
"""


class ContainerError(Exception):
    prefix = "AlgorithmError"

    def failure_reason(self) -> str:
        return f"{self.prefix}: {self}"


class UserError(ContainerError):
    prefix = "ClientError"


class AlgorithmError(ContainerError):
    prefix = "AlgorithmError"
