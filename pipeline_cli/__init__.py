"""`mlops-pipeline`: a command line for people who run a pipeline of this project.

It reads a pipeline's model versions, runs and endpoint, and approves or rejects versions, through boto3
only, against AWS or (with `--endpoint-url`) the offline cloud. README.md shows the commands.

Layout: `__main__` and `arguments` are the command layer; `commands` joins the AWS reads and writes of
`pipeline`, `registry`, `serving`, `runs` to the pure decisions of `approval` and the output of `render`.
"""
