//! `GET /openapi.json`: the description of every function's API, served by its own small
//! function in AWS and by the local stack alike, from `docs/openapi.json` — generated from the
//! handlers (`cargo run -p local-stack -- --print-openapi > docs/openapi.json`) and kept
//! current by a test, so the deployed API describes itself as the local one does.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Router;

/// The committed description.
pub const DESCRIPTION: &str = include_str!("../../../docs/openapi.json");

/// Every route this function serves; template.yaml must route each one to it (checked by a test).
pub const ROUTES: &[(&str, &str)] = &[("GET", "/openapi.json")];

/// This API's description (OpenAPI 3.1): every operation of every function, with its schemas.
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "the OpenAPI 3.1 description of every operation", content_type = "application/json", body = Object)))]
pub(crate) async fn get_description() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        DESCRIPTION,
    )
        .into_response()
}

super::openapi::api_routes!(();
    get_description,
);

pub fn router() -> Router {
    serving_routes()
}

/// The full router the function serves.
pub fn app() -> Router {
    super::http::served(router())
}
