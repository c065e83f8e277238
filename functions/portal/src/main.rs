//! portal: the partner portal's server-rendered pages — passwordless login, a reseller's home,
//! pipeline, leads, commission and payouts, and the admin's review (API Gateway HTTP API).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::init_tracing();
    let portal = shared::runtime::portal_from_env().await?;
    lambda_http::run(shared::handlers::portal::app(portal)).await
}
