"""IAM for the local cloud: a pure-Python policy evaluator as strict as AWS (see README.md).

`evaluate` decides a request against the caller's identity policies and the resource's policy,
`evaluate_trust` decides a role assumption against the role's trust policy, and
`access_denied_message` words a denial as AWS does. A policy the evaluator cannot apply faithfully raises
`PolicyEvaluationError`; callers deny the request.
"""

from __future__ import annotations

from localcloud.iam.condition_keys import KNOWN_CONDITION_KEY_PREFIXES, KNOWN_CONDITION_KEYS
from localcloud.iam.policy_evaluation import (
    AuthorizationRequest,
    Decision,
    NamedPolicy,
    PolicyEvaluationError,
    StatementRef,
    access_denied_message,
    evaluate,
    evaluate_trust,
    evaluate_with_key_policy,
)

__all__ = [
    "KNOWN_CONDITION_KEYS",
    "KNOWN_CONDITION_KEY_PREFIXES",
    "AuthorizationRequest",
    "Decision",
    "NamedPolicy",
    "PolicyEvaluationError",
    "StatementRef",
    "access_denied_message",
    "evaluate",
    "evaluate_trust",
    "evaluate_with_key_policy",
]
