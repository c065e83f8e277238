//! order-commission: signed billing webhooks (orders, payments, refunds) and the order and
//! ledger reads (API Gateway HTTP API).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::init_tracing();
    let api = shared::runtime::billing_api_from_env().await?;
    lambda_http::run(shared::handlers::billing_api::app(api)).await
}
