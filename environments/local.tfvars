# Offline cloud of `make demo` (moto on one loopback port). Apply together with demo.tfvars:
#
#   terraform -chdir=terraform apply -var-file=../environments/demo.tfvars -var-file=../environments/local.tfvars

aws_endpoint_url = "http://127.0.0.1:4566"

# The local endpoint is InService at once: poll every second instead of the module's 30.
endpoint_poll_interval_seconds = 1
