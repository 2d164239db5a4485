"""The trigger's batch scoring settings: present only when the module's `scoring` input is set."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

SCORING_VARIABLES = ("SCORING_PREFIX", "SCORING_STATE_MACHINE_ARN", "PREDICTIONS_PREFIX", "SCORING_OUTPUTS")
# The paths a scoring run writes, by the name the scoring state machine reads them under.
SCORING_OUTPUT_NAMES = frozenset({"transform_input", "manifest"})


@dataclass(frozen=True)
class ScoringConfig:
    # Uploads under this prefix are scored, not trained on.
    prefix: str
    state_machine_arn: str
    # Predictions and their manifest lie under `<predictions_prefix><run id>/`.
    predictions_prefix: str
    # `transform_input` (below the run's prefix under RUNS_PREFIX) and `manifest` (below the predictions).
    outputs: Mapping[str, str]


def load_scoring_config(
    environ: Mapping[str, str],
    *,
    input_prefix: str,
    runs_prefix: str,
    arn_problem: Callable[[str, str], str | None],
    prefix_problem: Callable[[str, str], str | None],
) -> tuple[ScoringConfig | None, list[str]]:
    """The scoring settings (None when none of the variables is set) and every problem with them."""
    present = [name for name in SCORING_VARIABLES if environ.get(name)]
    if not present:
        return None, []
    problems = [
        f"{name} is not set (the scoring variables come together)"
        for name in SCORING_VARIABLES
        if name not in present
    ]
    if problems:
        return None, problems
    prefix = environ["SCORING_PREFIX"]
    predictions_prefix = environ["PREDICTIONS_PREFIX"]
    for name, value in (("SCORING_PREFIX", prefix), ("PREDICTIONS_PREFIX", predictions_prefix)):
        problem = prefix_problem(name, value)
        if problem:
            problems.append(problem)
    problem = arn_problem("SCORING_STATE_MACHINE_ARN", environ["SCORING_STATE_MACHINE_ARN"])
    if problem:
        problems.append(problem)
    # An overlap would start both kinds of run for one upload, or runs for the pipeline's own output.
    for name, other in (
        ("INPUT_PREFIX", input_prefix),
        ("RUNS_PREFIX", runs_prefix),
        ("PREDICTIONS_PREFIX", predictions_prefix),
    ):
        if prefix.startswith(other) or other.startswith(prefix):
            problems.append(f"SCORING_PREFIX={prefix!r} and {name}={other!r} overlap")
    outputs: dict[str, str] = {}
    try:
        outputs = json.loads(environ["SCORING_OUTPUTS"])
    except json.JSONDecodeError as error:
        problems.append(f"SCORING_OUTPUTS is not JSON: {error}")
    if not problems and (
        not isinstance(outputs, dict)
        or set(outputs) != SCORING_OUTPUT_NAMES
        or not all(
            isinstance(path, str) and path and not path.startswith("/") and ".." not in path.split("/")
            for path in outputs.values()
        )
    ):
        problems.append(
            f"SCORING_OUTPUTS must map {sorted(SCORING_OUTPUT_NAMES)} to relative keys; got {outputs!r}"
        )
    if problems:
        return None, problems
    return (
        ScoringConfig(
            prefix=prefix,
            state_machine_arn=environ["SCORING_STATE_MACHINE_ARN"],
            predictions_prefix=predictions_prefix,
            outputs=outputs,
        ),
        [],
    )
