//! A reseller's tax profile (SPEC §13): replaced by the reseller or the vendor's staff, and a
//! submitted section 197 certificate approved or rejected by the staff. Every change is recorded
//! on the reseller (which fields and who, never their values).

use crate::domain::field::FieldError;
use crate::domain::reseller::{Reseller, TaxChange};
use crate::domain::tax_profile::{apply_submission, changed_fields, validate, ProfileAuthor, TaxProfile, TaxProfileIn};
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

/// Changes the reseller's tax profile as `change` decides on the reseller read, recording which
/// fields changed and who changed them (never their values).
async fn save(
    table: &dyn Table,
    reseller_id: &str,
    by: &str,
    at: chrono::DateTime<chrono::Utc>,
    mut change: impl FnMut(&Reseller) -> Result<TaxProfile, TaxProfileError>,
) -> Result<Reseller, TaxProfileError> {
    repo::update(
        table,
        &repo::reseller_key(reseller_id),
        |r: &Reseller| -> Result<_, TaxProfileError> {
            let profile = change(r)?;
            let fields = changed_fields(r.tax.as_ref(), &profile);
            let mut next = r.clone();
            next.tax = Some(profile);
            if !fields.is_empty() {
                next.tax_changes.push(TaxChange {
                    at,
                    by: by.to_string(),
                    fields: fields.iter().map(|f| f.to_string()).collect(),
                });
            }
            Ok(repo::Change::to(next))
        },
    )
    .await?
    .ok_or_else(|| TaxProfileError::NotFound(reseller_id.into()))
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
    let now = clock.now();
    let profile = validate(input, crate::domain::renewal::india_date(now)).map_err(TaxProfileError::Invalid)?;
    save(table, reseller_id, actor, now, |r| {
        Ok(apply_submission(r.tax.as_ref(), profile.clone(), author, now))
    })
    .await
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
    let now = clock.now();
    save(table, reseller_id, staff, now, |r| {
        let mut profile = r.tax.clone().unwrap_or_default();
        let Some(mut asked) = profile.pending_lower_deduction.take() else {
            return Err(TaxProfileError::Conflict(
                "no lower-deduction certificate waits for a decision".into(),
            ));
        };
        if approve {
            asked.recorded_by = Some(staff.to_string());
            asked.recorded_at = Some(now);
            profile.lower_deduction = Some(asked);
        }
        Ok(profile)
    })
    .await
}
