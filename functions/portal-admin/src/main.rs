//! portal-admin: the partner portal's pages for the vendor's staff (`/portal/admin/…`) — the
//! programme board, conflicts, co-selling, resellers, applications, payouts and staff — behind
//! the portal's login and session (API Gateway HTTP API).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::init_tracing();
    let portal = shared::runtime::portal_from_env().await?;
    lambda_http::run(shared::handlers::portal::admin_pages::app(portal)).await
}
