"""The IAM policy evaluator decides as AWS does, and refuses what it cannot decide faithfully."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localcloud.iam import (
    KNOWN_CONDITION_KEYS,
    AuthorizationRequest,
    Decision,
    NamedPolicy,
    PolicyEvaluationError,
    StatementRef,
    access_denied_message,
    evaluate,
    evaluate_trust,
)
from localcloud.iam.matching import wildcard_match

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
GLUE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/churn-glue"
GLUE_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/churn-glue/glue-job-run"
BUCKET = "arn:aws:s3:::churn-bucket"
OBJECT = f"{BUCKET}/input/data.csv"
IDENTITY_POLICY_NAME = "role/churn-glue/inline/churn-glue-permissions"
BUCKET_POLICY_NAME = "bucket-policy/churn-bucket"

ContextValue = str | bool | Sequence[str]


def policy(*statements: Mapping[str, Any], name: str = IDENTITY_POLICY_NAME) -> NamedPolicy:
    return NamedPolicy(name, {"Version": "2012-10-17", "Statement": list(statements)})


def statement(
    effect: str = "Allow",
    action: str | list[str] = "s3:GetObject",
    resource: str | list[str] = OBJECT,
    **extra: Any,
) -> dict[str, Any]:
    return {"Effect": effect, "Action": action, "Resource": resource, **extra}


def request(
    action: str = "s3:GetObject",
    resource: str = OBJECT,
    principal: str = GLUE_SESSION,
    context: Mapping[str, ContextValue] | None = None,
) -> AuthorizationRequest:
    return AuthorizationRequest(principal, action, resource, context or {})


def allowed_under(condition: Mapping[str, Any], context: Mapping[str, ContextValue]) -> bool:
    """Whether a single Allow statement with `condition` allows a request carrying `context`."""
    decision = evaluate(request(context=context), [policy(statement(Condition=condition))])
    return decision.allowed


# --- decisions, statement refs and messages ----------------------------------------------------------------


def test_an_allow_reports_every_matching_statement_by_sid_or_position() -> None:
    decision = evaluate(
        request(),
        [
            policy(statement(Sid="ReadInput"), statement(action="s3:*"), statement(action="s3:PutObject")),
            policy(statement(resource=f"{BUCKET}/*"), name="role/churn-glue/inline/second"),
        ],
    )
    assert decision == Decision(
        allowed=True,
        reason="allowed",
        denied_by=None,
        matched=(
            StatementRef(IDENTITY_POLICY_NAME, "ReadInput", "Allow"),
            StatementRef(IDENTITY_POLICY_NAME, "#1", "Allow"),
            StatementRef("role/churn-glue/inline/second", "#0", "Allow"),
        ),
    )


def test_a_single_statement_object_and_string_elements_are_read_like_lists() -> None:
    document = {"Version": "2012-10-17", "Statement": statement(Sid="Only")}
    assert evaluate(request(), [NamedPolicy("p", document)]).allowed


def test_no_matching_allow_is_an_implicit_deny_worded_as_on_aws() -> None:
    denied_request = request(action="s3:PutObject", resource="arn:aws:s3:::b/k")
    decision = evaluate(denied_request, [policy(statement())])
    assert decision == Decision(False, "implicit_deny", None, (), missing_allow_from="identity")
    assert access_denied_message(denied_request, decision) == (
        f"User: {GLUE_SESSION} is not authorized to perform: s3:PutObject on resource: "
        '"arn:aws:s3:::b/k" because no identity-based policy allows the s3:PutObject action'
    )


def test_an_identity_deny_wins_over_allows_and_is_worded_as_on_aws() -> None:
    decision = evaluate(
        request(),
        [policy(statement(), statement("Deny", Sid="NoInput", resource=f"{BUCKET}/input/*"))],
        policy(statement(Principal="*"), name=BUCKET_POLICY_NAME),
    )
    assert decision == Decision(
        False, "explicit_deny", "identity", (StatementRef(IDENTITY_POLICY_NAME, "NoInput", "Deny"),)
    )
    assert access_denied_message(request(), decision) == (
        f"User: {GLUE_SESSION} is not authorized to perform: s3:GetObject on resource: "
        f'"{OBJECT}" with an explicit deny in an identity-based policy'
    )


def test_a_resource_policy_deny_wins_over_an_identity_allow() -> None:
    bucket_policy = policy(statement("Deny", action="s3:*", Principal="*"), name=BUCKET_POLICY_NAME)
    decision = evaluate(request(), [policy(statement())], bucket_policy)
    assert decision == Decision(
        False, "explicit_deny", "resource", (StatementRef(BUCKET_POLICY_NAME, "#0", "Deny"),)
    )
    assert access_denied_message(request(), decision).endswith(
        "with an explicit deny in a resource-based policy"
    )


def test_denies_from_both_sides_are_all_reported_and_the_identity_side_is_named() -> None:
    decision = evaluate(
        request(),
        [policy(statement("Deny"))],
        policy(statement("Deny", Principal="*"), name=BUCKET_POLICY_NAME),
    )
    assert decision.denied_by == "identity"
    assert [ref.policy_name for ref in decision.matched] == [IDENTITY_POLICY_NAME, BUCKET_POLICY_NAME]


def test_an_allowed_decision_has_no_access_denied_message() -> None:
    decision = evaluate(request(), [policy(statement())])
    with pytest.raises(ValueError, match="allows the request"):
        access_denied_message(request(), decision)


# --- resource-based policies -------------------------------------------------------------------------------


def test_a_same_account_resource_policy_naming_the_role_allows_its_sessions_without_an_identity_policy() -> (
    None
):
    bucket_policy = policy(statement(Principal={"AWS": GLUE_ROLE}), name=BUCKET_POLICY_NAME)
    decision = evaluate(request(), [], bucket_policy)
    assert decision == Decision(True, "allowed", None, (StatementRef(BUCKET_POLICY_NAME, "#0", "Allow"),))


def test_a_resource_policy_granting_the_account_delegates_to_identity_policies() -> None:
    bucket_policy = policy(statement(Principal={"AWS": ACCOUNT}), name=BUCKET_POLICY_NAME)
    assert not evaluate(request(), [], bucket_policy).allowed
    assert evaluate(request(), [policy(statement())], bucket_policy).allowed


def test_a_resource_policy_denying_the_account_denies_its_roles() -> None:
    bucket_policy = policy(
        statement("Deny", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}), name=BUCKET_POLICY_NAME
    )
    assert evaluate(request(), [policy(statement())], bucket_policy).reason == "explicit_deny"


def test_cross_account_requests_need_both_the_identity_and_the_resource_policy() -> None:
    other_account_queue = f"arn:aws:sqs:us-east-1:{OTHER_ACCOUNT}:failures"
    send = request(action="sqs:SendMessage", resource=other_account_queue)
    identity = policy(statement(action="sqs:SendMessage", resource=other_account_queue))
    queue_policy = policy(
        statement(action="sqs:SendMessage", resource=other_account_queue, Principal={"AWS": ACCOUNT}),
        name="queue-policy/failures",
    )
    assert evaluate(send, [identity], queue_policy).allowed
    only_identity = evaluate(send, [identity])
    assert only_identity.missing_allow_from == "resource"
    assert "because no resource-based policy allows the sqs:SendMessage action" in access_denied_message(
        send, only_identity
    )
    assert evaluate(send, [], queue_policy).missing_allow_from == "identity"


def test_an_s3_arn_carries_no_account_so_the_explicit_resource_account_decides() -> None:
    bucket_policy = policy(statement(Principal={"AWS": GLUE_ROLE}), name=BUCKET_POLICY_NAME)
    foreign_bucket = AuthorizationRequest(
        GLUE_SESSION, "s3:GetObject", OBJECT, {}, resource_account=OTHER_ACCOUNT
    )
    assert not evaluate(foreign_bucket, [], bucket_policy).allowed
    assert evaluate(foreign_bucket, [policy(statement())], bucket_policy).allowed


# --- Principal and NotPrincipal ----------------------------------------------------------------------------

OTHER_ROLE_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/churn-sagemaker/training"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"


@pytest.mark.parametrize(
    ("principal_element", "caller", "expected"),
    [
        ("*", GLUE_SESSION, True),
        ({"AWS": "*"}, GLUE_SESSION, True),
        ({"AWS": GLUE_ROLE}, GLUE_ROLE, True),
        ({"AWS": GLUE_ROLE}, GLUE_SESSION, True),
        ({"AWS": GLUE_ROLE}, OTHER_ROLE_SESSION, False),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/service-role/churn-glue"}, GLUE_SESSION, True),
        ({"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:role/churn-glue"}, GLUE_SESSION, False),
        ({"AWS": GLUE_SESSION}, GLUE_SESSION, True),
        ({"AWS": GLUE_SESSION}, f"{GLUE_SESSION}-2", False),
        ({"AWS": [USER, GLUE_ROLE]}, USER, True),
        ({"AWS": USER}, f"arn:aws:iam::{ACCOUNT}:user/bob", False),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, f"arn:aws:iam::{ACCOUNT}:root", True),
        ({"Service": "glue.amazonaws.com"}, GLUE_SESSION, False),
    ],
)
def test_principal_forms_match_the_callers_aws_matches(
    principal_element: object, caller: str, expected: bool
) -> None:
    bucket_policy = policy(statement(Principal=principal_element), name=BUCKET_POLICY_NAME)
    assert evaluate(request(principal=caller), [], bucket_policy).allowed is expected


@pytest.mark.parametrize(
    ("principal_element", "message"),
    [
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/*"}, "wildcards are only valid as the whole principal"),
        ({"Federated": "cognito-identity.amazonaws.com"}, "Federated"),
        ({"Service": "*.amazonaws.com"}, "without wildcards"),
        ({"AWS": "churn-glue"}, "is not an account id or an IAM/STS ARN"),
        ("arn:aws:iam::123456789012:root", 'must be "\\*" or an object'),
    ],
)
def test_principal_forms_aws_rejects_or_we_do_not_model_fail_closed(
    principal_element: object, message: str
) -> None:
    bucket_policy = policy(statement(Principal=principal_element, Sid="Grant"), name=BUCKET_POLICY_NAME)
    with pytest.raises(PolicyEvaluationError, match=message) as raised:
        evaluate(request(), [], bucket_policy)
    assert "bucket-policy/churn-bucket" in str(raised.value) and "'Grant'" in str(raised.value)


def test_not_principal_with_deny_spares_a_session_only_when_account_role_and_session_are_all_listed() -> None:
    def denied(listed: list[str]) -> bool:
        bucket_policy = policy(statement("Deny", NotPrincipal={"AWS": listed}), name=BUCKET_POLICY_NAME)
        return evaluate(request(), [policy(statement())], bucket_policy).reason == "explicit_deny"

    account_root = f"arn:aws:iam::{ACCOUNT}:root"
    assert not denied([GLUE_SESSION, GLUE_ROLE, account_root])
    assert denied([GLUE_SESSION, GLUE_ROLE])
    assert denied([GLUE_ROLE, account_root])
    assert denied([USER, account_root])


def test_not_principal_with_allow_is_refused() -> None:
    bucket_policy = policy(statement(NotPrincipal={"AWS": USER}), name=BUCKET_POLICY_NAME)
    with pytest.raises(PolicyEvaluationError, match="NotPrincipal with Effect Allow"):
        evaluate(request(), [], bucket_policy)


# --- trust policies ----------------------------------------------------------------------------------------

STATES_ROLE = f"arn:aws:iam::{ACCOUNT}:role/churn-step-function"


def trust_policy(
    condition: Mapping[str, Any] | None = None, service: str = "states.amazonaws.com"
) -> NamedPolicy:
    trust_statement: dict[str, Any] = {
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Principal": {"Service": service},
    }
    if condition:
        trust_statement["Condition"] = condition
    return policy(trust_statement, name="role/churn-step-function/trust-policy")


def assume(principal: str = "states.amazonaws.com", **context: ContextValue) -> AuthorizationRequest:
    return AuthorizationRequest(principal, "sts:AssumeRole", STATES_ROLE, context)


def test_a_trust_policy_lets_its_service_assume_the_role() -> None:
    decision = evaluate_trust(assume(), trust_policy())
    assert decision.allowed
    assert decision.matched == (StatementRef("role/churn-step-function/trust-policy", "#0", "Allow"),)


def test_a_trust_policy_refuses_other_services_with_aws_wording() -> None:
    glue_assumes = assume("glue.amazonaws.com")
    decision = evaluate_trust(glue_assumes, trust_policy())
    assert decision == Decision(False, "implicit_deny", None, (), missing_allow_from="resource")
    assert access_denied_message(glue_assumes, decision) == (
        f'User: glue.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: "{STATES_ROLE}" '
        "because no resource-based policy allows the sts:AssumeRole action"
    )


@pytest.mark.parametrize(
    ("context", "expected"),
    [({"aws:SourceAccount": ACCOUNT}, True), ({"aws:SourceAccount": OTHER_ACCOUNT}, False), ({}, False)],
)
def test_a_trust_policy_guarded_by_source_account_admits_only_that_account(
    context: dict[str, str], expected: bool
) -> None:
    guarded = trust_policy({"StringEquals": {"aws:SourceAccount": ACCOUNT}})
    assert evaluate_trust(assume(**context), guarded).allowed is expected


def test_a_trust_policy_may_not_name_a_resource() -> None:
    document = trust_policy().document
    with_resource = NamedPolicy(
        "trust", {**document, "Statement": [{**document["Statement"][0], "Resource": "*"}]}
    )
    with pytest.raises(PolicyEvaluationError, match="Resource is not valid in role trust policies"):
        evaluate_trust(assume(), with_resource)


# --- Action and Resource matching --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("s3:GetObject", "s3:GetObject", True),
        ("S3:getobject", "s3:GetObject", True),
        ("s3:*", "s3:GetObject", True),
        ("*", "sagemaker:CreateTrainingJob", True),
        ("s3:Get*", "s3:GetObjectTagging", True),
        ("s3:Get*", "s3:PutObject", False),
        ("s3:GetObjec?", "s3:GetObject", True),
        ("s3:Get?bject", "s3:GetObject", True),
        ("s3:Get?", "s3:GetObject", False),
        ("s3:GetObject", "s3:GetObjectTagging", False),
        ("s3:*", "s3control:GetJob", False),
    ],
)
def test_action_wildcards_and_case(pattern: str, action: str, expected: bool) -> None:
    decision = evaluate(request(action=action), [policy(statement(action=pattern))])
    assert decision.allowed is expected


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        (f"{BUCKET}/input/*", OBJECT, True),
        (f"{BUCKET}/INPUT/*", OBJECT, False),
        ("arn:aws:S3:::churn-bucket/input/*", OBJECT, True),
        (f"{BUCKET}/input/data.cs?", OBJECT, True),
        (f"{BUCKET}/input/data.c?", OBJECT, False),
        (f"{BUCKET}/input.data.csv", f"{BUCKET}/input/data.csv", False),
        (f"{BUCKET}/[i]nput/data.csv", OBJECT, False),
        (f"{BUCKET}/[i]nput/data.csv", f"{BUCKET}/[i]nput/data.csv", True),
        ("arn:aws:s3:::*", OBJECT, True),
        ("*", OBJECT, True),
        ("*", "*", True),
        ("arn:aws:sagemaker:*:*:*", "*", False),
        (
            "arn:aws:logs:us-*:123456789012:log-group:/aws-glue/*",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/jobs:log-stream:x",
            True,
        ),
        ("arn:aws:logs:*:log-group:x", "arn:aws:logs:us-east-1:123456789012:log-group:x", False),
    ],
)
def test_resource_wildcards_are_case_sensitive_except_the_service_and_stay_within_arn_fields(
    pattern: str, resource: str, expected: bool
) -> None:
    decision = evaluate(request(resource=resource), [policy(statement(action="*", resource=pattern))])
    assert decision.allowed is expected


def test_not_action_applies_to_every_other_action() -> None:
    everything_but_delete = policy({"Effect": "Allow", "NotAction": "s3:Delete*", "Resource": OBJECT})
    assert evaluate(request(), [everything_but_delete]).allowed
    assert not evaluate(request(action="s3:DeleteObject"), [everything_but_delete]).allowed


def test_not_resource_applies_to_every_other_resource() -> None:
    deny_outside_bucket = {"Effect": "Deny", "Action": "s3:*", "NotResource": [BUCKET, f"{BUCKET}/*"]}
    policies = [policy(statement(action="s3:*", resource="*"), deny_outside_bucket)]
    assert evaluate(request(), policies).allowed
    assert evaluate(request(resource="arn:aws:s3:::other/key"), policies).reason == "explicit_deny"


# --- policy shape: what AWS rejects fails closed -----------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_statement", "message"),
    [
        ({"Effect": "Allow", "Action": "s3:GetObject"}, "exactly one of Resource and NotResource"),
        ({"Effect": "Allow", "Resource": OBJECT}, "exactly one of Action and NotAction"),
        (statement(NotAction="s3:PutObject"), "exactly one of Action and NotAction"),
        (statement(effect="allow"), "Effect 'allow' is not 'Allow' or 'Deny'"),
        (statement(Principal="*"), "Principal is not valid in identity-based policies"),
        (statement(Resources=OBJECT), "unknown statement element"),
        (statement(action="s3GetObject"), "is not '\\*' or 'service:action'"),
        (statement(resource="churn-bucket/*"), "is not '\\*' or an ARN"),
        (statement(resource=f"{BUCKET}/home/${{aws:username}}/*"), "policy variable \\$\\{aws:username\\}"),
        (
            statement(Condition={"StringLike": {"s3:prefix": "home/${aws:username}/*"}}),
            "policy variable \\$\\{aws:username\\}",
        ),
        (statement(action=[]), "non-empty"),
    ],
)
def test_statements_aws_rejects_or_we_cannot_apply_raise_with_the_policy_and_statement(
    bad_statement: dict[str, Any], message: str
) -> None:
    with pytest.raises(PolicyEvaluationError, match=message) as raised:
        evaluate(request(), [policy(statement(Sid="Fine"), bad_statement)])
    assert f"policy {IDENTITY_POLICY_NAME!r}, statement '#1'" in str(raised.value)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"Version": "2012-10-17"}, "no Statement"),
        ({"Version": "2012-10-17", "Statement": []}, "no Statement"),
        ({"Version": "2012-10-18", "Statement": [statement()]}, "Version '2012-10-18'"),
        ({"Version": "2012-10-17", "Statement": [statement()], "Extra": 1}, "unknown policy element"),
    ],
)
def test_documents_aws_rejects_raise_with_the_policy_name(document: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyEvaluationError, match=message) as raised:
        evaluate(request(), [NamedPolicy("role/x/inline/y", document)])
    assert raised.value.policy_name == "role/x/inline/y"


def test_a_bad_statement_fails_even_when_the_request_would_not_reach_it() -> None:
    unrelated = statement(
        action="sqs:SendMessage", Sid="Unrelated", Condition={"StringFoo": {"aws:SourceArn": "x"}}
    )
    with pytest.raises(PolicyEvaluationError, match="'Unrelated'"):
        evaluate(request(), [policy(statement(), unrelated)])


# --- conditions: operators ---------------------------------------------------------------------------------

SOURCE_ARN = "arn:aws:states:us-east-1:123456789012:execution:churn-pipeline:run-1"


@pytest.mark.parametrize(
    ("operator", "key", "policy_value", "context_value", "expected"),
    [
        ("StringEquals", "s3:prefix", "input/", "input/", True),
        ("StringEquals", "s3:prefix", "input/", "Input/", False),
        ("StringEquals", "s3:prefix", "input/*", "input/a", False),
        ("StringNotEquals", "s3:prefix", "input/", "runs/", True),
        ("StringNotEquals", "s3:prefix", "input/", "input/", False),
        ("StringEqualsIgnoreCase", "s3:prefix", "INPUT/", "input/", True),
        ("StringEqualsIgnoreCase", "s3:prefix", "INPUT/", "runs/", False),
        ("StringNotEqualsIgnoreCase", "s3:prefix", "INPUT/", "input/", False),
        ("StringNotEqualsIgnoreCase", "s3:prefix", "INPUT/", "runs/", True),
        ("StringLike", "s3:prefix", "input/*", "input/2024/a.csv", True),
        ("StringLike", "s3:prefix", "input/?", "input/ab", False),
        ("StringLike", "s3:prefix", "input/*", "Input/a", False),
        ("StringNotLike", "s3:prefix", "input/*", "runs/a", True),
        ("StringNotLike", "s3:prefix", "input/*", "input/a", False),
        ("ArnEquals", "aws:SourceArn", SOURCE_ARN, SOURCE_ARN, True),
        (
            "ArnEquals",
            "aws:SourceArn",
            "arn:aws:states:*:123456789012:execution:churn-pipeline:*",
            SOURCE_ARN,
            True,
        ),
        (
            "ArnLike",
            "aws:SourceArn",
            "arn:aws:states:*:123456789012:execution:churn-pipeline:*",
            SOURCE_ARN,
            True,
        ),
        ("ArnLike", "aws:SourceArn", "arn:aws:states:*:210987654321:*", SOURCE_ARN, False),
        (
            "ArnLike",
            "aws:SourceArn",
            "arn:aws:states:us-east-1:*:execution:churn-pipeline",
            SOURCE_ARN,
            False,
        ),
        ("ArnLike", "aws:SourceArn", SOURCE_ARN, "not-an-arn", False),
        ("ArnNotEquals", "aws:SourceArn", SOURCE_ARN, SOURCE_ARN, False),
        ("ArnNotLike", "aws:SourceArn", "arn:aws:states:*:210987654321:*", SOURCE_ARN, True),
        ("ArnNotLike", "aws:SourceArn", "arn:aws:states:*:123456789012:*", SOURCE_ARN, False),
        ("Bool", "aws:SecureTransport", "true", True, True),
        ("Bool", "aws:SecureTransport", True, "true", True),
        ("Bool", "aws:SecureTransport", "false", True, False),
        ("Bool", "aws:SecureTransport", "False", "false", True),
        ("NumericEquals", "s3:max-keys", "10", "10", True),
        ("NumericEquals", "s3:max-keys", 10, "10.0", True),
        ("NumericEquals", "s3:max-keys", "10", "eleven", False),
        ("NumericNotEquals", "s3:max-keys", "10", "11", True),
        ("NumericNotEquals", "s3:max-keys", "10", "10", False),
        ("NumericLessThan", "s3:max-keys", "10", "9", True),
        ("NumericLessThan", "s3:max-keys", "10", "10", False),
        ("NumericLessThanEquals", "s3:max-keys", "10", "10", True),
        ("NumericLessThanEquals", "s3:max-keys", "10", "11", False),
        ("NumericGreaterThan", "s3:max-keys", "10", "11", True),
        ("NumericGreaterThan", "s3:max-keys", "10", "10", False),
        ("NumericGreaterThanEquals", "s3:max-keys", "10.5", "10.5", True),
        ("NumericGreaterThanEquals", "s3:max-keys", "10.5", "10", False),
        ("DateEquals", "aws:CurrentTime", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00+00:00", True),
        ("DateEquals", "aws:CurrentTime", "1735689600", "2025-01-01T00:00:00Z", True),
        ("DateNotEquals", "aws:CurrentTime", "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z", True),
        ("DateLessThan", "aws:CurrentTime", "2025-01-01T00:00:00Z", "2024-12-31T23:59:59Z", True),
        ("DateLessThan", "aws:CurrentTime", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", False),
        ("DateLessThanEquals", "aws:CurrentTime", "2025-01-01", "2025-01-01T00:00:00Z", True),
        ("DateGreaterThan", "aws:CurrentTime", "2025-01-01T00:00:00Z", "2025-06-01T12:00:00Z", True),
        ("DateGreaterThan", "aws:CurrentTime", "2025-01-01T00:00:00Z", "not a date", False),
        ("DateGreaterThanEquals", "aws:CurrentTime", "2025-01-01T00:00:00Z", "2024-06-01T00:00:00Z", False),
        ("IpAddress", "aws:RequestTag/client-ip", "10.0.0.0/8", "10.1.2.3", True),
        ("IpAddress", "aws:RequestTag/client-ip", "10.0.0.0/8", "192.168.0.1", False),
        ("IpAddress", "aws:RequestTag/client-ip", "10.0.0.0/8", "::1", False),
        ("NotIpAddress", "aws:RequestTag/client-ip", "10.0.0.0/8", "192.168.0.1", True),
        ("NotIpAddress", "aws:RequestTag/client-ip", "10.0.0.0/8", "10.1.2.3", False),
    ],
)
def test_each_operator_compares_as_aws_documents(
    operator: str, key: str, policy_value: object, context_value: ContextValue, expected: bool
) -> None:
    assert allowed_under({operator: {key: policy_value}}, {key: context_value}) is expected


def test_condition_keys_are_case_insensitive_in_policies_and_contexts() -> None:
    condition = {"StringEquals": {"AWS:SourceAccount": ACCOUNT}}
    assert allowed_under(condition, {"aws:sourceaccount": ACCOUNT})
    assert not allowed_under({"StringEquals": {"aws:SourceAccount": ACCOUNT}}, {"AWS:SOURCEACCOUNT": "x"})


def test_blocks_and_keys_are_anded_values_ored_and_negated_values_nored() -> None:
    condition = {
        "StringLike": {"s3:prefix": ["input/*", "runs/*"], "s3:delimiter": "/"},
        "StringEquals": {"aws:RequestedRegion": "us-east-1"},
    }
    matching = {"s3:prefix": "runs/1/", "s3:delimiter": "/", "aws:RequestedRegion": "us-east-1"}
    assert allowed_under(condition, matching)
    assert not allowed_under(condition, {**matching, "s3:prefix": "models/"})
    assert not allowed_under(condition, {**matching, "s3:delimiter": ","})
    assert not allowed_under(condition, {**matching, "aws:RequestedRegion": "eu-west-1"})
    negated = {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}
    assert allowed_under(negated, {"aws:RequestedRegion": "us-east-1"})
    assert not allowed_under(negated, {"aws:RequestedRegion": "eu-central-1"})


# --- conditions: missing keys, IfExists, Null, set qualifiers ----------------------------------------------


@pytest.mark.parametrize(
    ("operator", "key", "policy_value", "expected_when_key_missing"),
    [
        ("StringEquals", "s3:prefix", "x", False),
        ("StringLike", "s3:prefix", "x*", False),
        ("ArnLike", "aws:SourceArn", "arn:aws:states:*:*:*", False),
        ("NumericLessThan", "s3:max-keys", "10", False),
        ("DateLessThan", "aws:CurrentTime", "2025-01-01", False),
        ("Bool", "aws:SecureTransport", "true", False),
        ("IpAddress", "aws:RequestTag/ip", "10.0.0.0/8", False),
        ("StringNotEquals", "s3:prefix", "x", True),
        ("StringNotLike", "s3:prefix", "x*", True),
        ("ArnNotLike", "aws:SourceArn", "arn:aws:states:*:*:*", True),
        ("NumericNotEquals", "s3:max-keys", "10", True),
        ("NotIpAddress", "aws:RequestTag/ip", "10.0.0.0/8", True),
        ("StringEqualsIfExists", "s3:prefix", "x", True),
        ("StringNotEqualsIfExists", "s3:prefix", "x", True),
        ("BoolIfExists", "aws:SecureTransport", "true", True),
        ("NumericLessThanIfExists", "s3:max-keys", "10", True),
    ],
)
def test_a_missing_key_fails_positive_operators_and_passes_negated_and_if_exists_ones(
    operator: str, key: str, policy_value: str, expected_when_key_missing: bool
) -> None:
    assert allowed_under({operator: {key: policy_value}}, {}) is expected_when_key_missing


def test_if_exists_still_compares_a_present_key() -> None:
    condition = {"StringEqualsIfExists": {"s3:prefix": "input/"}}
    assert allowed_under(condition, {"s3:prefix": "input/"})
    assert not allowed_under(condition, {"s3:prefix": "runs/"})


@pytest.mark.parametrize(
    ("null_value", "context", "expected"),
    [
        ("true", {}, True),
        ("true", {"aws:TagKeys": []}, True),
        ("true", {"aws:SourceAccount": ACCOUNT}, False),
        (False, {"aws:SourceAccount": ACCOUNT}, True),
        ("false", {"aws:SourceAccount": ""}, True),
        ("false", {}, False),
    ],
)
def test_null_tests_presence(null_value: object, context: dict[str, ContextValue], expected: bool) -> None:
    key = next(iter(context), "aws:SourceAccount")
    assert allowed_under({"Null": {key: null_value}}, context) is expected


@pytest.mark.parametrize(
    ("operator", "tag_keys", "expected"),
    [
        ("ForAllValues:StringEquals", ["team", "cost-center"], True),
        ("ForAllValues:StringEquals", ["team", "owner"], False),
        ("ForAllValues:StringEquals", [], True),
        ("ForAllValues:StringEquals", None, True),
        ("ForAnyValue:StringEquals", ["owner", "team"], True),
        ("ForAnyValue:StringEquals", ["owner"], False),
        ("ForAnyValue:StringEquals", [], False),
        ("ForAnyValue:StringEquals", None, False),
        ("ForAnyValue:StringEqualsIfExists", None, True),
        ("ForAllValues:StringNotEquals", ["owner", "project"], True),
        ("ForAllValues:StringNotEquals", ["owner", "team"], False),
        ("ForAnyValue:StringNotEquals", ["owner", "team"], True),
        ("ForAnyValue:StringNotEquals", ["team"], False),
        ("ForAnyValue:StringNotEquals", None, False),
    ],
)
def test_set_qualifiers_on_a_multivalued_key(
    operator: str, tag_keys: list[str] | None, expected: bool
) -> None:
    context: dict[str, ContextValue] = {} if tag_keys is None else {"aws:TagKeys": tag_keys}
    assert allowed_under({operator: {"aws:TagKeys": ["team", "cost-center"]}}, context) is expected


def test_for_all_values_string_not_like_matches_the_iam_user_guide_table() -> None:
    deny = statement(
        "Deny",
        action="iam:Tag*",
        resource="*",
        Condition={"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}},
    )

    def denied(context: dict[str, ContextValue]) -> bool:
        tagging = request(action="iam:TagRole", resource=GLUE_ROLE, context=context)
        return (
            evaluate(tagging, [policy(statement(action="iam:*", resource="*"), deny)]).reason
            == "explicit_deny"
        )

    assert not denied({"aws:TagKeys": ["key1:legal"]})
    assert not denied({"aws:TagKeys": ["key1:hr", "key1:personnel"]})
    assert denied({"aws:TagKeys": ["key2:audit"]})
    assert denied({})


def test_a_single_valued_operator_refuses_a_key_with_several_values() -> None:
    condition = {"StringEquals": {"aws:TagKeys": "team"}}
    assert allowed_under(condition, {"aws:TagKeys": ["team"]})
    with pytest.raises(PolicyEvaluationError, match="use ForAnyValue: or ForAllValues:") as raised:
        allowed_under(condition, {"aws:TagKeys": ["team", "owner"]})
    assert "'#0'" in str(raised.value)


# --- conditions: fail closed -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"StringFoo": {"s3:prefix": "x"}}, "condition operator 'StringFoo' is not supported"),
        ({"BinaryEquals": {"s3:prefix": "eA=="}}, "condition operator 'BinaryEquals' is not supported"),
        (
            {"ForSomeValues:StringEquals": {"aws:TagKeys": "x"}},
            "'ForSomeValues:StringEquals' is not supported",
        ),
        ({"NullIfExists": {"s3:prefix": "true"}}, "'NullIfExists' is not valid"),
        ({"ForAnyValue:Null": {"aws:TagKeys": "true"}}, "'ForAnyValue:Null' is not valid"),
        ({"StringEquals": {"aws:SourceIp": "10.0.0.1"}}, "condition key 'aws:SourceIp'"),
        ({"StringEquals": {"aws:PrincipalTag/team": "ml"}}, "condition key 'aws:PrincipalTag/team'"),
        ({"StringEquals": {"aws:ResourceTag/": "ml"}}, "condition key 'aws:ResourceTag/'"),
        ({"NumericLessThan": {"s3:max-keys": "ten"}}, "is not a number"),
        ({"Bool": {"aws:SecureTransport": "yes"}}, "is not true or false"),
        ({"DateLessThan": {"aws:CurrentTime": "tomorrow"}}, "is not an ISO 8601 date"),
        ({"IpAddress": {"aws:RequestTag/ip": "10.0.0.0/33"}}, "is not an IP range"),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:states:*"}}, "is not an ARN"),
        ({"StringEquals": {"s3:prefix": []}}, "has no values"),
        ({"StringEquals": {"s3:prefix": {"nested": "x"}}}, "is not a string, number or boolean"),
        ({"StringEquals": {}}, "must map condition keys to values"),
        ({}, "Condition must be a non-empty object"),
    ],
)
def test_conditions_the_evaluator_cannot_apply_raise_naming_operator_key_policy_and_statement(
    condition: dict[str, Any], message: str
) -> None:
    with pytest.raises(PolicyEvaluationError, match=message) as raised:
        evaluate(request(), [policy(statement(Sid="ReadInput", Condition=condition))])
    assert raised.value.policy_name == IDENTITY_POLICY_NAME
    assert raised.value.statement_id == "ReadInput"
    assert f"policy {IDENTITY_POLICY_NAME!r}, statement 'ReadInput'" in str(raised.value)


def test_known_keys_cover_the_families_by_prefix_and_are_lower_cased() -> None:
    assert all(key == key.lower() for key in KNOWN_CONDITION_KEYS)
    for key in ("aws:ResourceTag/team", "aws:RequestTag/team", "kms:EncryptionContext:aws:s3:arn"):
        assert allowed_under({"StringEquals": {key: "v"}}, {key: "v"})


@pytest.mark.parametrize(
    "context",
    [
        {"aws:SourceAccount": 123},
        {"aws:TagKeys": ["a", 1]},
        {"aws:SourceAccount": "a", "AWS:SourceAccount": "b"},
    ],
)
def test_malformed_request_contexts_are_refused(context: dict[str, Any]) -> None:
    with pytest.raises((TypeError, ValueError)):
        evaluate(request(context=context), [policy(statement())])


# --- properties --------------------------------------------------------------------------------------------

service_prefixes = st.from_regex(r"[a-z][a-z0-9-]{0,11}", fullmatch=True)
action_names = st.from_regex(r"[A-Z][A-Za-z0-9]{0,24}", fullmatch=True)
actions = st.builds(lambda service, name: f"{service}:{name}", service_prefixes, action_names)
object_keys = st.text(alphabet=string.ascii_letters + string.digits + "/._-:[]", min_size=1, max_size=40)
resources = st.builds(lambda key: f"{BUCKET}/{key}", object_keys)


@settings(max_examples=150, deadline=None)
@given(action=actions, resource=resources, with_resource_policy=st.booleans())
def test_a_deny_with_the_scope_of_an_allow_always_denies(
    action: str, resource: str, with_resource_policy: bool
) -> None:
    allow_and_deny = [statement("Allow", action, resource), statement("Deny", action, resource)]
    bucket_policy = (
        policy(statement("Allow", action, resource, Principal="*"), name=BUCKET_POLICY_NAME)
        if with_resource_policy
        else None
    )
    decision = evaluate(request(action, resource), [policy(*allow_and_deny)], bucket_policy)
    assert decision.reason == "explicit_deny"
    assert decision.matched == (StatementRef(IDENTITY_POLICY_NAME, "#1", "Deny"),)


@settings(max_examples=150, deadline=None)
@given(action=actions)
def test_a_literal_action_matches_itself_its_service_wildcard_and_any_case(action: str) -> None:
    service = action.split(":")[0]
    for pattern in (action, f"{service}:*", "*", action.swapcase(), action.upper()):
        assert evaluate(
            request(action=action, resource="*"), [policy(statement(action=pattern, resource="*"))]
        ).allowed


@settings(max_examples=150, deadline=None)
@given(action=actions, resource=resources, context_value=st.text(max_size=10))
def test_evaluate_never_allows_without_policies(action: str, resource: str, context_value: str) -> None:
    decision = evaluate(request(action, resource, context={"s3:prefix": context_value}), [])
    assert decision == Decision(False, "implicit_deny", None, (), missing_allow_from="identity")


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=string.printable.replace("*", "").replace("?", ""), max_size=30),
    extra=st.text(min_size=1, max_size=3),
)
def test_text_without_wildcards_matches_only_itself(text: str, extra: str) -> None:
    assert wildcard_match(text, text)
    assert not wildcard_match(text, text + extra)


# Actions of the services the patterns name, so both sides of the property are drawn, not only "no match".
pattern_actions = st.one_of(
    actions,
    st.sampled_from(
        [
            "s3:GetObject",
            "s3:PutObject",
            "sagemaker:CreateModel",
            "sagemaker:DescribeEndpoint",
            "iam:PassRole",
            "iam:GetRole",
            "glue:StartJobRun",
        ]
    ),
)


@settings(max_examples=150, deadline=None)
@given(
    action=pattern_actions,
    patterns=st.lists(
        st.sampled_from(["s3:*", "s3:Get*", "*", "sagemaker:Create*", "iam:PassRole"]), min_size=1, max_size=3
    ),
)
def test_not_action_applies_exactly_where_action_does_not(action: str, patterns: list[str]) -> None:
    with_action = evaluate(
        request(action=action, resource="*"), [policy(statement(action=patterns, resource="*"))]
    )
    with_not_action = evaluate(
        request(action=action, resource="*"),
        [policy({"Effect": "Allow", "NotAction": patterns, "Resource": "*"})],
    )
    assert with_action.allowed != with_not_action.allowed
