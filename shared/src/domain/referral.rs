//! Referral tracking's records: a click on a referral link, remembered for attribution.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The name of the cookie `GET /r/{code}` sets: `ref=<CODE>.<click id>`.
pub const COOKIE: &str = "ref";

/// The code and click id a `ref` cookie's value carries (`None` for anything else).
pub fn click_of(value: &str) -> Option<(String, String)> {
    let (code, click) = value.trim().split_once('.')?;
    let ok = |s: &str| !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric());
    (ok(code) && ok(click)).then(|| (code.to_string(), click.to_string()))
}

/// A click on a referral link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Click {
    pub click_id: String,
    pub code: String,
    pub referrer: String,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ref_cookie_gives_its_code_and_click_and_nothing_else() {
        assert_eq!(
            click_of("ACME12.01ABC"),
            Some(("ACME12".to_string(), "01ABC".to_string()))
        );
        assert_eq!(click_of("ACME12"), None);
        assert_eq!(click_of("AC<ME.01"), None);
        assert_eq!(click_of(".01ABC"), None);
    }
}
