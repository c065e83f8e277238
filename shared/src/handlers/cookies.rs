//! The platform's cookies, read and written with the `cookie` crate in one place: the portal's
//! session (`pp_session`) and the referral link's click (`ref`).

use axum::http::{header, HeaderMap};
use cookie::{Cookie, SameSite};

/// The value of the cookie `name` among every `Cookie` header of a request.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().trim().to_string())
}

/// A `Set-Cookie` value: `HttpOnly` when script must not read it, `SameSite=Lax`, `Secure`
/// when asked (always for a cookie that crosses sites; over HTTPS for the portal's).
pub fn set(name: &str, value: &str, path: &str, max_age_seconds: i64, http_only: bool, secure: bool) -> String {
    Cookie::build((name.to_string(), value.to_string()))
        .path(path.to_string())
        .http_only(http_only)
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age_seconds))
        .secure(secure)
        .build()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_cookie_among_several_headers_and_writes_its_attributes() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, "a=1; pp_session=abc".parse().expect("header"));
        h.append(header::COOKIE, "ref=ACME12.01ABC".parse().expect("header"));
        assert_eq!(read(&h, "pp_session").as_deref(), Some("abc"));
        assert_eq!(read(&h, "ref").as_deref(), Some("ACME12.01ABC"));
        assert_eq!(read(&h, "session"), None);
        let s = set("pp_session", "v", "/portal", 43200, true, false);
        for part in [
            "pp_session=v",
            "Path=/portal",
            "HttpOnly",
            "SameSite=Lax",
            "Max-Age=43200",
        ] {
            assert!(s.contains(part), "{s}");
        }
        assert!(!s.contains("Secure"));
        assert!(set("ref", "A.B", "/", 60, false, true).contains("Secure"));
    }
}
