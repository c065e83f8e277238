//! The embedded-stack suites in one test binary: the stack is linked once rather than once per
//! file. Binaries of their own: the suites that change the process (`import_memory`: a counting
//! global allocator; `rate_limits` and `sequences_hot_crossing`: they set `RULES_JSON` for the
//! stacks they start), and each suite on the AWS adapters, because each binary starts from a
//! freshly reset emulator (its mail and tables are read back whole; one shared emulator for
//! every suite would make those reads grow with the whole run and mix suites' mail). Run one
//! suite with `cargo test -p e2e-tests --test suite roles::`.

mod applications_embedded;
mod bad_input;
mod billing_embedded;
mod contract_embedded;
mod dashboards_embedded;
mod data_layout;
mod demo;
mod faults;
mod flows_embedded;
mod fuzz_findings;
mod imports_embedded;
mod layers;
mod openapi;
mod payout_tax_months;
mod payouts_embedded;
mod pipeline_embedded;
mod portal_browser;
mod portal_embedded;
mod probe_defects;
mod registrations_embedded;
mod renewals_embedded;
mod roles;
mod sales_embedded;
mod secret_rotation;
mod sequences_embedded;
mod sla_embedded;
mod source;
mod tax_payouts_embedded;
mod template;
