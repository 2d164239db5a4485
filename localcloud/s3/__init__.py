"""S3: what the local cloud adds to moto's S3 (one fix per module); `PATCHES` lists them all."""

from __future__ import annotations

from localcloud.s3 import bucket_policy, delete_markers, lifecycle, notifications

PATCHES = (*bucket_policy.PATCHES, *delete_markers.PATCHES, *lifecycle.PATCHES, *notifications.PATCHES)
