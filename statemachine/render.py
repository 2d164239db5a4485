"""Render the state machine template the way Terraform's templatefile() does, without Terraform.

The template (pipeline.asl.json.tftpl) is kept in the common subset of Terraform's template language and
Jinja2 (see statemachine/README.md), so Jinja2 configured with Terraform's delimiters and a `jsonencode`
that writes what Terraform's writes gives the same definition. tests/test_render_parity.py proves it.

Nothing here knows the module: the values are given explicitly (the module's output
`state_machine_template_variables` holds the ones Terraform used), and the set of variables is read from
the template itself.

CLI: python -m statemachine.render variables.json     (or - for standard input)
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

TEMPLATE_PATH = Path(__file__).resolve().with_name("pipeline.asl.json.tftpl")
# The batch scoring state machine's template (modules/mlops_pipeline/scoring.tf), in the same language.
SCORING_TEMPLATE_PATH = Path(__file__).resolve().with_name("scoring.asl.json.tftpl")

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


class _TerraformTemplateEnvironment(jinja2.Environment):
    """`object.field` means the field, as in Terraform: Jinja2 would otherwise prefer a Python attribute, so
    a field named `items` or `values` would render a dict method."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping):
            if attribute in obj:
                return obj[attribute]
            return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


@functools.cache
def _environment() -> jinja2.Environment:
    environment = _TerraformTemplateEnvironment(
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
    # Terraform's `null` literal, so `%{ if x != null }` means the same in both languages.
    environment.globals["null"] = None
    return environment


@functools.cache
def template_variables(template_path: Path = TEMPLATE_PATH) -> frozenset[str]:
    """The variables the template uses, read from the template (Terraform's templatefile() needs each)."""
    environment = _environment()
    source = template_path.read_text(encoding="utf-8")
    return frozenset(
        jinja2.meta.find_undeclared_variables(environment.parse(source)) - environment.globals.keys()
    )


def render_definition(variables: Mapping[str, Any], template_path: Path = TEMPLATE_PATH) -> str:
    """The ASL definition, as Terraform's templatefile() renders it from the same variables."""
    missing = sorted(template_variables(template_path) - variables.keys())
    unexpected = sorted(variables.keys() - template_variables(template_path))
    if missing or unexpected:
        raise ValueError(
            "state machine template variables: "
            f"missing {missing or 'none'}, unexpected {unexpected or 'none'}"
        )
    values = {name: _terraform_value(value, name) for name, value in variables.items()}
    try:
        return _environment().get_template(template_path.name).render(values)
    except jinja2.UndefinedError as error:
        raise ValueError(f"state machine template: {error.message}") from error


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m statemachine.render",
        description="Print the ASL definition the template renders from explicit variables (a JSON object). "
        "Terraform's own values: the module output state_machine_template_variables.",
    )
    parser.add_argument("variables", help="JSON file with the template variables, or - for standard input")
    parser.add_argument(
        "--compact", action="store_true", help="print the definition as rendered, not indented"
    )
    parser.add_argument(
        "--template",
        choices=("pipeline", "scoring"),
        default="pipeline",
        help="the pipeline's template (default) or batch scoring's (output scoring_template_variables)",
    )
    arguments = parser.parse_args(argv)
    try:
        text = sys.stdin.read() if arguments.variables == "-" else Path(arguments.variables).read_text()
        variables = json.loads(text)
        if not isinstance(variables, dict):
            raise ValueError("the variables must be a JSON object")
        template = SCORING_TEMPLATE_PATH if arguments.template == "scoring" else TEMPLATE_PATH
        definition = render_definition(variables, template)
    except (OSError, ValueError) as error:
        parser.exit(2, f"error: {error}\n")
    if arguments.compact:
        sys.stdout.write(definition)
    else:
        sys.stdout.write(json.dumps(json.loads(definition), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
