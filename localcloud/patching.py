"""The one way the local cloud changes moto: wrap, replace or add one attribute, once, checked.

A patch names its target (a class or module and an attribute) and how it changes it:

- `wrap`: the new value is built from moto's original and keeps its logic: it calls it, subclasses
  it, or (where a wrapper cannot reach the fault) recompiles its source with one line changed;
- `replace`: moto's original is dropped, because nothing in it can be kept (the patch says why);
- `add`: moto has no such attribute (an API action it lacks, a method a class misses).

Every wrapped or replaced target is moto-internal, so a moto upgrade may change it under the patch.
Each such patch therefore records a fingerprint of the target's source as the patch was written
against it (`fingerprint(original)`: the first 16 hex digits of the SHA-256 of `inspect.getsource`, or
of the repr of a module constant),
and `apply` refuses to patch a target whose fingerprint differs, with an error naming the patch, the
target and both fingerprints. An added attribute has no fingerprint; `apply` refuses to add it once
moto defines it. `apply` records what it patched: applying the same patch again is a no-op.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["wrap", "replace", "add"]


class PatchError(RuntimeError):
    """A patch does not fit the installed moto; the message names the patch and its target."""


@dataclass(frozen=True)
class Patch:
    name: str  # the module that defines the patch, e.g. "localcloud.s3.bucket_policy"
    owner: Any  # the class or module that holds the target
    attribute: str
    kind: Kind
    build: Callable[[Any], Any]  # moto's original (None for `add`) -> the value to set
    fingerprint: str | None = None

    @property
    def target(self) -> str:
        owner = self.owner
        qualified = owner.__name__ if inspect.ismodule(owner) else f"{owner.__module__}.{owner.__qualname__}"
        return f"{qualified}.{self.attribute}"


def wrap(name: str, owner: Any, attribute: str, *, fingerprint: str, build: Callable[[Any], Any]) -> Patch:
    """Patch `owner.attribute` with `build(original)`, which keeps calling or extending moto's original."""
    return Patch(name, owner, attribute, "wrap", build, fingerprint)


def replace(name: str, owner: Any, attribute: str, *, fingerprint: str, replacement: Any) -> Patch:
    """Patch `owner.attribute` with `replacement`; moto's original is not called (say why at the call)."""
    return Patch(name, owner, attribute, "replace", lambda _original: replacement, fingerprint)


def add(name: str, owner: Any, attribute: str, value: Any) -> Patch:
    """Give `owner` an attribute moto does not define."""
    return Patch(name, owner, attribute, "add", lambda _original: value)


def fingerprint(value: Any) -> str:
    """First 16 hex digits of the SHA-256 of the source of a function, method or class; of a module
    constant (a number, a string), of its repr, so a replaced setting is refused once moto changes it."""
    if isinstance(value, staticmethod | classmethod):
        value = value.__func__
    elif isinstance(value, property):
        value = value.fget
    is_constant = isinstance(value, int | float | str | bytes)
    text = repr(value) if is_constant else inspect.getsource(value)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class _Applied:
    patch: Patch
    original: Any


_APPLIED: dict[tuple[int, str], _Applied] = {}
_LOCK = threading.Lock()
_MISSING = object()


def _key(patch: Patch) -> tuple[int, str]:
    return id(patch.owner), patch.attribute


def _moto_version() -> str:
    return importlib.metadata.version("moto")


def original(patch: Patch) -> Any:
    """moto's value of the target: recorded when the patch was applied, else the current one."""
    applied = _APPLIED.get(_key(patch))
    if applied is not None:
        return applied.original
    return inspect.getattr_static(patch.owner, patch.attribute, _MISSING)


def check(patch: Patch) -> None:
    """Raise PatchError unless `patch` fits the installed moto (see the module docstring)."""
    found = original(patch)
    if patch.kind == "add":
        if found is not _MISSING and _key(patch) not in _APPLIED:
            raise PatchError(
                f"patch {patch.name} adds {patch.target}, but moto {_moto_version()} now defines it: "
                "compare moto's version with the patch and drop the patch (or turn it into a wrap)"
            )
        return
    if found is _MISSING:
        raise PatchError(
            f"patch {patch.name} {patch.kind}s {patch.target}, which moto {_moto_version()} does not define"
        )
    actual = fingerprint(found)
    if actual != patch.fingerprint:
        raise PatchError(
            f"patch {patch.name} {patch.kind}s {patch.target}, whose source changed: the patch was "
            f"written against fingerprint {patch.fingerprint}, moto {_moto_version()} has {actual}. "
            "Review the patch against the new source, then record the new fingerprint."
        )


def apply(patches: Iterable[Patch]) -> None:
    """Check every patch first, then apply those not applied yet; nothing is changed if one fails."""
    patches = tuple(patches)
    with _LOCK:
        pending: dict[tuple[int, str], Patch] = {}
        for patch in patches:
            earlier = _APPLIED[_key(patch)].patch if _key(patch) in _APPLIED else pending.get(_key(patch))
            if earlier is not None:
                if earlier.name != patch.name:
                    raise PatchError(f"patches {earlier.name} and {patch.name} both change {patch.target}")
                continue
            check(patch)
            pending[_key(patch)] = patch
        for patch in pending.values():
            moto_value = original(patch)
            current = None if patch.kind == "add" else getattr(patch.owner, patch.attribute)
            setattr(patch.owner, patch.attribute, patch.build(current))
            _APPLIED[_key(patch)] = _Applied(patch, moto_value)
