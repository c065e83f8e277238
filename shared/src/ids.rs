//! Sortable ids (ULID): time-ordered by the clock the caller passes in.

use chrono::{DateTime, Utc};

pub fn new_id(now: DateTime<Utc>) -> String {
    ulid::Ulid::from_datetime(now.into()).to_string()
}

/// An id that needs no particular time (receipts, message ids).
pub fn random_id() -> String {
    ulid::Ulid::generate().to_string()
}

/// The SHA-256 of a text as lower-case hex (how keys, tokens and request bodies are stored:
/// never the secret itself).
pub fn sha256_hex(s: &str) -> String {
    sha256_bytes_hex(s.as_bytes())
}

pub fn sha256_bytes_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
