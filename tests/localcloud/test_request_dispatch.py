"""moto's per-request host lookup, with its package folder listed once."""

from __future__ import annotations

import os
from typing import Any

import pytest
from moto import backends

from localcloud import patching, request_dispatch


def test_the_package_folder_is_listed_once_and_the_answer_is_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (patch,) = request_dispatch.PATCHES
    original = patching.original(patch)
    expected = tuple(original())
    listed_once = request_dispatch._build_listed_once(original)
    listings: list[Any] = []
    real_listdir = os.listdir

    def counting_listdir(path: Any) -> list[str]:
        listings.append(path)
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", counting_listdir)
    first = listed_once()
    second = listed_once()

    assert first == second == expected
    assert {"s3", "sagemaker", "stepfunctions"} <= set(first)
    assert len(listings) == 1


def test_the_server_applies_it() -> None:
    from localcloud import server

    assert request_dispatch.PATCHES[0] in server.patches()
    patching.apply(request_dispatch.PATCHES)
    assert isinstance(backends.list_of_moto_modules(), tuple)
