"""Client tools: they drive a cloud (the local one, or AWS) through boto3 and Terraform only.

- `demo` is `make demo`: start the local cloud (or reuse one), `terraform apply`, upload, follow, predict.
- `run_follower` follows one pipeline run from an S3 upload to its end (demo, benchmark, e2e test).
- `terraform` runs the root configuration against the local endpoint, from a working copy per caller.
"""
