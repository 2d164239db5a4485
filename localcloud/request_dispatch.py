"""What moto's server does for every request before a service sees it, made cheap.

moto's `DomainDispatcherApplication.get_backend_for_host` asks `list_of_moto_modules()` on every
request, which lists moto's package folder (about 200 entries, a `stat` each) to learn whether the Host
header names a service: about a sixth of the server's time for a small request. The folder does not
change while the process runs, so the list is read once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from moto import backends

from localcloud import patching


def _build_listed_once(original: Callable[[], Iterable[str]]) -> Callable[[], tuple[str, ...]]:
    @functools.cache
    def list_of_moto_modules() -> tuple[str, ...]:
        return tuple(original())

    return list_of_moto_modules


PATCHES = (
    patching.wrap(
        __name__, backends, "list_of_moto_modules", fingerprint="4f741a10b06500e8", build=_build_listed_once
    ),
)
