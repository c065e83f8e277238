//! The partner-api function's HTTP API: the reseller lifecycle — applications and their
//! review, API keys, suspension and deactivation. A function of its own: it mails applicants (SES) and is public on one route, while
//! the lead API stays free of the mailer.

mod applications;
mod channel;
mod keys;
mod lifecycle;
mod people;
mod reports;
mod subresellers;
mod tax;

use super::forms::{client_address, form_error, is_browser_form, parse_submission, thank_you};
use super::http::{json_body, media_type, read_body, require_sees_reseller, ApiError, Caller, Principal, QueryParams};
use super::openapi::ErrorBody;
use crate::domain::field::FieldError;
use crate::ports::{Clock, Mailer, Table};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct PartnerApiConfig {
    pub admin_key_hash: String,
    pub mail_from: String,
    /// where referral links start, in the welcome email
    pub public_base_url: String,
    pub thank_you_url: String,
    pub error_url: String,
    pub redirect_hosts: Vec<String>,
    /// `ADMIN_EMAILS`: the first programme admins (the backfill makes them)
    pub admin_emails: Vec<String>,
    /// applications' limits, routing (re-routing a deactivated reseller's leads), the SLA
    pub rules: crate::config::Rules,
}

impl PartnerApiConfig {
    /// What the partner API reads from the environment (problems are collected in `env`).
    pub fn read(env: &mut crate::config::Env) -> PartnerApiConfig {
        use crate::config::env;
        let rules = env.rules();
        PartnerApiConfig {
            admin_key_hash: env.admin_key_hash(),
            mail_from: crate::handlers::renewal_scan::mail_from(env),
            public_base_url: env.required(env::PUBLIC_BASE_URL),
            thank_you_url: env.required(env::THANK_YOU_URL),
            error_url: env.required(env::ERROR_URL),
            redirect_hosts: env.list(env::REDIRECT_ALLOWED_HOSTS),
            admin_emails: env.list(env::ADMIN_EMAILS),
            rules,
        }
    }
}

pub struct PartnerApi {
    pub table: Arc<dyn Table>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub config: PartnerApiConfig,
}

impl super::http::Authenticates for PartnerApi {
    fn auth_table(&self) -> &dyn Table {
        self.table.as_ref()
    }
    fn admin_key_hash(&self) -> &str {
        &self.config.admin_key_hash
    }
}

impl PartnerApi {
    pub fn application_ports(&self) -> crate::usecases::applications::ApplicationPorts<'_> {
        crate::usecases::applications::ApplicationPorts {
            table: self.table.as_ref(),
            clock: self.clock.as_ref(),
            mailer: self.mailer.as_ref(),
            rules: &self.config.rules.applications,
            mail_from: &self.config.mail_from,
            public_base_url: &self.config.public_base_url,
        }
    }
}

/// Every route this function serves; template.yaml must route each one to it (checked by a test).
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/reseller-applications"),
    ("GET", "/reseller-applications"),
    ("GET", "/reseller-applications/{id}"),
    ("POST", "/reseller-applications/{id}/approve"),
    ("POST", "/reseller-applications/{id}/reject"),
    ("POST", "/resellers/{id}/keys"),
    ("GET", "/resellers/{id}/keys"),
    ("DELETE", "/resellers/{id}/keys/{key_id}"),
    ("POST", "/resellers/{id}/suspend"),
    ("POST", "/resellers/{id}/reactivate"),
    ("POST", "/resellers/{id}/deactivate"),
    ("GET", "/resellers"),
    ("POST", "/resellers/{id}/sub-reseller-applications"),
    ("GET", "/resellers/{id}/sub-resellers"),
    ("PUT", "/resellers/{id}/channel-prices"),
    ("GET", "/reports/revenue"),
    ("GET", "/reports/usage"),
    ("PUT", "/resellers/{id}/tax"),
    ("POST", "/resellers/{id}/tax/lower-deduction/approve"),
    ("POST", "/resellers/{id}/tax/lower-deduction/reject"),
    ("POST", "/resellers/{id}/users"),
    ("GET", "/resellers/{id}/users"),
    ("PUT", "/resellers/{id}/users/{user_id}"),
    ("DELETE", "/resellers/{id}/users/{user_id}"),
    ("PUT", "/resellers/{id}/channel-manager"),
    ("POST", "/staff"),
    ("GET", "/staff"),
    ("PUT", "/staff/{id}"),
    ("DELETE", "/staff/{id}"),
    ("POST", "/staff/{id}/keys"),
    ("GET", "/audit"),
    ("POST", "/people/backfill"),
];

super::openapi::api_routes!(Arc<PartnerApi>;
    applications::post_application,
    applications::list_applications,
    applications::get_application,
    applications::approve_application,
    applications::reject_application,
    keys::post_key,
    keys::list_keys,
    keys::delete_key,
    lifecycle::suspend,
    lifecycle::reactivate,
    lifecycle::deactivate,
    lifecycle::list_resellers,
    subresellers::propose,
    subresellers::list_children,
    channel::put_channel_prices,
    reports::revenue,
    reports::usage,
    tax::put_tax,
    tax::approve_certificate,
    tax::reject_certificate,
    people::post_user,
    people::list_users,
    people::put_user,
    people::delete_user,
    people::put_channel_manager,
    people::post_staff,
    people::list_staff,
    people::put_staff,
    people::delete_staff,
    people::post_staff_key,
    people::get_audit,
    people::post_backfill,
);

pub fn router(api: Arc<PartnerApi>) -> Router {
    serving_routes().with_state(api)
}

/// The full router the function serves: the API, request ids, and JSON 404s.
pub fn app(api: Arc<PartnerApi>) -> Router {
    super::http::served(router(api))
}

fn field_error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}
