# Terraform's AWS provider on Google Cloud with no AWS key: the provider reads the `gcp` profile of
# examples/aws-config.ini (copy it to ~/.aws/config), whose credential_process is
# `cross-cloud-credentials aws-credentials`. Works the same in a Cloud Build step, on a GCE runner or in GKE.
#
# Where it runs: wherever the Google metadata server answers (see aws-config.ini), with Terraform >= 1.0 and
# `cross-cloud-credentials` on PATH.
# Use:
#   terraform init && terraform plan
# or, without `profile` below: AWS_PROFILE=gcp terraform plan
# Make sure no AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY is set: environment keys take precedence over profiles.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  profile = "gcp" # [profile gcp] in ~/.aws/config: credential_process = cross-cloud-credentials aws-credentials …
  # region comes from the profile (region = eu-west-1); set it here to override.
}

# Who Terraform is on AWS: the role assumed with the Google service account's identity,
# e.g. arn:aws:sts::123456789012:assumed-role/gcp-reader/gcp-workload
data "aws_caller_identity" "current" {}

output "aws_identity" {
  value = data.aws_caller_identity.current.arn
}
