//! sales-api: quotes with the commission estimate, approvals, white-labelled proposals,
//! co-sell requests and L1/L2/L3 support tickets (API Gateway HTTP API).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::init_tracing();
    let api = shared::runtime::sales_api_from_env().await?;
    lambda_http::run(shared::handlers::sales_api::app(api)).await
}
