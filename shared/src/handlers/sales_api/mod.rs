//! The sales-api function's HTTP API: quotes and their approval, co-sell requests to presales,
//! and L1/L2/L3 support tickets. A function of its own because it needs the mailer, which the
//! lead API (the busiest, smallest function) does not link; the white-labelled proposal, the
//! one sales route that writes to the bucket, is the proposals function's.

mod cosell;
mod quotes;
mod tickets;

use super::http::{json_body, note_of, optional_note, ApiError, Caller, NoteBody, Principal, QueryParams};
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

/// Bodies of the sales API are small.
const MAX_SALES_BODY: usize = 32 * 1024;

#[derive(Debug, Clone)]
pub struct SalesApiConfig {
    pub admin_key_hash: String,
    pub mail_from: String,
    pub presales_email: String,
    pub quotes: crate::domain::quote::QuoteRules,
    pub commission: crate::domain::commission::CommissionRules,
    pub support: crate::domain::support::SupportRules,
    pub billing: crate::domain::billing::BillingLimits,
}

impl SalesApiConfig {
    /// What the sales API reads from the environment (problems are collected in `env`).
    pub fn read(env: &mut crate::config::Env) -> SalesApiConfig {
        use crate::config::env;
        let rules = env.rules();
        SalesApiConfig {
            admin_key_hash: env.admin_key_hash(),
            mail_from: crate::handlers::renewal_scan::mail_from(env),
            presales_email: env.required(env::PRESALES_EMAIL),
            quotes: rules.quotes,
            commission: rules.commission,
            support: rules.support,
            billing: rules.billing,
        }
    }
}

pub struct SalesApi {
    pub table: Arc<dyn Table>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub config: SalesApiConfig,
}

impl super::http::Authenticates for SalesApi {
    fn auth_table(&self) -> &dyn Table {
        self.table.as_ref()
    }
    fn admin_key_hash(&self) -> &str {
        &self.config.admin_key_hash
    }
}

impl SalesApi {
    fn quote_ports(&self) -> crate::usecases::quotes::QuotePorts<'_> {
        crate::usecases::quotes::QuotePorts {
            table: self.table.as_ref(),
            clock: self.clock.as_ref(),
            quotes: &self.config.quotes,
            commission: &self.config.commission,
            billing: &self.config.billing,
        }
    }
    fn support_ports(&self) -> crate::usecases::support::SupportPorts<'_> {
        crate::usecases::support::SupportPorts {
            table: self.table.as_ref(),
            clock: self.clock.as_ref(),
            mailer: self.mailer.as_ref(),
            rules: &self.config.support,
            mail_from: &self.config.mail_from,
            presales_email: &self.config.presales_email,
        }
    }
}

/// Every route this function serves; template.yaml must route each one to it (checked by a test).
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/leads/{id}/quotes"),
    ("GET", "/leads/{id}/quotes"),
    ("GET", "/quotes"),
    ("GET", "/quotes/{id}"),
    ("POST", "/quotes/{id}/approve"),
    ("POST", "/quotes/{id}/reject"),
    ("POST", "/leads/{id}/co-sell"),
    ("GET", "/co-sell"),
    ("POST", "/co-sell/{id}/assign"),
    ("POST", "/co-sell/{id}/complete"),
    ("POST", "/contracts/{id}/tickets"),
    ("GET", "/contracts/{id}/tickets"),
    ("GET", "/tickets/{id}"),
    ("POST", "/tickets/{id}/escalate"),
    ("POST", "/tickets/{id}/resolve"),
];

super::openapi::api_routes!(Arc<SalesApi>;
    quotes::post_quote,
    quotes::lead_quotes,
    quotes::list_quotes,
    quotes::get_quote,
    quotes::approve_quote,
    quotes::reject_quote,
    cosell::post_cosell,
    cosell::list_cosell,
    cosell::assign_cosell,
    cosell::complete_cosell,
    tickets::post_ticket,
    tickets::contract_tickets,
    tickets::get_ticket,
    tickets::escalate_ticket,
    tickets::resolve_ticket,
);

pub fn router(api: Arc<SalesApi>) -> Router {
    serving_routes().with_state(api)
}

/// The full router the function serves: the API, request ids, and JSON 404s.
pub fn app(api: Arc<SalesApi>) -> Router {
    super::http::served(router(api))
}

fn field_error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}
