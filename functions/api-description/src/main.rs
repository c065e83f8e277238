//! api-description: `GET /openapi.json`, the description of every function's API (the
//! committed `docs/openapi.json`), so that an integrator of the deployed API can read it and
//! generate a client from it (API Gateway HTTP API).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::init_tracing();
    lambda_http::run(shared::handlers::api_description::app()).await
}
