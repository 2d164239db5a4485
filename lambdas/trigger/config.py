"""Configuration from the environment variables the Terraform module sets on the function."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from trigger.scoring_config import ScoringConfig, load_scoring_config

STATE_MACHINE_ARN_PATTERN = re.compile(
    r"^arn:aws[a-z-]*:states:(?P<region>[a-z0-9-]+):\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$"
)
# No "--" (the separator of the per-run SageMaker names, naming.py) and no trailing hyphen: a pipeline's
# SageMaker grants `<name>--*` then cover no other pipeline's names.
PIPELINE_NAME_PATTERN = re.compile(r"^[a-z](-?[a-z0-9])*$")
PIPELINE_NAME_MIN_LENGTH = 3
PIPELINE_NAME_MAX_LENGTH = 24


class ConfigError(RuntimeError):
    """The function's environment is missing or malformed; raised at import, before any event."""


@dataclass(frozen=True)
class Config:
    state_machine_arn: str
    pipeline_name: str
    # The pipeline's bucket: an event from any other bucket (a notification copied by hand, a shared
    # function) starts nothing.
    bucket_name: str
    input_prefix: str
    runs_prefix: str
    # Where each output of a run lies below the run's prefix, by the name the state machine reads it under
    # (`$.outputs.<name>`); the module's run layout, passed through unread.
    run_outputs: Mapping[str, str]
    # TUNING=true (the module's `tuning` input is set): runs also get `names.tuning_job` (naming.py).
    tuning: bool = False
    # Batch scoring (the module's `scoring` input): None = uploads under INPUT_PREFIX only.
    scoring: ScoringConfig | None = None

    @property
    def region(self) -> str:
        """Region of the state machine: the client must talk to it wherever the function runs."""
        match = STATE_MACHINE_ARN_PATTERN.match(self.state_machine_arn)
        assert match is not None, "validated by load_config"
        return match["region"]


def _prefix_problem(name: str, value: str) -> str | None:
    if not value.endswith("/"):
        return f"{name}={value!r} must end with '/' (a folder, e.g. 'input/')"
    if value.startswith("/"):
        return f"{name}={value!r} must not start with '/' (S3 keys have no leading slash)"
    return None


def _state_machine_arn_problem(name: str, value: str) -> str | None:
    if STATE_MACHINE_ARN_PATTERN.match(value):
        return None
    return (
        f"{name}={value!r} is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)"
    )


def _run_outputs(text: str) -> tuple[dict[str, str], str | None]:
    try:
        outputs = json.loads(text)
    except json.JSONDecodeError as error:
        return {}, f"RUN_OUTPUTS is not JSON: {error}"
    if not isinstance(outputs, dict) or not outputs:
        return {}, "RUN_OUTPUTS must be a JSON object of output name -> path below the run prefix"
    bad = sorted(
        name
        for name, path in outputs.items()
        if not isinstance(path, str) or not path or path.startswith("/") or ".." in path.split("/")
    )
    if bad:
        return {}, f"RUN_OUTPUTS paths of {bad} must be relative keys below the run prefix"
    return outputs, None


def load_config(environ: Mapping[str, str]) -> Config:
    """Read and validate every variable, reporting all problems in one error."""
    required = (
        "STATE_MACHINE_ARN",
        "PIPELINE_NAME",
        "BUCKET_NAME",
        "INPUT_PREFIX",
        "RUNS_PREFIX",
        "RUN_OUTPUTS",
    )
    problems = [f"{name} is not set" for name in required if not environ.get(name)]
    if problems:
        raise ConfigError(_message(problems))

    arn = environ["STATE_MACHINE_ARN"]
    pipeline_name = environ["PIPELINE_NAME"]
    input_prefix = environ["INPUT_PREFIX"]
    runs_prefix = environ["RUNS_PREFIX"]
    run_outputs, run_outputs_problem = _run_outputs(environ["RUN_OUTPUTS"])
    if run_outputs_problem:
        problems.append(run_outputs_problem)

    if not STATE_MACHINE_ARN_PATTERN.match(arn):
        problems.append(
            f"STATE_MACHINE_ARN={arn!r} is not a state machine ARN "
            "(arn:aws:states:<region>:<account>:stateMachine:<name>)"
        )
    if not (
        PIPELINE_NAME_MIN_LENGTH <= len(pipeline_name) <= PIPELINE_NAME_MAX_LENGTH
        and PIPELINE_NAME_PATTERN.match(pipeline_name)
    ):
        problems.append(
            f"PIPELINE_NAME={pipeline_name!r} must be {PIPELINE_NAME_MIN_LENGTH}-{PIPELINE_NAME_MAX_LENGTH} "
            "characters of lowercase letters, digits and single hyphens, starting with a letter and "
            "not ending with a hyphen ('--' separates the pipeline name from the run id in SageMaker names)"
        )
    for name, value in (("INPUT_PREFIX", input_prefix), ("RUNS_PREFIX", runs_prefix)):
        problem = _prefix_problem(name, value)
        if problem:
            problems.append(problem)
    # Overlapping prefixes would make every file a run writes start another run, forever.
    if input_prefix.startswith(runs_prefix) or runs_prefix.startswith(input_prefix):
        problems.append(
            f"INPUT_PREFIX={input_prefix!r} and RUNS_PREFIX={runs_prefix!r} overlap: "
            "a run's outputs would trigger new runs"
        )
    tuning = environ.get("TUNING", "false")
    if tuning not in ("true", "false"):
        problems.append(f"TUNING={tuning!r} must be true or false")
    scoring, scoring_problems = load_scoring_config(
        environ,
        input_prefix=input_prefix,
        runs_prefix=runs_prefix,
        arn_problem=_state_machine_arn_problem,
        prefix_problem=_prefix_problem,
    )
    problems.extend(scoring_problems)
    if problems:
        raise ConfigError(_message(problems))
    return Config(
        state_machine_arn=arn,
        pipeline_name=pipeline_name,
        bucket_name=environ["BUCKET_NAME"],
        input_prefix=input_prefix,
        runs_prefix=runs_prefix,
        run_outputs=run_outputs,
        tuning=tuning == "true",
        scoring=scoring,
    )


def _message(problems: list[str]) -> str:
    return (
        "trigger Lambda configuration is invalid: "
        + "; ".join(problems)
        + " (these environment variables are set by the Terraform module mlops_pipeline)"
    )
