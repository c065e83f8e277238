//! partner-api: reseller applications (public) and their review — approval with terms into a
//! reseller, or a polite rejection (API Gateway HTTP API).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::init_tracing();
    let api = shared::runtime::partner_api_from_env().await?;
    lambda_http::run(shared::handlers::partner_api::app(api)).await
}
