"""Render the state machine template the way Terraform's templatefile() does, without Terraform.

The template (pipeline.asl.json.tftpl) is kept in the common subset of Terraform's template language and
Jinja2 (see statemachine/README.md), so Jinja2 configured with Terraform's delimiters and a `jsonencode`
that writes what Terraform's writes gives the same definition. tests/test_render_parity.py proves it.

CLI: python -m statemachine.render --var-file environments/demo.tfvars --pipeline churn-xgboost
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2

TEMPLATE_PATH = Path(__file__).resolve().with_name("pipeline.asl.json.tftpl")

# Exactly the variables the module passes to templatefile() (modules/mlops_pipeline/main.tf).
TEMPLATE_VARIABLES = frozenset(
    {
        "glue_job_name",
        "training_image",
        "sagemaker_role_arn",
        "hyperparameters",
        "training_content_type",
        "training_instance_type",
        "training_instance_count",
        "training_volume_size_gb",
        "training_max_runtime_seconds",
        "quality_gate_enabled",
        "quality_gate_metric_name",
        "quality_gate_comparison",
        "quality_gate_threshold",
        "endpoint_name",
        "endpoint_instance_type",
        "endpoint_instance_count",
        "endpoint_poll_interval_seconds",
        "endpoint_max_polls",
    }
)
_STRING_VARIABLES = (
    "glue_job_name",
    "training_image",
    "sagemaker_role_arn",
    "training_content_type",
    "training_instance_type",
    "quality_gate_metric_name",
    "quality_gate_comparison",
    "endpoint_name",
    "endpoint_instance_type",
)
_WHOLE_NUMBER_VARIABLES = {
    "training_instance_count": 1,
    "training_volume_size_gb": 1,
    "training_max_runtime_seconds": 1,
    "endpoint_instance_count": 1,
    "endpoint_poll_interval_seconds": 1,
    "endpoint_max_polls": 1,
}
COMPARISONS = ("LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")
# The metric and endpoint names are written inside JSONPath filters and States.Format strings, where a
# quote, a backslash or a brace would change the expression instead of naming something.
_METRIC_NAME = re.compile(r"^[^'\"\\{}\x00-\x1f]+$")
_ENDPOINT_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")

# Terraform's jsonencode is Go's encoding/json, which escapes these so the output can sit in HTML.
_GO_JSON_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def _terraform_value(value: Any, where: str) -> Any:
    """The value as Terraform holds it: whole numbers have no fraction, object keys are strings."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value!r} is not a number Terraform can hold")
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        converted = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: object key {key!r} is not a string")
            converted[key] = _terraform_value(item, f"{where}.{key}")
        return converted
    if isinstance(value, Sequence):
        return [_terraform_value(item, f"{where}[{index}]") for index, item in enumerate(value)]
    raise ValueError(f"{where}: {type(value).__name__} {value!r} has no Terraform equivalent")


def jsonencode(value: Any) -> str:
    """What Terraform's jsonencode() returns for the same value: compact, keys sorted, <>& escaped."""
    encoded = json.dumps(
        _terraform_value(value, "jsonencode argument"),
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    )
    return encoded.translate(_GO_JSON_ESCAPES)


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_PATH.parent)),
        variable_start_string="${",
        variable_end_string="}",
        block_start_string="%{",
        block_end_string="}",
        # Terraform templates have no comments; make Jinja2's comment syntax unreachable from ASL text.
        comment_start_string="%{/*",
        comment_end_string="*/}",
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.globals["jsonencode"] = jsonencode
    return environment


def check_template_variables(variables: Mapping[str, Any]) -> None:
    """Raise ValueError naming the variable when the template could not render valid ASL from it."""
    missing = sorted(TEMPLATE_VARIABLES - variables.keys())
    unexpected = sorted(variables.keys() - TEMPLATE_VARIABLES)
    if missing or unexpected:
        raise ValueError(
            "state machine template variables: "
            f"missing {missing or 'none'}, unexpected {unexpected or 'none'}"
        )
    for name in _STRING_VARIABLES:
        if not isinstance(variables[name], str) or not variables[name]:
            raise ValueError(f"{name} must be a non-empty string, got {variables[name]!r}")
    for name, minimum in _WHOLE_NUMBER_VARIABLES.items():
        value = variables[name]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or value != int(value)
            or value < minimum
        ):
            raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    threshold = variables["quality_gate_threshold"]
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not math.isfinite(threshold):
        raise ValueError(f"quality_gate_threshold must be a number, got {threshold!r}")
    if not isinstance(variables["quality_gate_enabled"], bool):
        raise ValueError(
            f"quality_gate_enabled must be true or false, got {variables['quality_gate_enabled']!r}"
        )
    hyperparameters = variables["hyperparameters"]
    if not isinstance(hyperparameters, Mapping) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in hyperparameters.items()
    ):
        raise ValueError(f"hyperparameters must map strings to strings, got {hyperparameters!r}")
    if variables["quality_gate_comparison"] not in COMPARISONS:
        raise ValueError(
            f"quality_gate_comparison must be one of {', '.join(COMPARISONS)}, "
            f"got {variables['quality_gate_comparison']!r}"
        )
    if not _METRIC_NAME.match(variables["quality_gate_metric_name"]):
        raise ValueError(
            "quality_gate_metric_name must not contain quotes, backslashes, braces or control characters, "
            f"got {variables['quality_gate_metric_name']!r}"
        )
    if not _ENDPOINT_NAME.match(variables["endpoint_name"]):
        raise ValueError(
            "endpoint_name must be 1-63 letters, digits and hyphens, "
            "starting and ending with a letter or digit, "
            f"got {variables['endpoint_name']!r}"
        )


def render_definition(variables: Mapping[str, Any]) -> str:
    """The ASL definition, as Terraform's templatefile() renders it from the same variables."""
    check_template_variables(variables)
    return _environment().get_template(TEMPLATE_PATH.name).render(dict(variables))


def main(argv: Sequence[str] | None = None) -> int:
    # Imported here so that rendering from a variables dict needs neither python-hcl2 nor the module.
    from statemachine.pipeline_variables import (
        DEFAULT_ACCOUNT_ID,
        DEFAULT_REGION,
        template_variables_from_tfvars,
    )

    parser = argparse.ArgumentParser(
        prog="python -m statemachine.render",
        description="Print the ASL definition Terraform would deploy for a pipeline of a tfvars file.",
    )
    parser.add_argument(
        "--var-file",
        required=True,
        type=Path,
        action="append",
        help="tfvars file with a `pipelines` map; repeat it as with terraform (a later file's values win)",
    )
    parser.add_argument("--pipeline", required=True, help="key of the pipeline in the `pipelines` map")
    parser.add_argument(
        "--region", help=f"AWS region (default: `region` of the tfvars files, else {DEFAULT_REGION})"
    )
    parser.add_argument(
        "--account-id", default=DEFAULT_ACCOUNT_ID, help=f"AWS account id (default {DEFAULT_ACCOUNT_ID})"
    )
    parser.add_argument(
        "--training-image",
        help="image URI to use when the pipeline sets no training_image_uri and its prebuilt image's "
        "registry for the region is not known here "
        "(Terraform resolves it with aws_sagemaker_prebuilt_ecr_image)",
    )
    parser.add_argument(
        "--compact", action="store_true", help="print the definition as rendered, not indented"
    )
    arguments = parser.parse_args(argv)
    try:
        variables = template_variables_from_tfvars(
            arguments.var_file,
            arguments.pipeline,
            region=arguments.region,
            account_id=arguments.account_id,
            training_image=arguments.training_image,
        )
        definition = render_definition(variables)
    except (OSError, ValueError, KeyError) as error:
        parser.exit(2, f"error: {error}\n")
    if arguments.compact:
        sys.stdout.write(definition)
    else:
        sys.stdout.write(json.dumps(json.loads(definition), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
