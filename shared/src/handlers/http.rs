//! HTTP plumbing shared by every API: JSON errors, request ids, body limits, content types,
//! bearer-key authentication and CORS for the local stack.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::time::Instant;

use crate::domain::field::FieldError;
use crate::handlers::openapi::{ErrorBody, FieldErrorBody};

/// The id of the request being served: API Gateway's request id in Lambda, `x-request-id`
/// or a fresh one locally. It names the request in every log line and in 500 bodies.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub async fn request_id_layer(mut req: Request, next: Next) -> Response {
    let from_lambda = req
        .extensions()
        .get::<lambda_http::request::RequestContext>()
        .and_then(|ctx| match ctx {
            lambda_http::request::RequestContext::ApiGatewayV2(c) => c.request_id.clone(),
            _ => None,
        });
    let id = from_lambda
        .or_else(|| {
            req.headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .filter(|v| v.len() <= 128)
                .map(str::to_string)
        })
        .unwrap_or_else(crate::ids::random_id);
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    let started = Instant::now();
    let mut res = tracing::Instrument::instrument(next.run(req), span.clone()).await;
    span.in_scope(|| {
        tracing::info!(
            status = res.status().as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "served"
        )
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// A function's routes as they are served: a JSON `404` and `405` for what no route takes, a
/// request id on every request, and the private headers on every answer. Every function's `app`
/// and the local stack's whole surface go through here, so no route is served without them.
pub fn served(routes: axum::Router) -> axum::Router {
    routes
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(private_headers_layer))
        .layer(axum::middleware::from_fn(request_id_layer))
}

/// The content security policy of a page the platform renders (the portal's, a proposal's): its
/// own styles and images, no scripts, no framing, forms only to itself.
pub const PAGE_CSP: &str =
    "default-src 'self'; style-src 'unsafe-inline'; img-src 'self' data: https:; form-action 'self'; frame-ancestors 'none'";
/// … and of anything else (JSON, CSV, a GIF): nothing loads, nothing frames it.
pub const DATA_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Headers every answer carries unless its handler set them: never cached (answers hold leads,
/// statements, bank files), never framed, never sniffed into another type, no referrer.
pub async fn private_headers_layer(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let h = res.headers_mut();
    let defaults: [(header::HeaderName, &'static str); 5] = [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CONTENT_SECURITY_POLICY, if html { PAGE_CSP } else { DATA_CSP }),
    ];
    for (name, value) in defaults {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    res
}

#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Unauthorized,
    Forbidden,
    /// `403` saying why
    ForbiddenBecause(String),
    NotFound(String),
    Conflict(String),
    /// a stage move the pipeline does not allow: `409` naming the moves that are
    IllegalMove {
        message: String,
        from: String,
        to: String,
        allowed: Vec<&'static str>,
    },
    TooLarge(usize),
    UnsupportedType(String),
    Invalid(Vec<FieldError>),
    /// the store is throttling: `503` with `Retry-After`
    Unavailable,
    /// a rate limit: `429` with `Retry-After` (seconds)
    TooManyRequests {
        message: String,
        retry_after: u64,
    },
    /// details go to the log, never to the client
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::ForbiddenBecause(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) | ApiError::IllegalMove { .. } => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        match self {
            ApiError::BadRequest(m) => ErrorBody::new("bad_request", m),
            ApiError::Unauthorized => ErrorBody::new("unauthorized", "a valid bearer key is required"),
            ApiError::ForbiddenBecause(m) => ErrorBody::new("forbidden", m),
            ApiError::Forbidden => ErrorBody::new("forbidden", "this key may not read that"),
            ApiError::NotFound(m) => ErrorBody::new("not_found", m),
            ApiError::Conflict(m) => ErrorBody::new("conflict", m),
            ApiError::IllegalMove {
                message,
                from,
                to,
                allowed,
            } => ErrorBody {
                from: Some(from.clone()),
                to: Some(to.clone()),
                allowed: Some(allowed.iter().map(|s| s.to_string()).collect()),
                ..ErrorBody::new("illegal_move", message)
            },
            ApiError::TooLarge(max) => {
                ErrorBody::new("payload_too_large", format!("the body must be at most {max} bytes"))
            }
            ApiError::UnsupportedType(m) => ErrorBody::new("unsupported_media_type", m),
            ApiError::Invalid(errors) => ErrorBody {
                error: "invalid_fields".into(),
                errors: Some(errors.iter().map(FieldErrorBody::from).collect()),
                ..Default::default()
            },
            ApiError::Unavailable => {
                ErrorBody::new("unavailable", "busy right now; retry after the Retry-After seconds")
            }
            ApiError::TooManyRequests { message, retry_after } => ErrorBody {
                retry_after: Some(*retry_after),
                ..ErrorBody::new("too_many_requests", message)
            },
            ApiError::Internal(_) => ErrorBody::new("internal", "something went wrong; quote the request id"),
        }
    }
}

/// What a store failure means to a client: a failed condition is a conflict (`409`, the
/// record changed meanwhile), throttling is `503` with `Retry-After`, a cursor the store did
/// not give is the client's mistake (`400`), never a bare `500`.
impl From<crate::ports::table::StoreError> for ApiError {
    fn from(e: crate::ports::table::StoreError) -> Self {
        use crate::ports::table::StoreError;
        match e {
            StoreError::ConditionFailed | StoreError::TransactionCancelled { .. } => {
                ApiError::Conflict("the record changed meanwhile; read it again and retry".into())
            }
            StoreError::Throttled => ApiError::Unavailable,
            StoreError::BadCursor => ApiError::BadRequest("invalid cursor".into()),
            other => ApiError::Internal(format!("store: {other}")),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(error = %detail, "internal error");
        }
        let mut res = (self.status(), axum::Json(self.body())).into_response();
        if matches!(self, ApiError::Unavailable) {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if let ApiError::TooManyRequests { retry_after, .. } = &self {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        res
    }
}

/// A JSON body read into `T`: `415` unless it says JSON, `413` over `max` bytes, `400` naming
/// what is malformed.
pub async fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
    max: usize,
) -> Result<T, ApiError> {
    if media_type(headers).as_deref() != Some("application/json") {
        return Err(ApiError::UnsupportedType("send application/json".into()));
    }
    let bytes = read_body(headers, body, max).await?;
    strict_json(&bytes)
}

/// JSON read into `T`, refusing what `T` does not know: a misspelt or unknown field is `422`
/// naming every one (`lower_deductoin`, `lines.0.discount`), never silently dropped; malformed
/// JSON is `400`.
pub fn strict_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut unknown: Vec<String> = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // serde_ignored writes an `Option`'s inside as `?`: `bank.?.acount_number` → `bank.acount_number`
    let named = |path: serde_ignored::Path| {
        path.to_string()
            .split('.')
            .filter(|part| *part != "?")
            .collect::<Vec<_>>()
            .join(".")
    };
    let value: T = serde_ignored::deserialize(&mut de, |path| unknown.push(named(path)))
        .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    de.end()
        .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    if unknown.is_empty() {
        Ok(value)
    } else {
        Err(ApiError::Invalid(
            unknown
                .into_iter()
                .map(|field| FieldError {
                    field,
                    message: "is not a field of this request".into(),
                })
                .collect(),
        ))
    }
}

/// A query string read into `T`, with a JSON `400` (naming the problem) when it does not fit
/// — axum's own `Query` answers in plain text.
pub struct QueryParams<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for QueryParams<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(query)
            .map(QueryParams)
            .map_err(|e| ApiError::BadRequest(format!("bad query string: {e}")))
    }
}

/// The JSON answer for a method a route does not take (axum's own is an empty `405`).
pub async fn method_not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(ErrorBody::new(
            "method_not_allowed",
            "this route does not take that method",
        )),
    )
        .into_response()
}

/// The most of a refused body that is read (and thrown away) before answering `413`: what API
/// Gateway itself accepts. A client still sending its body then reads the answer instead of a
/// broken pipe; a larger one is cut off (in AWS it never reaches a function).
pub const DISCARD_UP_TO: usize = 10 * 1024 * 1024;

/// Reads the whole body, refusing more than `max` bytes (`413`, by the declared length first);
/// a refused body is read to its end (up to [`DISCARD_UP_TO`]) before the answer.
pub async fn read_body(headers: &HeaderMap, body: Body, max: usize) -> Result<bytes::Bytes, ApiError> {
    use futures_util::StreamExt;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut stream = body.into_data_stream();
    let mut kept = bytes::BytesMut::new();
    let mut seen = 0usize;
    let mut too_large = declared.is_some_and(|n| n > max);
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return Err(ApiError::BadRequest("the body could not be read".into()));
        };
        seen += chunk.len();
        too_large |= seen > max;
        if too_large {
            if seen > DISCARD_UP_TO {
                break;
            }
        } else {
            kept.extend_from_slice(&chunk);
        }
    }
    if too_large {
        Err(ApiError::TooLarge(max))
    } else {
        Ok(kept.freeze())
    }
}

/// What a JSON body means, as a hash: keys sorted, numbers in their shortest form, no
/// insignificant whitespace — so a webhook re-sent with the same meaning but formatted
/// differently is recognised as a replay. A body that is not JSON is hashed as it is.
pub fn body_fingerprint(bytes: &[u8]) -> String {
    fn canonical(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    canonical(&m[k], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    canonical(item, out);
                }
                out.push(']');
            }
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => out.push_str(&i.to_string()),
                (_, Some(u), _) => out.push_str(&u.to_string()),
                (_, _, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => out.push_str(&format!("{}", f as i64)),
                (_, _, Some(f)) => out.push_str(&format!("{f:?}")),
                _ => out.push_str(&n.to_string()),
            },
            other => out.push_str(&other.to_string()),
        }
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => {
            let mut text = String::new();
            canonical(&v, &mut text);
            crate::ids::sha256_hex(&text)
        }
        Err(_) => crate::ids::sha256_hex(&String::from_utf8_lossy(bytes)),
    }
}

/// The media type without parameters, lower-cased (`application/json; charset=utf-8` → `application/json`).
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::{body_fingerprint, ApiError};
    use crate::ports::table::StoreError;
    use axum::response::IntoResponse;

    #[test]
    fn store_failures_keep_their_meaning_over_http() {
        let conflict = ApiError::from(StoreError::TransactionCancelled { failed: vec![true] }).into_response();
        assert_eq!(conflict.status(), 409);
        let busy = ApiError::from(StoreError::Throttled).into_response();
        assert_eq!(busy.status(), 503);
        assert_eq!(
            busy.headers().get("retry-after").and_then(|v| v.to_str().ok()),
            Some("1")
        );
        assert_eq!(
            ApiError::from(StoreError::Unavailable("x".into()))
                .into_response()
                .status(),
            500
        );
    }

    #[test]
    fn fingerprints_compare_meaning_not_bytes() {
        let a = br#"{"payment_id":"P-1","amount":1000.50,"lines":[{"b":1,"a":2}]}"#;
        let b = b"{ \"lines\": [ {\"a\": 2, \"b\": 1.0} ],\n  \"amount\": 1000.5, \"payment_id\": \"P-1\" }";
        assert_eq!(body_fingerprint(a), body_fingerprint(b));
        let c = br#"{"payment_id":"P-1","amount":1000.51,"lines":[{"b":1,"a":2}]}"#;
        assert_ne!(body_fingerprint(a), body_fingerprint(c));
        // strings are compared as they are: "1000.50" is not "1000.5"
        assert_ne!(
            body_fingerprint(br#"{"amount":"1000.50"}"#),
            body_fingerprint(br#"{"amount":"1000.5"}"#)
        );
        // array order matters
        assert_ne!(body_fingerprint(b"[1,2]"), body_fingerprint(b"[2,1]"));
    }
}

/// The bearer token, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

pub use super::auth::{authenticate, Authenticates, Caller, SUSPENDED_READ_ONLY};
pub use crate::access::Principal;

/// A method that changes nothing.
pub fn is_read(method: &axum::http::Method) -> bool {
    matches!(
        *method,
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    )
}

/// Compares two texts without stopping at the first difference.
pub fn same_text(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// A free-text `note` on a sales action: optional, up to 2,000 characters over lines.
pub fn note_of(note: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    use crate::domain::text::{self, Lines};
    text::collect(text::optional("note", note, 2000, Lines::Multi), errors).flatten()
}

/// `{"note"}`, the body of a sales action whose note is optional (an empty body is no note).
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NoteBody {
    #[serde(default)]
    note: Option<String>,
}

/// The optional note of an action whose body may be empty (JSON of at most `max` bytes).
pub async fn optional_note(headers: &HeaderMap, body: Body, max: usize) -> Result<Option<String>, ApiError> {
    let input: NoteBody = if headers.contains_key(header::CONTENT_TYPE) {
        json_body(headers, body, max).await?
    } else {
        NoteBody::default()
    };
    let mut errors = Vec::new();
    let note = note_of(input.note.as_deref(), &mut errors);
    if errors.is_empty() {
        Ok(note)
    } else {
        Err(ApiError::Invalid(errors))
    }
}

impl From<crate::usecases::resellers::ResellerError> for ApiError {
    fn from(e: crate::usecases::resellers::ResellerError) -> Self {
        use crate::usecases::resellers::ResellerError;
        match e {
            ResellerError::Invalid(errors) => ApiError::Invalid(errors),
            ResellerError::Store(s) => ApiError::from(s),
            ResellerError::Conflict(m) => ApiError::Conflict(m),
        }
    }
}

impl From<crate::usecases::people::PeopleError> for ApiError {
    fn from(e: crate::usecases::people::PeopleError) -> ApiError {
        use crate::usecases::people::PeopleError;
        match e {
            PeopleError::Invalid(errors) => ApiError::Invalid(errors),
            PeopleError::NotFound(m) => ApiError::NotFound(m),
            PeopleError::Conflict(m) => ApiError::Conflict(m),
            PeopleError::Forbidden(m) => ApiError::ForbiddenBecause(m),
            PeopleError::Store(s) => ApiError::from(s),
        }
    }
}

impl From<crate::usecases::pipeline::PipelineError> for ApiError {
    fn from(e: crate::usecases::pipeline::PipelineError) -> ApiError {
        use crate::domain::pipeline::MoveRefused;
        use crate::usecases::pipeline::PipelineError;
        match e {
            PipelineError::NotFound(id) => ApiError::NotFound(format!("no lead {id}")),
            PipelineError::Unknown(m) => ApiError::NotFound(m),
            PipelineError::Refused(refused) => {
                let message = refused.to_string();
                match refused {
                    MoveRefused::Illegal { from, to, allowed } => ApiError::IllegalMove {
                        message,
                        from: from.into(),
                        to: to.into(),
                        allowed,
                    },
                    MoveRefused::SystemStage(_) | MoveRefused::ClosedLost => ApiError::Conflict(message),
                }
            }
            PipelineError::Invalid(errors) => ApiError::Invalid(errors),
            PipelineError::Forbidden(m) => ApiError::ForbiddenBecause(m),
            PipelineError::Conflict(m) => ApiError::Conflict(m),
            PipelineError::Store(s) => ApiError::from(s),
        }
    }
}

/// A caller the policy let through may see this reseller's records (its own people, a channel
/// manager its partners, other staff every reseller); else `403`.
pub fn require_sees_reseller(p: &Principal, reseller_id: &str) -> Result<(), ApiError> {
    if p.sees_reseller(reseller_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// CORS for the local stack (in AWS, the HTTP API's CORS configuration does this).
pub fn cors_layer(origins: &[String]) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let list: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(list))
        .allow_methods([
            axum::http::Method::GET,
            axum::http::Method::POST,
            axum::http::Method::OPTIONS,
        ])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .max_age(std::time::Duration::from_secs(600))
}
