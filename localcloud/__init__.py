"""An offline AWS for the pipeline: moto 5.2.5 in server mode plus one package per emulated service.

`localcloud.s3`, `.stepfunctions`, `.glue`, `.awslambda` and `.sagemaker` each hold what the local
cloud changes in that service of moto (their `PATCHES`) and what runs it for real; `localcloud.tools`
holds the clients (demo, run follower, Terraform driver). README.md has the map.

Start it with `python -m localcloud start` (see README.md) or, from Python,
`localcloud.server.start_in_thread(port)`.
"""
