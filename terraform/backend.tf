# Partial configuration: the bucket (and its region) come from `terraform init -backend-config=backend.hcl`,
# which scripts/bootstrap_state.py writes after creating the versioned, encrypted state bucket.
# Each workspace gets its own key: env:/<workspace>/photovault/terraform.tfstate → <prefix>/<workspace>/...
terraform {
  backend "s3" {
    key                  = "photovault/terraform.tfstate"
    workspace_key_prefix = "workspaces"
    encrypt              = true
    use_lockfile         = true
  }
}
