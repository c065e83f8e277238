//! Public forms posted by browsers and scripts alike (`POST /leads`,
//! `POST /reseller-applications`): the body as a JSON object from JSON or urlencoded, browser
//! redirects only to allowed hosts, and the error page's query string.

use super::http::{media_type, ApiError};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

pub fn is_browser_form(headers: &HeaderMap) -> bool {
    let accepts_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    accepts_html && media_type(headers).as_deref() == Some("application/x-www-form-urlencoded")
}

/// The submission as a JSON object, from either a form body or a JSON body.
pub fn parse_submission(headers: &HeaderMap, bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match media_type(headers).as_deref() {
        Some("application/json") => match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(ApiError::BadRequest("the body must be a JSON object".into())),
            Err(e) => Err(ApiError::BadRequest(format!("malformed JSON: {e}"))),
        },
        Some("application/x-www-form-urlencoded") => {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes)
                .map_err(|e| ApiError::BadRequest(format!("malformed form body: {e}")))?;
            let mut m = Map::new();
            for (k, v) in pairs {
                // the first value of a repeated field wins
                m.entry(k).or_insert(Value::String(v));
            }
            Ok(m)
        }
        other => Err(ApiError::UnsupportedType(format!(
            "send application/json or application/x-www-form-urlencoded, not {}",
            other.unwrap_or("no content type")
        ))),
    }
}

/// A `redirect` is followed only to an allowed host (no open redirect).
pub fn allowed_redirect(target: &str, hosts: &[String]) -> bool {
    let Ok(uri) = target.parse::<axum::http::Uri>() else {
        return false;
    };
    let scheme_ok = matches!(uri.scheme_str(), Some("https") | Some("http"));
    let host = uri.host().unwrap_or("").to_lowercase();
    scheme_ok
        && hosts.iter().any(|h| {
            let h = h.to_lowercase();
            host == h || host.ends_with(&format!(".{h}"))
        })
}

pub fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location.to_string())]).into_response()
}

pub fn with_query(base: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return base.to_string();
    }
    let q = serde_urlencoded::to_string(pairs).unwrap_or_default();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{q}")
}

/// Where a browser's form post goes: its allowed `redirect` (else `thank_you_url`) after
/// success.
pub fn thank_you(redirect: Option<String>, hosts: &[String], thank_you_url: &str) -> Response {
    let target = redirect
        .filter(|r| allowed_redirect(r, hosts))
        .unwrap_or_else(|| thank_you_url.to_string());
    see_other(&target)
}

/// … and after a refusal: `error_url` with one `error` per invalid field, else the error's
/// `summary` field (`error` or `message` of its JSON body).
pub fn form_error(e: &ApiError, error_url: &str, summary: &str) -> Response {
    let pairs: Vec<(String, String)> = match e {
        ApiError::Invalid(errors) => errors
            .iter()
            .map(|f| ("error".to_string(), format!("{}: {}", f.field, f.message)))
            .collect(),
        other => vec![("error".into(), {
            let body = other.body();
            match summary {
                "message" => body.message.unwrap_or(body.error),
                _ => body.error,
            }
        })],
    };
    if let ApiError::Internal(d) = e {
        tracing::error!(error = %d, "internal error");
    }
    see_other(&with_query(error_url, &pairs))
}

/// The client's address as the last proxy saw it: the last `X-Forwarded-For` entry (API Gateway
/// appends the caller's address; the local stack does the same for its peer).
pub fn client_address(headers: &HeaderMap) -> Option<String> {
    let last_line = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .next_back()?;
    last_line
        .rsplit(',')
        .map(str::trim)
        .find(|v| !v.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_the_address_the_last_proxy_appended() {
        let mut h = HeaderMap::new();
        assert_eq!(client_address(&h), None);
        h.append("x-forwarded-for", "203.0.113.9, 10.0.0.1".parse().expect("value"));
        assert_eq!(client_address(&h).as_deref(), Some("10.0.0.1"));
        h.append("x-forwarded-for", "127.0.0.1".parse().expect("value"));
        assert_eq!(
            client_address(&h).as_deref(),
            Some("127.0.0.1"),
            "a forged first header is ignored"
        );
    }
}
