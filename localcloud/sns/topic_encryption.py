"""Publishing to a topic encrypted with a customer managed KMS key needs the publisher's KMS permissions.

SNS encrypts each message of a topic with `KmsMasterKeyId` as the publisher: the SNS Developer Guide
("Key management") requires publishers to have `kms:GenerateDataKey*` and `kms:Decrypt` on the key. So
a Publish or PublishBatch by a role session is also authorized, as that session, for `kms:GenerateDataKey`
and `kms:Decrypt` on the key's ARN, through SNS (`kms:ViaService` = `sns.<region>.amazonaws.com`, the
encryption context `aws:sns:topicArn` = the topic), against the key policy (which must allow, directly or
through the account, as `localcloud.iam.s3_kms` does for S3). A denial answers the Publish with SNS's
`KMSAccessDenied`, a key that does not exist with `KMSNotFound`. AWS managed keys (`alias/aws/sns`) allow
every principal of the account through SNS and are not checked; requests with the administrator test keys
are not restricted. Delivery from an encrypted topic (SNS decrypts as itself) needs nothing more; a
subscribed queue's own KMS key is not checked.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.kms.models import kms_backends
from moto.sns.exceptions import SNSException
from moto.sns.models import Topic
from moto.sns.responses import SNSResponse

from localcloud import patching
from localcloud.iam import authorization, request_authorization
from localcloud.iam.authorization import AccessDenied
from localcloud.iam.policy_document import NamedPolicy
from localcloud.iam.role_sessions import RoleSession

PUBLISHER_KMS_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")


class KMSAccessDenied(SNSException):
    code = "KMSAccessDenied"


class KMSNotFound(SNSException):
    code = "KMSNotFound"


def _key(key_id: str, topic: Topic) -> Any | None:
    """moto's key for an id, key ARN, alias name or alias ARN, in the key's (or else the topic's) region."""
    fields = key_id.split(":")
    if key_id.startswith("arn:") and len(fields) >= 6:
        account, region = fields[4], fields[3]
    else:
        account, region = topic.account_id, topic.sns_backend.region_name
    backend = kms_backends[account][region]
    try:
        return backend.keys[backend.any_id_to_key_id(key_id)]
    except (KeyError, TypeError, AttributeError):
        return None


def _aws_managed(key_id: str, key: Any | None) -> bool:
    if key_id.startswith("alias/aws/") or ":alias/aws/" in key_id:
        return True
    # moto creates the AWS managed keys as customer keys carrying the reserved alias.
    return key is not None and (
        key.key_manager == "AWS" or any(name.startswith("alias/aws/") for name in key.aliases)
    )


def authorize_publish(session: RoleSession, topic: Topic) -> None:
    """Raise KMSAccessDenied / KMSNotFound unless `session` may encrypt messages with the topic's key."""
    key_id = topic.kms_master_key_id
    if not key_id:
        return
    key = _key(key_id, topic)
    if _aws_managed(key_id, key):
        return
    if key is None:
        raise KMSNotFound(f"Invalid keyId {key_id}")
    context = {
        "kms:ViaService": f"sns.{topic.sns_backend.region_name}.amazonaws.com",
        "kms:CallerAccount": session.account_id,
        "kms:EncryptionContext:aws:sns:topicArn": topic.arn,
    }
    key_policy = NamedPolicy(f"key-policy/{key.id}", json.loads(key.policy))
    try:
        for action in PUBLISHER_KMS_ACTIONS:
            authorization.authorize(session, action, [key.arn], context, key_policy=key_policy)
    except AccessDenied as denied:
        raise KMSAccessDenied(denied.message) from denied


def _check(response: SNSResponse, topic_arn: str | None) -> None:
    session = request_authorization.request_caller(response)
    if session is None or not topic_arn:
        return
    topic = response.backend.topics.get(topic_arn)
    if topic is not None:  # a missing topic (or a platform endpoint) is moto's to answer
        authorize_publish(session, topic)


def _build_publish(original: Callable[[SNSResponse], ActionResult]) -> Callable[[SNSResponse], ActionResult]:
    def publish(self: SNSResponse) -> ActionResult:
        _check(self, self._get_param("TopicArn") or self._get_param("TargetArn"))
        return original(self)

    return publish


def _build_publish_batch(
    original: Callable[[SNSResponse], ActionResult],
) -> Callable[[SNSResponse], ActionResult]:
    def publish_batch(self: SNSResponse) -> ActionResult:
        _check(self, self._get_param("TopicArn"))
        return original(self)

    return publish_batch


PATCHES = (
    patching.wrap(__name__, SNSResponse, "publish", fingerprint="ef4aff34c3bc0c50", build=_build_publish),
    patching.wrap(
        __name__, SNSResponse, "publish_batch", fingerprint="f061a941e6031bdc", build=_build_publish_batch
    ),
)
