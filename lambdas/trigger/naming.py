"""Run id and every name a run needs, each valid for the service that uses it.

run id = <slug of the key> "-" <10 hex characters of sha256(bucket, key, object identity)>

The slug is capped so that `<pipeline name>--<run id>` fits SageMaker's 63-character limit: the
training job, model and endpoint config names are then exactly `<pipeline name>--<run id>`, the
execution name is the run id itself, and the hash, which makes the id unique, is never cut.

A pipeline that tunes its hyperparameters (the module's `tuning` input) also gets a tuning job name,
`<pipeline name>--<hash of the run id>`: SageMaker allows 32 characters there, fewer than the run id needs.
The hash is lowercase base 36, as many characters as fit (6 for a 24-character pipeline name, about 31 bits:
among 1000 tuning runs of one pipeline, two collide with odds of about 1 in 4400; a collision fails the
second run at CreateHyperParameterTuningJob with ResourceInUse, it never mixes two runs' candidates).
SageMaker names the candidates `<tuning job>-<NNN>-<8 hex>` (at most 45 characters), within `<name>--*`.

The separator `--` appears in no pipeline name (the module's validation and config.py refuse it) and
the pipeline name never ends with a hyphen, so a SageMaker name's pipeline is the part before its first
`--`: the state machine's grant `<pipeline name>--*` covers this pipeline's names and no other's
(`churn--*` does not match `churn-xgboost--...`).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import unicodedata
from dataclasses import dataclass

HASH_LENGTH = 10
# Long enough to recognise the file, short enough to keep names readable in consoles.
SLUG_MAX_LENGTH = 40
FALLBACK_SLUG = "upload"

EXECUTION_NAME_MAX_LENGTH = 80
# Step Functions allows more characters in execution names, but only these keep CloudWatch
# Logs and X-Ray happy; the slug alphabet is a subset anyway.
EXECUTION_NAME_PATTERN = re.compile(r"^[0-9A-Za-z_-]{1,80}$")
SAGEMAKER_NAME_MAX_LENGTH = 63
SAGEMAKER_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
TUNING_JOB_NAME_MAX_LENGTH = 32
TUNING_JOB_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$")
TUNING_HASH_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
# Between the pipeline name and the run id in SageMaker names; forbidden in pipeline names.
PIPELINE_NAME_SEPARATOR = "--"
RUN_ID_PATTERN = re.compile(rf"^(?:[a-z0-9]+-)+[0-9a-f]{{{HASH_LENGTH}}}$")


class NamingError(ValueError):
    """A derived name would break its service's rules (a bug, or a pipeline name that is too long)."""


@dataclass(frozen=True)
class RunNames:
    run_id: str
    execution: str
    training_job: str
    model: str
    endpoint_config: str
    # Only for a pipeline that tunes (the trigger's TUNING setting): runs without tuning keep their input.
    tuning_job: str | None = None


def slugify(text: str) -> str:
    """Lowercase ASCII letters and digits joined by single hyphens; accents are folded (é -> e)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def key_slug(key: str, input_prefix: str, max_length: int = SLUG_MAX_LENGTH) -> str:
    """Readable part of the run id: the key below the input prefix, without its file extension.

    A long slug keeps its end, because the file's own name is there and the folders above it are
    often the same for every upload; a word cut in half at the start is dropped.
    """
    relative = key[len(input_prefix) :] if key.startswith(input_prefix) else key
    stem, _extension = posixpath.splitext(relative)
    slug = slugify(stem)
    if len(slug) > max_length:
        tail = slug[-max_length:]
        if slug[-max_length - 1] != "-" and "-" in tail:
            tail = tail.split("-", 1)[1]
        slug = tail.strip("-")
    return slug or FALLBACK_SLUG


def object_identity(version_id: str | None, sequencer: str | None, etag: str, event_time: str | None) -> str:
    """What tells two uploads of one key apart, and is the same in a re-delivered event.

    The version id when the bucket is versioned, else the event's sequencer; events without
    either (moto's, for one) fall back to the ETag and event time, which a re-delivery repeats.
    """
    if version_id:
        return f"version:{version_id}"
    if sequencer:
        return f"sequencer:{sequencer}"
    return f"etag:{etag}@{event_time or ''}"


def run_hash(bucket: str, key: str, identity: str) -> str:
    # JSON keeps the three parts apart: ("a", "b/c") and ("a/b", "c") hash differently.
    material = json.dumps([bucket, key, identity], ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(material).hexdigest()[:HASH_LENGTH]


def tuning_job_name(pipeline_name: str, run_id: str) -> str:
    """`<pipeline name>--<base-36 sha256 of the run id>`, cut to SageMaker's 32 characters."""
    budget = TUNING_JOB_NAME_MAX_LENGTH - len(pipeline_name) - len(PIPELINE_NAME_SEPARATOR)
    if budget < 1:
        raise NamingError(
            f"pipeline name {pipeline_name!r} is too long for a tuning job name "
            f"('<name>{PIPELINE_NAME_SEPARATOR}<hash>' must fit in {TUNING_JOB_NAME_MAX_LENGTH} characters)"
        )
    number = int.from_bytes(hashlib.sha256(run_id.encode("utf-8")).digest(), "big")
    digits = []
    for _ in range(budget):
        number, digit = divmod(number, len(TUNING_HASH_ALPHABET))
        digits.append(TUNING_HASH_ALPHABET[digit])
    return f"{pipeline_name}{PIPELINE_NAME_SEPARATOR}{''.join(digits)}"


def slug_budget(pipeline_name: str) -> int:
    """Longest slug for which `<pipeline name>--<slug>-<hash>` stays within SageMaker's limit."""
    fixed = len(pipeline_name) + len(PIPELINE_NAME_SEPARATOR) + 1 + HASH_LENGTH
    budget = min(SLUG_MAX_LENGTH, SAGEMAKER_NAME_MAX_LENGTH - fixed)
    if budget < 1:
        raise NamingError(
            f"pipeline name {pipeline_name!r} is too long: "
            f"'<name>{PIPELINE_NAME_SEPARATOR}<slug>-<{HASH_LENGTH} hex>' must fit in "
            f"{SAGEMAKER_NAME_MAX_LENGTH} characters"
        )
    return budget


def derive_names(
    *,
    pipeline_name: str,
    input_prefix: str,
    bucket: str,
    key: str,
    version_id: str | None,
    sequencer: str | None,
    etag: str,
    event_time: str | None,
    tuning: bool = False,
) -> RunNames:
    slug = key_slug(key, input_prefix, slug_budget(pipeline_name))
    digest = run_hash(bucket, key, object_identity(version_id, sequencer, etag, event_time))
    run_id = f"{slug}-{digest}"
    sagemaker_name = f"{pipeline_name}{PIPELINE_NAME_SEPARATOR}{run_id}"
    names = RunNames(
        run_id=run_id,
        execution=run_id,
        training_job=sagemaker_name,
        model=sagemaker_name,
        endpoint_config=sagemaker_name,
        tuning_job=tuning_job_name(pipeline_name, run_id) if tuning else None,
    )
    validate_names(names)
    return names


def validate_names(names: RunNames) -> None:
    """Fail before calling AWS rather than in the middle of a run."""
    if not RUN_ID_PATTERN.match(names.run_id):
        raise NamingError(f"run id {names.run_id!r} does not match {RUN_ID_PATTERN.pattern}")
    if not (
        len(names.execution) <= EXECUTION_NAME_MAX_LENGTH and EXECUTION_NAME_PATTERN.match(names.execution)
    ):
        raise NamingError(f"execution name {names.execution!r} is not a valid Step Functions name")
    for field in ("training_job", "model", "endpoint_config"):
        value = getattr(names, field)
        if not (len(value) <= SAGEMAKER_NAME_MAX_LENGTH and SAGEMAKER_NAME_PATTERN.match(value)):
            raise NamingError(f"{field} name {value!r} is not a valid SageMaker name")
    if names.tuning_job is not None and not (
        len(names.tuning_job) <= TUNING_JOB_NAME_MAX_LENGTH
        and TUNING_JOB_NAME_PATTERN.match(names.tuning_job)
    ):
        raise NamingError(f"tuning job name {names.tuning_job!r} is not a valid SageMaker tuning job name")


@dataclass(frozen=True)
class ScoringNames:
    """A scoring run's names: the transform job, and the model it creates when no endpoint serves one."""

    run_id: str
    execution: str
    transform_job: str
    model: str


def derive_scoring_names(
    *,
    pipeline_name: str,
    scoring_prefix: str,
    bucket: str,
    key: str,
    version_id: str | None,
    sequencer: str | None,
    etag: str,
    event_time: str | None,
) -> ScoringNames:
    """The run id from the key below the scoring prefix, as an upload's; `<pipeline name>--<run id>`."""
    names = derive_names(
        pipeline_name=pipeline_name,
        input_prefix=scoring_prefix,
        bucket=bucket,
        key=key,
        version_id=version_id,
        sequencer=sequencer,
        etag=etag,
        event_time=event_time,
    )
    return ScoringNames(
        run_id=names.run_id, execution=names.execution, transform_job=names.model, model=names.model
    )
