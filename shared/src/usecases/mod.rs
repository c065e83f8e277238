//! Use cases: each takes the narrowest ports it needs and the clock, and applies the domain.

pub mod activities;
pub mod applications;
pub mod audit;
pub mod billing;
pub mod capture;
pub mod catalogue;
pub mod commission;
pub mod dashboard;
pub mod forecast;
pub mod fx_rates;
pub mod home;
pub mod import;
pub mod leads;
pub mod lifecycle;
pub mod outbox;
pub mod payout;
pub mod people;
pub mod pipeline;
pub mod portal_auth;
pub mod quotes;
pub mod rate_limit;
pub mod redrive;
pub mod referrals;
pub mod registrations;
pub mod renewals;
pub mod reports;
pub mod requeue;
pub mod resellers;
pub mod score_route;
pub mod sequences;
pub mod settlements;
pub mod sla;
pub mod support;
pub mod tax_profiles;
pub mod tds;

use crate::ports::table::StoreError;
use std::time::Duration;

/// Retries a store operation that failed for a passing reason (throttling, a transaction
/// conflict), with a short exponential backoff.
pub async fn retry_throttled<T, F, Fut>(mut op: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let mut attempt = 0u32;
    loop {
        match op().await {
            Err(StoreError::Throttled) if attempt < 5 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(10 << attempt)).await;
            }
            other => return other,
        }
    }
}
