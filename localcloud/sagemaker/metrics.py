"""The XGBoost built-in algorithm's metric definitions and how SageMaker turns logs into metrics.

The container prints one line per boosting round, `[<round>]\\t<channel>-<metric>:<value>...`; the
log pipeline shows the tab as `#011`, and SageMaker applies the algorithm's metric regexes to those
lines. FinalMetricDataList holds the last value each regex matched.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from localcloud.sagemaker.hyperparameters import MAXIMIZE_METRICS, MINIMIZE_METRICS

CHANNELS = ("train", "validation")
# A number only: the next `#011<channel>-<metric>:` must not be swallowed into the value.
_NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"


def metric_definitions() -> list[dict[str, str]]:
    """[{Name, Regex}] for every train:/validation: metric, as DescribeTrainingJob shows them."""
    return [
        {"Name": f"{channel}:{metric}", "Regex": f".*\\[[0-9]+\\].*#011{channel}-{metric}:{_NUMBER}.*"}
        for channel in CHANNELS
        for metric in MAXIMIZE_METRICS + MINIMIZE_METRICS
    ]


def as_logged(line: str) -> str:
    """A container output line as SageMaker's log pipeline records it (tabs shown as #011)."""
    return line.rstrip("\n").replace("\t", "#011")


def final_metrics(log_lines: list[str], timestamp: datetime) -> list[dict[str, Any]]:
    """FinalMetricDataList: the last value each metric definition matched in the logged lines."""
    last_values: dict[str, float] = {}
    definitions = [(d["Name"], re.compile(d["Regex"])) for d in metric_definitions()]
    for line in log_lines:
        if "#011" not in line:
            continue
        for name, regex in definitions:
            match = regex.match(line)
            if match is None:
                continue
            last_values[name] = float(match.group(1))
    return [
        {"MetricName": name, "Value": value, "Timestamp": timestamp} for name, value in last_values.items()
    ]
