"""What each role did, and which statements of its policies nothing used: least privilege, measured.

    python -m localcloud.iam.report [ACCESS_LOG ...]     (default: the local cloud's access log)

Reads the access log(s) the local cloud wrote (`access_log`) and prints, per role: who assumed it, every
action it was allowed (with the resources and the statements that allowed it), every denied call, and
the statements of its policies that allowed nothing during the run. An unused statement is either a
grant to remove or one whose use the run did not exercise; the README explains each for the demo.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localcloud.iam import access_log


@dataclass
class RoleActivity:
    role_arn: str
    assumed_by: set[str] = field(default_factory=set)
    policies: list[dict[str, Any]] = field(default_factory=list)
    allowed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    allowing_statements: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    denied: list[dict[str, Any]] = field(default_factory=list)

    def statements(self) -> list[tuple[str, str]]:
        """(policy name, statement id) of every statement the role's policies had during the run, in order.

        A policy changed during the run (a test removing a grant) counts with every statement it ever had.
        """
        found: list[tuple[str, str]] = []
        for policy in self.policies:
            statements = policy["document"].get("Statement", [])
            for index, statement in enumerate(statements if isinstance(statements, list) else [statements]):
                ref = (policy["name"], statement.get("Sid") or f"#{index}")
                if ref not in found:
                    found.append(ref)
        return found

    def used_statements(self) -> set[tuple[str, str]]:
        return {tuple(ref) for refs in self.allowing_statements.values() for ref in map(_split_ref, refs)}

    def unused_statements(self) -> list[tuple[str, str]]:
        used = self.used_statements()
        return [ref for ref in self.statements() if ref not in used]

    def unused_actions(self) -> list[tuple[str, str, str]]:
        """(policy, statement id, action) for each action a used Allow statement names but no call used.

        A statement is used when one of its actions was; this finds the grants inside it that were not.
        Wildcard actions are left out: which of their actions were meant cannot be told.
        """
        used_statements = self.used_statements()
        used_actions: dict[tuple[str, str], set[str]] = defaultdict(set)
        for action, refs in self.allowing_statements.items():
            for ref in refs:
                used_actions[_split_ref(ref)].add(action.lower())
        unused: list[tuple[str, str, str]] = []
        for policy in self.policies:
            statements = policy["document"].get("Statement", [])
            for index, statement in enumerate(statements if isinstance(statements, list) else [statements]):
                ref = (policy["name"], statement.get("Sid") or f"#{index}")
                if ref not in used_statements or statement.get("Effect") != "Allow":
                    continue
                actions = statement.get("Action", [])
                for action in [actions] if isinstance(actions, str) else actions:
                    entry = (*ref, action)
                    if "*" not in action and action.lower() not in used_actions[ref] and entry not in unused:
                        unused.append(entry)
        return unused


def _split_ref(ref: str) -> tuple[str, str]:
    policy, _, statement = ref.rpartition(" ")
    return policy, statement


def collect(entries: Iterable[dict[str, Any]]) -> dict[str, RoleActivity]:
    roles: dict[str, RoleActivity] = {}
    for entry in entries:
        role = roles.setdefault(entry["role_arn"], RoleActivity(entry["role_arn"]))
        if entry["kind"] == "policies":
            role.policies.extend(entry["policies"])
            continue
        if entry["action"] == "sts:AssumeRole":
            if entry["allowed"]:
                role.assumed_by.add(entry["caller"])
            else:
                role.denied.append(entry)
            continue
        if entry["allowed"]:
            role.allowed[entry["action"]].add(entry["resource"])
            # Only the role's own statements count: a resource policy's statement is not the role's grant.
            role.allowing_statements[entry["action"]].update(
                f"{policy} {statement}" for policy, statement in entry["statements"]
            )
        else:
            role.denied.append(entry)
    return roles


def render(roles: dict[str, RoleActivity]) -> str:
    lines: list[str] = []
    for role in sorted(roles.values(), key=lambda activity: activity.role_arn):
        lines.append(f"Role {role.role_arn}")
        if role.assumed_by:
            lines.append(f"  assumed by: {', '.join(sorted(role.assumed_by))}")
        lines.append("  used:")
        if not role.allowed:
            lines.append("    (nothing)")
        for action in sorted(role.allowed):
            resources = sorted(role.allowed[action])
            shown = ", ".join(resources[:3]) + (
                f" (+{len(resources) - 3} more)" if len(resources) > 3 else ""
            )
            statements = ", ".join(sorted(_split_ref(ref)[1] for ref in role.allowing_statements[action]))
            lines.append(f"    {action}  [{statements}]  on {shown}")
        if role.denied:
            lines.append("  denied:")
            for entry in role.denied:
                lines.append(
                    f"    {entry['action']} on {entry['resource']}: {entry.get('error') or entry['reason']}"
                )
        unused = role.unused_statements()
        lines.append("  statements never used:" + ("" if unused else " none"))
        for policy, statement in unused:
            lines.append(f"    {statement}  ({policy})")
        unused_actions = role.unused_actions()
        lines.append("  actions never used in used statements:" + ("" if unused_actions else " none"))
        for _, statement, action in unused_actions:
            lines.append(f"    {action}  [{statement}]")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m localcloud.iam.report", description=__doc__.splitlines()[0]
    )
    parser.add_argument("logs", nargs="*", type=Path, help=f"access logs (default: {access_log.path()})")
    arguments = parser.parse_args(argv)
    paths = arguments.logs or [access_log.path()]
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        print(
            f"no access log at {', '.join(missing)}: run `make demo` (or the end-to-end tests) first",
            file=sys.stderr,
        )
        return 1
    entries = [entry for path in paths for entry in access_log.read(path)]
    print(render(collect(entries)), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
