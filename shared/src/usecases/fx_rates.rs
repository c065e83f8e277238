//! A day's reference exchange rates (SPEC §13), recorded by finance: payouts made that day and
//! waiting for them are converted at once into their payees' payout currencies and become
//! payable. A rate, once recorded, never changes (payouts were converted with it); a day's table
//! may gain currencies.

use crate::domain::field::FieldError;
use crate::domain::fx::{FxRates, FxRatesIn};
use crate::domain::payout::{PaymentStatus, Ticket};
use crate::ports::table::{Index, Query, StoreError, Table};
use crate::repo;
use chrono::NaiveDate;

#[derive(Debug, thiserror::Error)]
pub enum FxError {
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What recording a day's rates did.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Recorded {
    pub rates: FxRates,
    /// `false`: the same rates were recorded before (nothing changed)
    pub created: bool,
    /// payouts of that day converted and made payable by them
    pub released: u32,
}

/// Records `date`'s rates (the same table again changes nothing; more currencies are added; a
/// different rate for a recorded currency is `409`), then converts the payouts waiting for them.
pub async fn record(
    table: &dyn Table,
    date: NaiveDate,
    input: &FxRatesIn,
    home: &str,
    by: &str,
) -> Result<Recorded, FxError> {
    let (base, rates) = crate::domain::fx::validate(input, home).map_err(FxError::Invalid)?;
    let existing: Option<FxRates> = repo::get_record(table, &repo::fx_rates_key(&date)).await?;
    let (table_of_day, created) = match existing {
        Some(e) if e.base == base && e.rates == rates => (e, false),
        // more currencies for the day: rates already recorded stay what they were (payouts may
        // have been converted with them), the new ones are added
        Some(e) if e.base == base && e.rates.iter().all(|(c, r)| rates.get(c) == Some(r)) => {
            let mut more = repo::next_of(&e);
            more.rates = rates;
            match table
                .transact(vec![repo::put_if_version(repo::item(&more)?, e.version)])
                .await
            {
                Ok(()) => (more, false),
                Err(err) if err.is_conflict() => {
                    return Err(FxError::Conflict(format!(
                        "the rates of {date} changed meanwhile; send them again"
                    )))
                }
                Err(err) => return Err(err.into()),
            }
        }
        Some(_) => {
            return Err(FxError::Conflict(format!(
                "a rate of {date} differs from the one recorded, with which payouts may have been converted"
            )))
        }
        None => {
            let new = FxRates {
                date,
                base,
                rates,
                recorded_by: by.to_string(),
                version: 1,
            };
            match table.transact(vec![repo::put_new(repo::item(&new)?)]).await {
                Ok(()) => (new, true),
                Err(e) if e.is_conflict() => {
                    return Err(FxError::Conflict(format!(
                        "the rates of {date} were recorded meanwhile"
                    )))
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    // also on a repeat: a release interrupted the first time is finished now
    let released = release(table, &table_of_day).await?;
    Ok(Recorded {
        rates: table_of_day,
        created,
        released,
    })
}

pub async fn get(table: &dyn Table, date: NaiveDate) -> Result<Option<FxRates>, StoreError> {
    repo::get_record(table, &repo::fx_rates_key(&date)).await
}

/// Converts every payout waiting for `rates`' day (each on its version; one changed meanwhile
/// is read again).
async fn release(table: &dyn Table, rates: &FxRates) -> Result<u32, StoreError> {
    let mut released = 0;
    let waiting = repo::query_all(
        table,
        Query::new(repo::awaiting_fx_index_pk(&rates.date)).index(Index::Gsi4),
    )
    .await?;
    for item in waiting {
        let ticket: Ticket = repo::record(item)?;
        let mut converted = false;
        repo::update(table, &repo::payout_key(&ticket.month, &ticket.payee), |t: &Ticket| {
            converted = false;
            let Some(target) = t.payout_currency.clone() else {
                return Ok::<_, StoreError>(repo::Change::Keep);
            };
            let mut next = t.clone();
            // a currency the day's table does not name: it keeps waiting
            if t.payment.status != PaymentStatus::AwaitingFxRate
                || !crate::usecases::payout::convert_lines(&mut next.lines, &target, rates)
            {
                return Ok(repo::Change::Keep);
            }
            next.payment.status = next.status_after_fx.take().unwrap_or(PaymentStatus::Payable);
            converted = true;
            Ok(repo::Change::to(next))
        })
        .await?;
        if converted {
            released += 1;
        }
    }
    Ok(released)
}
