"""Event pattern matching: moto's `EventPattern`, with AWS's treatment of arrays in events.

moto 5.2.5 matches exact values, `prefix`, `suffix`, `anything-but`, `numeric`, `exists`, `wildcard`,
`equals-ignore-case`, `cidr` and `$or` as the EventBridge User Guide describes them (checked against
LocalStack's AWS-validated pattern cases; the rules the local cloud relies on are in
`tests/localcloud/events/test_event_patterns.py`). Its flattening of the event before matching gets two
things wrong, both fixed here:

- A field inside an array of objects (`{"detail": {"items": [{"id": "a"}, {"id": "b"}]}}`) is a value of
  `detail.items.id` for AWS, which matches a pattern `{"detail": {"items": {"id": ["b"]}}}`; moto kept the
  array as one opaque value and nothing under it could match.
- An empty array has no value: `{"exists": true}` does not match it on AWS; moto said it did.

`_flatten_dict` is replaced: nothing of moto's traversal is kept once arrays are walked into.
"""

from __future__ import annotations

from typing import Any

from moto.events.models import EventPattern

from localcloud import patching


def _add(result: dict[str, Any], path: str, value: Any) -> None:
    """Record `value` at `path`; values met again at the same path (one per array element) form a list,
    which moto's matchers read as a multi-valued field, as they read an array of scalars."""
    if path not in result:
        result[path] = value
        return
    existing = result[path]
    merged = list(existing) if isinstance(existing, list) else [existing]
    merged.extend(value if isinstance(value, list) else [value])
    result[path] = merged


def _flatten_value(value: Any, path: str, result: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        flatten(value, path, result)
    elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
        for item in value:
            if isinstance(item, dict):
                flatten(item, path, result)
            else:
                _add(result, path, item)
    elif isinstance(value, list) and not value:
        return  # no value at all, so `exists` is false, as on AWS
    else:
        _add(result, path, value)


def flatten(node: Any, prefix: str = "", result: dict[str, Any] | None = None) -> dict[str, Any]:
    """{dotted path: value or list of values} of every leaf of an event, as EventBridge matches them."""
    if result is None:
        result = {}
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten_value(value, f"{prefix}.{key}" if prefix else key, result)
    return result


PATCHES = (
    patching.replace(
        __name__,
        EventPattern,
        "_flatten_dict",
        fingerprint="26dca5bdb2739a2c",
        replacement=staticmethod(flatten),
    ),
)
