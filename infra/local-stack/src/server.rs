//! The local stack's HTTP server: axum's router on hyper, with the timeouts a slow client must
//! not get around — the request head must arrive within `HEADER_TIMEOUT`, and a request (its
//! body read and answered) must finish within `REQUEST_TIMEOUT` (`408`). In AWS, API Gateway
//! does this in front of the functions.

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use std::time::Duration;
use tokio::net::TcpListener;

/// How long a client has to send a request's head (`Options::header_timeout`'s default).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request may take, body included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// Serves `app` on `listener` until `stop` turns true (connections already open finish on
/// their own; none is accepted after).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let app = app.layer(tower_http::timeout::TimeoutLayer::with_status_code(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        REQUEST_TIMEOUT,
    ));
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.wait_for(|s| *s) => return,
        };
        let (stream, peer) = match accepted {
            Ok(s) => s,
            Err(e) => {
                // too many open files and the like: wait a little rather than spin
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // as API Gateway does: the caller's address appended to X-Forwarded-For
        let service = TowerToHyperService::new(tower::ServiceExt::map_request(
            app.clone(),
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                if let Ok(v) = axum::http::HeaderValue::from_str(&peer.ip().to_string()) {
                    req.headers_mut().append("x-forwarded-for", v);
                }
                req
            },
        ));
        tokio::spawn(async move {
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            if let Err(e) = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(error = %e, "connection closed");
            }
        });
    }
}
