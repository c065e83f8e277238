//! Billing webhooks are signed: `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
//! "<t>.<raw body>")>`. A bad signature, or a timestamp more than 5 minutes away from now,
//! is refused before anything is read or stored.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a signature's timestamp may be from now (replays older than this are refused).
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing X-Signature header")]
    Missing,
    #[error("malformed X-Signature header")]
    Malformed,
    #[error("signature timestamp outside the 5-minute window")]
    Stale,
    #[error("signature does not match")]
    Mismatch,
}

fn mac(secret: &[u8], t: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail
    let mut m =
        <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// The header value a sender puts on `body` at time `t`.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    format!(
        "t={t},v1={}",
        hex::encode(mac(secret.as_bytes(), t, body).finalize().into_bytes())
    )
}

/// Checks the header against the raw body (constant-time comparison).
pub fn verify(header: Option<&str>, body: &[u8], secrets: &[String], now: DateTime<Utc>) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1.push(hex::decode(v).map_err(|_| SignatureError::Malformed)?),
            _ => {}
        }
    }
    let t = t.ok_or(SignatureError::Malformed)?;
    if v1.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now.timestamp() - t).abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    // several v1 values are allowed while the sender rotates, several secrets while we do
    if v1.iter().any(|sig| {
        secrets
            .iter()
            .any(|secret| mac(secret.as_bytes(), t, body).verify_slice(sig).is_ok())
    }) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn signs_and_verifies() {
        let now = Utc.with_ymd_and_hms(2026, 10, 5, 10, 0, 0).unwrap();
        let body = br#"{"order_id":"o1"}"#;
        let one = ["s3cret".to_string()];
        let h = sign("s3cret", now.timestamp(), body);
        assert_eq!(verify(Some(&h), body, &one, now), Ok(()));
        assert_eq!(
            verify(Some(&h), br#"{"order_id":"o2"}"#, &one, now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&h), body, &["other".to_string()], now),
            Err(SignatureError::Mismatch)
        );
        let later = now + chrono::Duration::seconds(301);
        assert_eq!(verify(Some(&h), body, &one, later), Err(SignatureError::Stale));
        assert_eq!(verify(None, body, &one, now), Err(SignatureError::Missing));
        assert_eq!(
            verify(Some("t=1,v1=zz"), body, &one, now),
            Err(SignatureError::Malformed)
        );
        let flipped = h.replace("v1=", "v1=0").replacen("v1=00", "v1=0", 1);
        assert!(verify(Some(&flipped), body, &one, now).is_err());
        // rotating: `new,old` accepts what either signed
        let rotating = ["n3w".to_string(), "s3cret".to_string()];
        assert_eq!(verify(Some(&h), body, &rotating, now), Ok(()));
        let signed_new = sign(&rotating[0], now.timestamp(), body);
        assert_eq!(verify(Some(&signed_new), body, &rotating, now), Ok(()));
        assert_eq!(
            verify(Some(&signed_new), body, &one, now),
            Err(SignatureError::Mismatch)
        );
    }
}
