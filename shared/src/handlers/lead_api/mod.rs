//! The lead-capture function's HTTP API (API Gateway HTTP API, payload v2), one module per
//! resource: capture, leads, resellers, activities, registrations, referrals, tracking. Each
//! handler carries its OpenAPI annotation; `described_routes` builds the router from them.

mod activities;
mod capture;
mod leads;
mod pipeline;
mod products;
mod referrals;
mod registrations;
mod resellers;
mod tracking;

use super::openapi::ErrorBody;
use crate::usecases::registrations::RegistrationIn;
pub use capture::{LeadCreated, LeadSubmission};
pub use resellers::ResellerView;

use super::forms::{form_error, is_browser_form, parse_submission, thank_you, with_query};
use super::http::{
    json_body, media_type, note_of, read_body, require_sees_reseller, ApiError, Caller, QueryParams, RequestId,
};
use crate::config::env;
use crate::domain::field::FieldError;
use crate::domain::lead;
use crate::domain::reseller::Reseller;
use crate::domain::text::{self, Lines};
use crate::ports::{Clock, Queue, Table};
use crate::usecases::capture::{capture_lead, CaptureError, CapturePorts, Captured, Idempotency};
use crate::usecases::leads::{self as leads_uc, LeadFilter, ListError};
use crate::usecases::resellers::{self as resellers_uc, sha256_hex, NewReseller};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// Submissions larger than this are refused with 413.
pub const MAX_LEAD_BODY: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct LeadApiConfig {
    pub admin_key_hash: String,
    pub scoring_queue: String,
    pub thank_you_url: String,
    pub error_url: String,
    /// hosts a form's `redirect` field may send the browser to
    pub redirect_hosts: Vec<String>,
    pub allowed_origins: Vec<String>,
    /// signs tracking and unsubscribe links
    pub tracking_secret: crate::config::Secrets,
    /// how long a deal registration protects its company
    pub protection_days: i64,
    pub extra_free_mail_domains: Vec<String>,
    /// the bounds on money amounts: an order's (and so a registration's expected value), a
    /// line's (and so a catalogue price)
    pub limits: crate::domain::billing::BillingLimits,
    /// where referral links land (with `ref` and `click` in the query)
    pub referral_landing_url: String,
    /// stage moves, reopening and the win rate
    pub pipeline: crate::domain::pipeline::PipelineRules,
    /// per-client limits on `POST /leads` and `GET /r/{code}`
    pub public_limits: crate::usecases::rate_limit::PublicLimits,
}

impl LeadApiConfig {
    /// What the lead API reads from the environment (problems are collected in `env`).
    pub fn read(env: &mut crate::config::Env) -> LeadApiConfig {
        let rules = env.rules();
        LeadApiConfig {
            admin_key_hash: env.admin_key_hash(),
            scoring_queue: env.required(env::SCORING_QUEUE_URL),
            thank_you_url: env.required(env::THANK_YOU_URL),
            error_url: env.required(env::ERROR_URL),
            redirect_hosts: env.list(env::REDIRECT_ALLOWED_HOSTS),
            allowed_origins: env.list(env::ALLOWED_ORIGINS),
            tracking_secret: env.secrets(env::TRACKING_SECRET),
            protection_days: rules.routing.protection_days as i64,
            extra_free_mail_domains: rules.routing.extra_free_mail_domains,
            limits: rules.billing.clone(),
            referral_landing_url: env.required(env::REFERRAL_LANDING_URL),
            pipeline: rules.pipeline,
            public_limits: rules.public_limits,
        }
    }
}

pub struct LeadApi {
    pub table: Arc<dyn Table>,
    pub queue: Arc<dyn Queue>,
    pub clock: Arc<dyn Clock>,
    pub config: LeadApiConfig,
}

impl super::http::Authenticates for LeadApi {
    fn auth_table(&self) -> &dyn Table {
        self.table.as_ref()
    }
    fn admin_key_hash(&self) -> &str {
        &self.config.admin_key_hash
    }
}

impl LeadApi {
    /// Counts a request of `scope` from the caller's address against `per_hour`: `429` with
    /// `Retry-After` past it.
    async fn per_client(&self, headers: &HeaderMap, scope: &str, per_hour: u32) -> Result<(), ApiError> {
        let client = crate::handlers::forms::client_address(headers).unwrap_or_else(|| "unknown".into());
        crate::usecases::rate_limit::hit(self.table.as_ref(), scope, &client, per_hour, self.clock.now())
            .await?
            .map_err(|l| ApiError::TooManyRequests {
                message: "too many requests from this address; try again later".into(),
                retry_after: l.retry_after,
            })
    }
}

/// Every route this function serves; template.yaml must route each one to it (checked by a test).
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/leads"),
    ("GET", "/leads"),
    ("GET", "/leads/{id}"),
    ("POST", "/resellers"),
    ("GET", "/resellers/{id}"),
    ("PUT", "/resellers/{id}/brand"),
    ("POST", "/leads/{id}/activities"),
    ("POST", "/leads/{id}/stage"),
    ("POST", "/leads/{id}/reopen"),
    ("POST", "/leads/{id}/assign"),
    ("POST", "/leads/{id}/assign-user"),
    ("GET", "/pipeline"),
    ("POST", "/products"),
    ("PUT", "/products/{sku}"),
    ("GET", "/products"),
    ("POST", "/registrations"),
    ("GET", "/registrations"),
    ("GET", "/registrations/conflicts"),
    ("POST", "/registrations/conflicts/{id}/approve"),
    ("POST", "/registrations/conflicts/{id}/reject"),
    ("GET", "/r/{code}"),
    ("POST", "/referrals/customers"),
    ("GET", "/t/o/{token}"),
    ("GET", "/t/c/{token}"),
    ("GET", "/u/{token}"),
    ("POST", "/u/{token}"),
];

super::openapi::api_routes!(Arc<LeadApi>;
    capture::post_lead,
    leads::list_leads,
    leads::get_lead,
    resellers::post_reseller,
    resellers::get_reseller,
    resellers::put_brand,
    activities::post_activity,
    pipeline::post_stage,
    pipeline::post_reopen,
    pipeline::post_assign,
    pipeline::post_assign_user,
    pipeline::get_pipeline,
    products::post_product,
    products::put_product,
    products::list_products,
    registrations::post_registration,
    registrations::list_registrations,
    registrations::registration_conflicts,
    registrations::approve_conflict,
    registrations::reject_conflict,
    referrals::referral_link,
    referrals::customer_referral_code,
    tracking::track_open,
    tracking::track_click,
    tracking::unsubscribe_page,
    tracking::unsubscribe,
);

pub fn router(api: Arc<LeadApi>) -> Router {
    serving_routes().with_state(api)
}

/// The full router the function serves: the API, request ids, and JSON 404s.
pub fn app(api: Arc<LeadApi>) -> Router {
    super::http::served(router(api))
}

/// Queues an engagement for scoring (open, click, reply).
pub(super) async fn engaged(api: &LeadApi, lead_id: &str, kind: &str) -> Result<(), ApiError> {
    let now = api.clock.now();
    let id = crate::ids::new_id(now);
    let env = crate::events::Envelope::new(
        crate::events::Event::LeadEngaged(crate::events::LeadEngaged {
            lead_id: lead_id.to_string(),
            kind: kind.to_string(),
        }),
        id.clone(),
        now,
        &id,
    );
    let body = env.to_body().map_err(|e| ApiError::Internal(e.to_string()))?;
    api.queue
        .send(&api.config.scoring_queue, body)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_missing_variable_is_named_at_start_up() {
        let mut env = crate::config::Env::from_fn(|n| (n == "RULES_JSON").then(|| "{not json".to_string()));
        let _ = LeadApiConfig::read(&mut env);
        let crate::config::ConfigError(problems) = env.finish().unwrap_err();
        for name in [
            env::ADMIN_API_KEY,
            env::SCORING_QUEUE_URL,
            env::THANK_YOU_URL,
            env::ERROR_URL,
            env::TRACKING_SECRET,
            env::REFERRAL_LANDING_URL,
            env::RULES_JSON,
        ] {
            assert!(
                problems.iter().any(|p| p.starts_with(name)),
                "{name} missing from {problems:?}"
            );
        }
    }
}
