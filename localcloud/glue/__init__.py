"""Glue: `UpdateJob`, and job runs that execute the job's script on local Spark.

`jobs` changes moto's Glue (`PATCHES`); `runner` executes one job run, mapping its `s3://` arguments
to local paths and back.
"""

from __future__ import annotations

from localcloud.glue import jobs

PATCHES = jobs.PATCHES
