//! A reseller's tax profile (SPEC §13): replaced by the reseller or the vendor's staff, and a
//! submitted section 197 certificate approved or rejected by the staff. Every change is recorded
//! on the reseller (which fields and who, never their values).

use crate::domain::lead::FieldError;
use crate::domain::reseller::{Reseller, TaxChange};
use crate::domain::tax_profile::{apply_submission, changed_fields, validate, ProfileAuthor, TaxProfileIn};
use crate::ports::table::{StoreError, Table};
use crate::ports::Clock;
use crate::repo;

#[derive(Debug, thiserror::Error)]
pub enum TaxProfileError {
    #[error("no reseller {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Writes `next` on the version of `r`, recording which fields changed and who changed them.
async fn save(
    table: &dyn Table,
    r: &Reseller,
    mut next: Reseller,
    by: String,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Reseller, TaxProfileError> {
    let fields = changed_fields(r.tax.as_ref(), next.tax.as_ref().unwrap_or(&Default::default()));
    if !fields.is_empty() {
        next.tax_changes.push(TaxChange {
            at,
            by,
            fields: fields.iter().map(|f| f.to_string()).collect(),
        });
    }
    next.version = r.version + 1;
    match table
        .transact(vec![repo::put_if_version(repo::item(&next)?, r.version)])
        .await
    {
        Ok(()) => Ok(next),
        Err(e) if e.is_conflict() => Err(TaxProfileError::Conflict(
            "the reseller changed meanwhile; read it again and retry".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Replaces the profile with what `author` sent (fields left out are cleared; a reseller's own
/// certificate waits for the staff, see `apply_submission`); the change is recorded in the name
/// of `actor`, the person who made it (`user:…` for the reseller's people, `staff:…`).
pub async fn replace(
    table: &dyn Table,
    clock: &dyn Clock,
    reseller_id: &str,
    input: &TaxProfileIn,
    author: &ProfileAuthor,
    actor: &str,
) -> Result<Reseller, TaxProfileError> {
    let today = crate::domain::renewal::india_date(clock.now());
    let profile = validate(input, today).map_err(TaxProfileError::Invalid)?;
    let r = crate::usecases::resellers::get(table, reseller_id)
        .await?
        .ok_or_else(|| TaxProfileError::NotFound(reseller_id.into()))?;
    let now = clock.now();
    let mut next = r.clone();
    next.tax = Some(apply_submission(r.tax.as_ref(), profile, author, now));
    save(table, &r, next, actor.to_string(), now).await
}

/// The staff's answer to a submitted certificate: approved, it is recorded in `staff`'s name and
/// lowers the deduction from then on; rejected, it is dropped. `409` when none waits.
pub async fn decide_certificate(
    table: &dyn Table,
    clock: &dyn Clock,
    reseller_id: &str,
    approve: bool,
    staff: &str,
) -> Result<Reseller, TaxProfileError> {
    let r = crate::usecases::resellers::get(table, reseller_id)
        .await?
        .ok_or_else(|| TaxProfileError::NotFound(reseller_id.into()))?;
    let mut profile = r.tax.clone().unwrap_or_default();
    let Some(mut asked) = profile.pending_lower_deduction.take() else {
        return Err(TaxProfileError::Conflict(
            "no lower-deduction certificate waits for a decision".into(),
        ));
    };
    let now = clock.now();
    if approve {
        asked.recorded_by = Some(staff.to_string());
        asked.recorded_at = Some(now);
        profile.lower_deduction = Some(asked);
    }
    let mut next = r.clone();
    next.tax = Some(profile);
    save(table, &r, next, staff.to_string(), now).await
}
