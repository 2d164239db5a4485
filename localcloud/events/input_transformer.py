"""What a rule's target receives for one event: the target's `Input`, `InputPath` or `InputTransformer`.

Pure (no moto), as the EventBridge User Guide's "Amazon EventBridge input transformation" describes it and
as AWS was recorded to answer (LocalStack's AWS-validated snapshots of `test_events_inputs.py`, where the
guide is silent):

- No input setting: the whole event, as minified JSON.
- `Input`: that text, unchanged.
- `InputPath`: the JSON value the path selects, minified (`$.detail.payload.id` gives `"baz"`, quotes
  included).
- `InputTransformer`: each `InputPathsMap` variable (at most 100) is a JSONPath into the event; the
  predefined variables `aws.events.rule-arn`, `aws.events.rule-name`, `aws.events.event.ingestion-time`
  (ISO 8601), `aws.events.event` (the event without `detail`, `detail-type` spelled `detailType`) and
  `aws.events.event.json` (the whole event) cannot be overridden. Every `<name>` of the template is replaced:
  - outside a JSON string, by the value as JSON (a string with its quotes);
  - inside a JSON string, by its text: a string JSON-escaped, a number or boolean as written in JSON; an
    object or array only in a template that is not a JSON object, as JSON without its double quotes
    (`{id:1}`, `[HIGH,LOW]`, as AWS does); in a JSON-object template AWS drops the event, and so does this
    (`InputTransformError`).
  - A path matching nothing gives the empty string: `""` outside a string, nothing inside one (AWS's
    recorded answer; the guide says such a variable "won't appear in the output").
  A template that is a JSON object is delivered minified and must parse; any other template is delivered as
  the text it renders to, so a quoted template (`"Run <name> failed"`) is delivered with its quotes, as an
  SNS message or SQS body shows them on AWS.

The supported JSONPath is EventBridge's: dot notation (keys with dashes, underscores, slashes), array
indices and `*` wildcards; a wildcard's matches form an array.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import jsonpath_ng

MAX_VARIABLES = 100
RULE_ARN = "aws.events.rule-arn"
RULE_NAME = "aws.events.rule-name"
INGESTION_TIME = "aws.events.event.ingestion-time"
EVENT = "aws.events.event"
EVENT_JSON = "aws.events.event.json"
PREDEFINED: Final = frozenset({RULE_ARN, RULE_NAME, INGESTION_TIME, EVENT, EVENT_JSON})

# A placeholder is `<name>` without spaces or quotes in the name: "a < b > c" in a text stays text.
_PLACEHOLDER = re.compile(r'<([^<>\s"]+)>')
# Path segments jsonpath-ng reads as identifiers; others (slashes, leading digits) are quoted for it.
_PLAIN_SEGMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*|\*")
_SEGMENT = re.compile(r"\.([^.\[\]]+)")


class InputTransformError(ValueError):
    """The target's input cannot be built for this event; EventBridge does not deliver it."""


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Final = _Missing()


@dataclass(frozen=True)
class RuleContext:
    """What the predefined variables name: the rule that matched and when EventBridge received the event."""

    rule_arn: str
    rule_name: str
    ingestion_time: str  # ISO 8601, e.g. 2024-03-26T15:48:35Z


def target_input(target: Mapping[str, Any], event: Mapping[str, Any], context: RuleContext) -> str:
    """The text delivered to `target` (a PutTargets target) for `event` (as EventBridge delivers events)."""
    if target.get("Input") is not None:
        return str(target["Input"])
    if target.get("InputPath"):
        selected = select(event, target["InputPath"])
        if selected is MISSING:
            raise InputTransformError(f"InputPath {target['InputPath']} matches nothing in the event")
        return minified(selected)
    transformer = target.get("InputTransformer")
    if transformer:
        return transform(transformer, event, context)
    return minified(event)


def minified(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def select(event: Mapping[str, Any], path: str) -> Any:
    """The value at the JSONPath `path`; a list for a path with a wildcard; MISSING when nothing matches."""
    if not path.startswith("$"):
        raise InputTransformError(f"JSON path {path!r} must start with $")
    quoted = _SEGMENT.sub(
        lambda match: (
            f".{match.group(1)}" if _PLAIN_SEGMENT.fullmatch(match.group(1)) else f".'{match.group(1)}'"
        ),
        path,
    )
    try:
        matches = jsonpath_ng.parse(quoted).find(event)
    except Exception as error:  # JsonPathLexerError, JsonPathParserError, or a bare Exception of its parser
        raise InputTransformError(f"JSON path {path!r} is not one EventBridge supports: {error}") from error
    if not matches:
        return MISSING
    if "*" in path:
        return [match.value for match in matches]
    return matches[0].value


def _predefined(event: Mapping[str, Any], context: RuleContext) -> dict[str, Any]:
    # AWS's recorded `aws.events.event`: the envelope without `detail`, `detail-type` as `detailType`, and the
    # time EventBridge received the event.
    without_detail = {
        ("detailType" if key == "detail-type" else key): value
        for key, value in event.items()
        if key != "detail"
    }
    without_detail["time"] = context.ingestion_time
    return {
        RULE_ARN: context.rule_arn,
        RULE_NAME: context.rule_name,
        INGESTION_TIME: context.ingestion_time,
        EVENT: without_detail,
        EVENT_JSON: dict(event),
    }


def _string_positions(template: str) -> list[tuple[int, int]]:
    """The [start, end) spans of the template's JSON string literals (between unescaped double quotes)."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    index = 0
    while index < len(template):
        char = template[index]
        if start is None:
            if char == '"':
                start = index
        elif char == "\\":
            index += 1  # the escaped character cannot end the string
        elif char == '"':
            spans.append((start, index + 1))
            start = None
        index += 1
    return spans


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < position < end for start, end in spans)


def _in_string(name: str, value: Any, *, json_object_template: bool) -> str:
    if value is MISSING:
        return ""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)[1:-1]
    if isinstance(value, dict | list):
        if json_object_template:
            raise InputTransformError(
                f"variable <{name}> is an object or an array placed inside a JSON string of a JSON "
                "template; EventBridge does not deliver such an event"
            )
        return minified(value).replace('"', "")
    return minified(value)


def transform(transformer: Mapping[str, Any], event: Mapping[str, Any], context: RuleContext) -> str:
    """The rendered `InputTemplate` of an `InputTransformer` (see the module docstring)."""
    template = transformer.get("InputTemplate")
    if not isinstance(template, str) or not template:
        raise InputTransformError("InputTransformer has no InputTemplate")
    paths = dict(transformer.get("InputPathsMap") or {})
    if len(paths) > MAX_VARIABLES:
        raise InputTransformError(
            f"InputPathsMap has {len(paths)} variables; at most {MAX_VARIABLES} are allowed"
        )
    values = {name: select(event, path) for name, path in paths.items() if name not in PREDEFINED}
    values.update(_predefined(event, context))
    json_object_template = template.lstrip().startswith("{")
    spans = _string_positions(template)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise InputTransformError(f"InputTemplate contains invalid placeholder {name}")
        value = values[name]
        if _inside(match.start(), spans):
            return _in_string(name, value, json_object_template=json_object_template)
        return '""' if value is MISSING else minified(value)

    rendered = _PLACEHOLDER.sub(replace, template)
    if not json_object_template:
        return rendered
    try:
        return minified(json.loads(rendered))
    except json.JSONDecodeError as error:
        raise InputTransformError(
            f"InputTemplate does not render to valid JSON ({error}): {rendered}"
        ) from error
