//! Fixed-window rate limits kept in the table, so that every Lambda instance (and the local
//! stack) counts the same requests: one atomic counter per (what, source, hour). API Gateway's
//! throttling bounds the whole route in AWS; these bound one client address or email domain.

use crate::ports::table::{StoreError, Table};
use crate::repo;
use chrono::{DateTime, Duration, DurationRound, Utc};

pub use crate::config::PublicLimits;

/// Refused: try again after this many seconds (the window's end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: u64,
}

/// Counts one request of `scope` from `source` in the current hour; `Err(Limited)` once the
/// hour's count passes `per_hour`.
pub async fn hit(
    table: &dyn Table,
    scope: &str,
    source: &str,
    per_hour: u32,
    now: DateTime<Utc>,
) -> Result<Result<(), Limited>, StoreError> {
    let start = now.duration_trunc(Duration::hours(1)).unwrap_or(now);
    let window = start.format("%Y-%m-%dT%H").to_string();
    // the hour's counter is kept a day after its window closes, then the table deletes it
    let expires = (start + Duration::hours(1) + Duration::days(1)).timestamp();
    let count = table
        .increment(&repo::rate_key(scope, source, &window), "count", 1, Some(expires))
        .await?;
    if count <= i64::from(per_hour) {
        return Ok(Ok(()));
    }
    let retry_after = (start + Duration::hours(1) - now).num_seconds().max(1) as u64;
    Ok(Err(Limited { retry_after }))
}
