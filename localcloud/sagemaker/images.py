"""Which training/inference image URIs the local cloud can emulate.

Only the SageMaker XGBoost built-in algorithm image is emulated, and only for the tags whose xgboost
version is installed locally: a model trained or served by a different xgboost version can load and
silently predict different numbers, so an image whose version is not installed is refused instead
of being approximated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# <account>.dkr.ecr.<region>.amazonaws.com[.cn]/sagemaker-xgboost:<major>.<minor>-<container release>
_XGBOOST_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?"
    r"/sagemaker-xgboost:(?P<major>\d+)\.(?P<minor>\d+)-(?P<patch>\d+)$"
)

# The tags the local cloud emulates, with the xgboost release the container ships.
EMULATED_TAGS: dict[str, str] = {"3.0-5": "3.0.5"}


class ImageNotEmulable(ValueError):
    """The image cannot be run by the local cloud; the message says why and what is supported."""


@dataclass(frozen=True)
class XGBoostImage:
    uri: str
    tag: str
    xgboost_version: str
    repository_arn: str  # what the role passed to SageMaker must be allowed to pull from


def _supported() -> str:
    return ", ".join(f"sagemaker-xgboost:{tag}" for tag in EMULATED_TAGS)


def parse_xgboost_image(uri: str) -> XGBoostImage:
    """Map a SageMaker XGBoost image URI to the xgboost version it runs, or raise ImageNotEmulable."""
    match = _XGBOOST_IMAGE.match(uri.strip())
    if match is None:
        raise ImageNotEmulable(
            f"image {uri!r} cannot be emulated by the local cloud: only the SageMaker XGBoost "
            f"built-in algorithm image ({_supported()}) is supported"
        )
    tag = f"{match['major']}.{match['minor']}-{match['patch']}"
    version = EMULATED_TAGS.get(tag)
    if version is None:
        raise ImageNotEmulable(
            f"image {uri!r} cannot be emulated by the local cloud: tag {tag} is not supported, "
            f"only {_supported()} is (the local xgboost must match the container's version)"
        )
    repository_arn = f"arn:aws:ecr:{match['region']}:{match['account']}:repository/sagemaker-xgboost"
    return XGBoostImage(uri=uri, tag=tag, xgboost_version=version, repository_arn=repository_arn)
