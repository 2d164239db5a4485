"""The `Principal` and `NotPrincipal` elements of resource-based and trust policies."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from localcloud.iam.errors import PolicyProblem
from localcloud.iam.matching import account_of, split_arn

_ACCOUNT_ID = re.compile(r"\d{12}")
_SUPPORTED_PRINCIPAL_TYPES = ("AWS", "Service")


@dataclass(frozen=True)
class PrincipalSet:
    """Who a `Principal` element names: everyone, whole accounts, IAM identities and service principals."""

    everyone: bool = False
    accounts: frozenset[str] = frozenset()
    identity_arns: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()


def _as_list(raw: object, principal_type: str) -> list[str]:
    values = raw if isinstance(raw, list) else [raw]
    if not values or not all(isinstance(value, str) for value in values):
        raise PolicyProblem(f"Principal {principal_type!r} must be a string or a non-empty list of strings")
    return values


def _add_aws_principal(value: str, accounts: set[str], identity_arns: set[str]) -> bool:
    """Files one `"AWS"` entry; returns True when it is `*` (everyone)."""
    if value == "*":
        return True
    if "*" in value or "?" in value:
        raise PolicyProblem(f'Principal {value!r}: wildcards are only valid as the whole principal ("*")')
    if _ACCOUNT_ID.fullmatch(value):
        accounts.add(value)
        return False
    fields = split_arn(value)
    if fields is None or fields[2] not in ("iam", "sts"):
        raise PolicyProblem(f"Principal {value!r} is not an account id or an IAM/STS ARN")
    if fields[2] == "iam" and fields[5] == "root":
        accounts.add(fields[4])
    else:
        identity_arns.add(value)
    return False


def parse_principal(element: object) -> PrincipalSet:
    if element == "*":
        return PrincipalSet(everyone=True)
    if not isinstance(element, Mapping) or not element:
        raise PolicyProblem(f'Principal {element!r} must be "*" or an object such as {{"AWS": ...}}')
    unsupported = sorted(set(element) - set(_SUPPORTED_PRINCIPAL_TYPES))
    if unsupported:
        raise PolicyProblem(f"Principal type(s) {unsupported} are not supported (only AWS and Service)")
    everyone = False
    accounts: set[str] = set()
    identity_arns: set[str] = set()
    for value in _as_list(element["AWS"], "AWS") if "AWS" in element else []:
        everyone |= _add_aws_principal(value, accounts, identity_arns)
    services = set(_as_list(element["Service"], "Service")) if "Service" in element else set()
    if any("*" in service or "?" in service for service in services):
        raise PolicyProblem(f"Principal Service {sorted(services)} must name services without wildcards")
    return PrincipalSet(everyone, frozenset(accounts), frozenset(identity_arns), frozenset(services))


def _session_role(principal_arn: str) -> tuple[str, str, str] | None:
    """(partition, account, role name) of an assumed-role session ARN; None for any other principal."""
    fields = split_arn(principal_arn)
    if fields is None or fields[2] != "sts" or not fields[5].startswith("assumed-role/"):
        return None
    parts = fields[5].split("/")
    if len(parts) != 3 or not parts[1] or not parts[2]:
        return None
    return fields[1], fields[4], parts[1]


def _names_role_of_session(identity_arn: str, session_role: tuple[str, str, str]) -> bool:
    """Whether a role ARN names the session's role (by name: the session ARN drops the role's path)."""
    fields = split_arn(identity_arn)
    if fields is None or fields[2] != "iam" or not fields[5].startswith("role/"):
        return False
    return (fields[1], fields[4], fields[5].rsplit("/", 1)[-1]) == session_role


def principal_matches(principals: PrincipalSet, principal_arn: str, *, through_account: bool = True) -> bool:
    """Whether the caller (an IAM/STS ARN, or a service principal name) is among `principals`.

    An account entry names every principal of the account, but as a grant it only delegates to the account's
    identity policies: `through_account=False` leaves it out unless the caller is the account root.
    """
    if (
        principals.everyone
        or principal_arn in principals.services
        or principal_arn in principals.identity_arns
    ):
        return True
    account = account_of(principal_arn)
    if account in principals.accounts and (through_account or principal_arn.endswith(f":{account}:root")):
        return True
    session_role = _session_role(principal_arn)
    return session_role is not None and any(
        _names_role_of_session(identity, session_role) for identity in principals.identity_arns
    )


def principal_excluded(principals: PrincipalSet, principal_arn: str) -> bool:
    """Whether a `NotPrincipal` spares the caller.

    AWS checks a caller link by link (account, then role, then session; account, then user) and a
    `NotPrincipal` spares it only when every link is listed, so its docs tell you to list them all.
    """
    if principals.everyone:
        return True
    account = account_of(principal_arn)
    if account is None:  # a service principal has no account
        return principal_arn in principals.services
    session_role = _session_role(principal_arn)
    role_listed = session_role is None or any(
        _names_role_of_session(identity, session_role) for identity in principals.identity_arns
    )
    return account in principals.accounts and role_listed and principal_arn in principals.identity_arns
