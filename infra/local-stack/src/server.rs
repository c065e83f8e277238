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
            // a second handle on the socket, to answer a request head that never ended
            let (stream, answer) = match split_for_answer(stream) {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::debug!(error = %e, "connection dropped");
                    return;
                }
            };
            let (read, watched) = Watched::new(stream);
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            if let Err(e) = builder
                .serve_connection_with_upgrades(TokioIo::new(watched), service)
                .await
            {
                let timed_out = e.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_timeout);
                // part of a request head arrived and then nothing: say so (`408`), as API
                // Gateway would, rather than just hanging up; an idle keep-alive is closed quietly
                if timed_out && read.load(std::sync::atomic::Ordering::SeqCst) > 0 {
                    use tokio::io::AsyncWriteExt;
                    let mut answer = answer;
                    let _ = answer.write_all(request_timeout_answer().as_bytes()).await;
                    let _ = answer.shutdown().await;
                }
                tracing::debug!(error = %e, "connection closed");
            }
        });
    }
}

/// What a client whose request head never ended reads before the connection closes.
fn request_timeout_answer() -> String {
    let body = r#"{"error":"request_timeout","message":"the request head did not arrive in time"}"#;
    format!(
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// The connection, and a second handle on the same socket for an answer hyper cannot give.
fn split_for_answer(stream: tokio::net::TcpStream) -> std::io::Result<(tokio::net::TcpStream, tokio::net::TcpStream)> {
    let std = stream.into_std()?;
    let other = std.try_clone()?;
    other.set_nonblocking(true)?;
    Ok((
        tokio::net::TcpStream::from_std(std)?,
        tokio::net::TcpStream::from_std(other)?,
    ))
}

/// A connection that counts the bytes read since it last wrote: more than none when a timeout
/// strikes means a request head had begun.
struct Watched {
    inner: tokio::net::TcpStream,
    read_since_write: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Watched {
    fn new(inner: tokio::net::TcpStream) -> (std::sync::Arc<std::sync::atomic::AtomicUsize>, Watched) {
        let read = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        (
            read.clone(),
            Watched {
                inner,
                read_since_write: read,
            },
        )
    }
}

impl tokio::io::AsyncRead for Watched {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = std::pin::Pin::new(&mut self.inner).poll_read(cx, buf);
        let got = buf.filled().len() - before;
        self.read_since_write
            .fetch_add(got, std::sync::atomic::Ordering::SeqCst);
        polled
    }
}

impl tokio::io::AsyncWrite for Watched {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, std::task::Poll::Ready(Ok(n)) if n > 0) {
            self.read_since_write.store(0, std::sync::atomic::Ordering::SeqCst);
        }
        polled
    }
    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
