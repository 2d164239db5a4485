"""The condition keys the local cloud supplies in a request context.

A condition on any other key would always see the key as missing, which silently turns a `Deny` off (or an
`...IfExists` `Allow` on), so the evaluator refuses a policy that uses one. Add a key here only when every
enforcement point that can see it puts it in the context.
"""

from __future__ import annotations

KNOWN_CONDITION_KEYS: frozenset[str] = frozenset(
    key.lower()
    for key in (
        "aws:CurrentTime",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:RequestedRegion",
        "aws:SecureTransport",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:TagKeys",
        "cloudwatch:namespace",
        "events:detail-type",
        "events:source",
        "iam:AssociatedResourceArn",
        "iam:PassedToService",
        "kms:CallerAccount",
        "kms:ViaService",
        "s3:delimiter",
        "s3:max-keys",
        "s3:prefix",
        "s3:x-amz-server-side-encryption",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "sagemaker:CustomerMetadataPropertiesToRemove",
        "sagemaker:InterContainerTrafficEncryption",
        "sagemaker:ModelApprovalStatus",
        "sagemaker:NetworkIsolation",
        "sagemaker:OutputKmsKey",
        "sagemaker:VolumeKmsKey",
        "sagemaker:VpcSecurityGroupIds",
        "sagemaker:VpcSubnets",
        "sts:ExternalId",
        # Supplied only by calls the local cloud never authorizes (grants KMS makes for AWS services, the
        # network interfaces of a SageMaker job in a VPC). Known, so that the policies using them evaluate;
        # absent from every request here, so their conditions are false, as for any missing key.
        "kms:GrantIsForAWSResource",
        "ec2:Subnet",
        "ec2:Vpc",
        # The owner of a legacy notification source, in SNS's default topic policy: EventBridge (the one
        # caller whose topic-policy decisions the local cloud makes) does not send it, as on AWS, where that
        # statement does not let EventBridge publish.
        "aws:SourceOwner",
    )
)

# Families whose last part names a tag or an encryption-context entry: known by prefix.
KNOWN_CONDITION_KEY_PREFIXES: tuple[str, ...] = (
    "aws:requesttag/",
    "aws:resourcetag/",
    "kms:encryptioncontext:",
    "sagemaker:customermetadataproperties/",
)


def is_known_condition_key(key: str) -> bool:
    lowered = key.lower()
    return lowered in KNOWN_CONDITION_KEYS or any(
        lowered.startswith(prefix) and len(lowered) > len(prefix) for prefix in KNOWN_CONDITION_KEY_PREFIXES
    )
