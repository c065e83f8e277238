//! Sortable ids (ULID): time-ordered by the clock the caller passes in.

use chrono::{DateTime, Utc};

pub fn new_id(now: DateTime<Utc>) -> String {
    ulid::Ulid::from_datetime(now.into()).to_string()
}

/// An id that needs no particular time (receipts, message ids).
pub fn random_id() -> String {
    ulid::Ulid::generate().to_string()
}
