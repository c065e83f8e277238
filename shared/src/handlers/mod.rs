//! Entry points shared by the Lambdas and the local stack: the lead API (an axum router, run by
//! lambda_http in AWS and by a plain listener locally) and the scoring SQS batch handler.

pub mod api_description;
pub mod auth;
pub mod billing_api;
pub mod commission;
pub mod cookies;
pub mod forms;
pub mod http;
pub mod import;
pub mod lead_api;
pub mod money_views;
pub mod openapi;
pub mod partner_api;
pub mod payout;
pub mod portal;
pub mod proposals;
pub mod renewal_scan;
pub mod sales_api;
pub mod scoring;
pub mod sequence_sender;
pub mod signature;
pub mod sla_watch;
pub mod sqs;

/// Each HTTP function (by crate) and the routes it serves: template.yaml must route exactly
/// these, and the OpenAPI description must describe exactly these (both checked by tests).
pub const HTTP_FUNCTIONS: &[(&str, &[(&str, &str)])] = &[
    ("lead-capture", lead_api::ROUTES),
    ("order-commission", billing_api::ROUTES),
    ("sales-api", sales_api::ROUTES),
    ("proposals", proposals::ROUTES),
    ("partner-api", partner_api::ROUTES),
    ("portal", portal::ROUTES),
    ("portal-admin", portal::admin_pages::ROUTES),
    ("api-description", api_description::ROUTES),
];
