//! The proposals function's HTTP API: a quote's white-labelled proposal, rendered for the
//! customer in the reseller's brand and kept at `proposals/<lead>/<quote>.html` in the bucket.
//! A function of its own because it alone of the sales routes writes to the bucket: the S3
//! client, with the checksum tables it brings, was 1.3 MiB of the sales API's 7 MiB size
//! budget (docs/BENCHMARKS.md).

use super::http::{ApiError, Caller};
use super::openapi::ErrorBody;
use crate::ports::{BlobWriter, Table};
use crate::usecases::quotes as quotes_uc;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct ProposalsConfig {
    pub admin_key_hash: String,
}

impl ProposalsConfig {
    /// What the proposals function reads from the environment (problems are collected in `env`).
    pub fn read(env: &mut crate::config::Env) -> ProposalsConfig {
        ProposalsConfig {
            admin_key_hash: env.admin_key_hash(),
        }
    }
}

pub struct Proposals {
    pub table: Arc<dyn Table>,
    /// the store's put alone (see `BlobWriter`)
    pub blobs: Arc<dyn BlobWriter>,
    pub config: ProposalsConfig,
}

impl super::http::Authenticates for Proposals {
    fn auth_table(&self) -> &dyn Table {
        self.table.as_ref()
    }
    fn admin_key_hash(&self) -> &str {
        &self.config.admin_key_hash
    }
}

/// Every route this function serves; template.yaml must route each one to it (checked by a test).
pub const ROUTES: &[(&str, &str)] = &[("GET", "/quotes/{id}/proposal")];

super::openapi::api_routes!(Arc<Proposals>; get_proposal);

pub fn router(proposals: Arc<Proposals>) -> Router {
    serving_routes().with_state(proposals)
}

/// The full router the function serves: the proposal, request ids, and JSON 404s.
pub fn app(proposals: Arc<Proposals>) -> Router {
    super::http::served(router(proposals))
}

/// The customer-facing proposal: the quote in the reseller's brand as printable HTML (never
/// the commission), also stored at `proposals/<lead>/<quote>.html` in the bucket.
#[utoipa::path(get, path = "/quotes/{id}/proposal", tag = "quotes",
    params(("id" = String, Path, description = "quote id")),
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "the proposal", content_type = "text/html", body = String),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 404, description = "no such quote (or another reseller's)", body = ErrorBody),
        (status = 409, description = "the quote waits for approval or was rejected", body = ErrorBody)))]
pub(super) async fn get_proposal(
    State(api): State<Arc<Proposals>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let quote = quotes_uc::get(api.table.as_ref(), &who, &id).await?;
    let html = quotes_uc::proposal(api.table.as_ref(), api.blobs.as_ref(), &quote).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "private, no-store"),
        ],
        html,
    )
        .into_response())
}
