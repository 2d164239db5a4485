"""What the offline training benchmarks set up in a local cloud: a role SageMaker may assume with every
permission, and generated churn rows as train/ and validation/ channels (80/20) in a bucket."""

from __future__ import annotations

import json
from pathlib import Path

from localcloud import config
from sample_data import write_churn_csv

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"


def sagemaker_role(port: int, name: str) -> str:
    iam = config.boto3_client("iam", port)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="all", PolicyDocument=json.dumps(everything))
    return arn


def upload_channels(port: int, work: Path, rows: int, bucket: str) -> dict[str, Path]:
    """train/ and validation/ under s3://bucket/etl/; returns each channel's local file."""
    s3 = config.boto3_client("s3", port)
    s3.create_bucket(Bucket=bucket)
    validation_rows = rows // 5
    files = {}
    for channel, count, seed in (("train", rows - validation_rows, 1), ("validation", validation_rows, 2)):
        path = work / f"{channel}.csv"
        write_churn_csv(path, rows=count, seed=seed)
        s3.upload_file(str(path), bucket, f"etl/{channel}/part-00000.csv")
        files[channel] = path
    return files


def channel(bucket: str, name: str) -> dict:
    source = {"S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/etl/{name}/"}
    return {"ChannelName": name, "ContentType": "text/csv", "DataSource": {"S3DataSource": source}}
