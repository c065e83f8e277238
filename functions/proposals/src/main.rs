//! proposals: a quote's white-labelled proposal, rendered for the customer and kept in the
//! bucket (API Gateway HTTP API).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::init_tracing();
    let proposals = shared::runtime::proposals_from_env().await?;
    lambda_http::run(shared::handlers::proposals::app(proposals)).await
}
