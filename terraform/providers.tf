# Real AWS with the normal credential chain. The offline cloud of `make demo` points this provider at its
# local endpoint with an override file its tooling writes and removes (localcloud/README.md); nothing here
# knows about it.
provider "aws" {
  region = var.region
}
