"""A JSONPath filter that matches nothing (`$.list[?(@.x == 'y')]`) yields `[]`, as on AWS.

moto raised `States.Runtime` for it; the template's missing-metric check relies on the empty list.
moto's `extract_json` already answers `[]` for an empty slice or wildcard; a filter is added to that
rule, and a missing plain field still raises.
"""

from __future__ import annotations

from collections.abc import Callable

from moto.stepfunctions.parser.asl.utils import json_path

from localcloud import patching


def _filters_too(original: Callable[[str], bool]) -> Callable[[str], bool]:
    def contains_slice_or_wildcard_array(path: str) -> bool:
        return original(path) or "[?(" in path

    return contains_slice_or_wildcard_array


PATCHES = (
    patching.wrap(
        __name__,
        json_path,
        "_contains_slice_or_wildcard_array",
        fingerprint="ef67082f0291ee58",
        build=_filters_too,
    ),
)
