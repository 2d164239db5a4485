"""The patch helper: every patch fits the installed moto, a changed target stops the start, once only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from localcloud import patching, server


def _exclaim(original: Callable[..., str]) -> Callable[..., str]:
    def greet(self: Any, name: str) -> str:
        return original(self, name) + "!"

    return greet


def test_every_registered_patch_fits_the_installed_moto() -> None:
    # What a moto upgrade fails first: each message names the patch, its target and both fingerprints.
    problems = []
    for patch in server.patches():
        try:
            patching.check(patch)
        except patching.PatchError as error:
            problems.append(str(error))
    assert problems == []


def test_every_wrapped_or_replaced_target_has_a_fingerprint_and_only_those() -> None:
    for patch in server.patches():
        assert (patch.fingerprint is None) == (patch.kind == "add"), patch.target
        assert patch.name.startswith("localcloud."), patch.name


def test_a_changed_fingerprint_stops_the_patch_with_an_error_naming_it() -> None:
    class Target:
        def greet(self, name: str) -> str:
            return f"hello {name}"

    patch = patching.wrap("tests.exclaim", Target, "greet", fingerprint="0123456789abcdef", build=_exclaim)

    with pytest.raises(patching.PatchError) as error:
        patching.apply([patch])

    message = str(error.value)
    assert "tests.exclaim" in message
    assert f"{Target.__module__}.{Target.__qualname__}.greet" in message
    assert "0123456789abcdef" in message
    assert patching.fingerprint(Target.greet) in message
    assert Target().greet("you") == "hello you"  # nothing was patched


def test_applying_twice_is_a_no_op() -> None:
    class Target:
        def greet(self, name: str) -> str:
            return f"hello {name}"

    patch = patching.wrap(
        "tests.exclaim", Target, "greet", fingerprint=patching.fingerprint(Target.greet), build=_exclaim
    )
    original = Target.greet

    patching.apply([patch])
    patched = Target.greet
    patching.apply([patch])

    assert Target.greet is patched
    assert Target().greet("you") == "hello you!"  # wrapped once, not twice
    assert patching.original(patch) is original
    patching.check(patch)  # still checked against moto's original, not against the wrapper


def test_a_failing_patch_leaves_the_whole_list_unapplied() -> None:
    class Target:
        def greet(self, name: str) -> str:
            return f"hello {name}"

        def part(self) -> str:
            return "part"

    good = patching.wrap(
        "tests.exclaim", Target, "greet", fingerprint=patching.fingerprint(Target.greet), build=_exclaim
    )
    stale = patching.replace(
        "tests.stale", Target, "part", fingerprint="ffffffffffffffff", replacement=lambda self: "new"
    )

    with pytest.raises(patching.PatchError, match=r"tests\.stale"):
        patching.apply([good, stale])

    assert Target().greet("you") == "hello you"


def test_adding_what_moto_now_defines_fails_loudly() -> None:
    class Target:
        def update_job(self) -> str:
            return "moto's own"

    with pytest.raises(patching.PatchError, match=r"adds .*Target\.update_job, but moto .* now defines it"):
        patching.apply([patching.add("tests.add", Target, "update_job", lambda self: "ours")])


def test_added_and_replaced_attributes_are_set() -> None:
    class Target:
        def invoke(self) -> str:
            return "docker"

    patching.apply(
        [
            patching.add("tests.add", Target, "update_job", lambda self: "added"),
            patching.replace(
                "tests.replace",
                Target,
                "invoke",
                fingerprint=patching.fingerprint(Target.invoke),
                replacement=lambda self: "subprocess",
            ),
        ]
    )

    assert Target().update_job() == "added"  # type: ignore[attr-defined]
    assert Target().invoke() == "subprocess"


def test_two_patches_of_one_target_are_refused() -> None:
    class Target:
        def greet(self, name: str) -> str:
            return f"hello {name}"

    fingerprint = patching.fingerprint(Target.greet)
    first = patching.wrap("tests.first", Target, "greet", fingerprint=fingerprint, build=_exclaim)
    second = patching.wrap("tests.second", Target, "greet", fingerprint=fingerprint, build=_exclaim)

    with pytest.raises(patching.PatchError, match=r"tests\.first and tests\.second both change"):
        patching.apply([first, second])


def test_a_module_constant_is_fingerprinted_by_its_value() -> None:
    # A replaced setting (a period, a limit) is refused once moto ships another value.
    assert patching.fingerprint(0.5) == patching.fingerprint(0.5)
    assert patching.fingerprint(0.5) != patching.fingerprint(0.25)
    assert patching.fingerprint("0.5") != patching.fingerprint(0.5)
