//! lead-capture: the HTTP API for website forms, scripts and admins (API Gateway HTTP API).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::init_tracing();
    let api = shared::runtime::lead_api_from_env().await?;
    lambda_http::run(shared::handlers::lead_api::app(api)).await
}
