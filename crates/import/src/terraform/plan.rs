//! `terraform show -json` output (a plan or a state) read into instances.
