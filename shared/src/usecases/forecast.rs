//! A reseller's commission forecast from its open deals with an expected value (at R002–R005)
//! and its contracts renewing in the horizon; each deal's commission comes from the commission
//! code (`commission::for_payment`), as a quote's estimate does. Reads grow with the deals and
//! contracts it shows, never with the rest of the pipeline or the table.

use crate::config::Rules;
use crate::domain::commission::{for_payment, Earned, PaymentKind, Plan};
use crate::domain::forecast::{forecast, DueRenewal, MonthForecast, OpenDeal};
use crate::domain::lead::Lead;
use crate::domain::renewal::{india_date, Contract};
use crate::domain::reseller::Reseller;
use crate::ports::table::{Index, Query, StoreError, Table};
use crate::repo;
use chrono::NaiveDate;
use rust_decimal::Decimal;

const HOME: &str = "INR";
const OPEN: [&str; 4] = ["R002", "R003", "R004", "R005"];

/// What the reseller earns itself on a payment of `kind` and `amount` (its share of the drafts).
fn own_share(reseller: &Reseller, kind: PaymentKind, amount: Decimal, rules: &Rules) -> Decimal {
    let mut deal = crate::usecases::quotes::deal_of(reseller, HOME, &[], amount);
    if reseller.plan == Plan::Margin {
        // without the quote's lines the channel price is unknown: no margin is forecast
        deal.licence_value = amount;
    }
    match for_payment(&deal, kind, amount, &Earned::default(), &rules.commission) {
        Ok((drafts, _)) => drafts
            .iter()
            .filter(|d| d.payee == reseller.reseller_id)
            .map(|d| d.amount)
            .sum(),
        Err(_) => Decimal::ZERO,
    }
}

/// What a reseller's forecast is made from, read once: the reseller, its open deals with an
/// expected value (its deals index: what the forecast shows, not the whole pipeline) and its
/// contracts. The portal's home shows its renewals at risk from the same read.
pub struct Book {
    pub reseller: Reseller,
    pub deals: Vec<Lead>,
    pub contracts: Vec<Contract>,
}

/// `None` for an unknown reseller.
pub async fn read_book(table: &dyn Table, reseller_id: &str) -> Result<Option<Book>, StoreError> {
    let Some(reseller) = repo::get_record::<Reseller>(table, &repo::reseller_key(reseller_id)).await? else {
        return Ok(None);
    };
    let deals: Vec<Lead> = repo::query_all(table, Query::new(repo::deals_index_pk(reseller_id)).index(Index::Gsi6))
        .await?
        .into_iter()
        .map(repo::record)
        .collect::<Result<_, _>>()?;
    let contracts: Vec<Contract> = repo::query_all(
        table,
        Query::new(repo::reseller_contracts_index_pk(reseller_id)).index(Index::Gsi2),
    )
    .await?
    .into_iter()
    .filter_map(|i| repo::record(i).ok())
    .collect();
    Ok(Some(Book {
        reseller,
        deals,
        contracts,
    }))
}

/// The next months' commission from the book's open deals and renewals.
pub fn forecast_of(book: &Book, today: NaiveDate, rules: &Rules) -> Vec<MonthForecast> {
    let reseller = &book.reseller;
    // the deals index holds open, owned, valued leads; the index may lag a write, so again here
    let mut open: Vec<&Lead> = book
        .deals
        .iter()
        .filter(|l| l.is_valued_deal() && l.owner_reseller_id.as_deref() == Some(reseller.reseller_id.as_str()))
        .filter(|l| OPEN.contains(&l.stage.code()))
        .collect();
    // the board's order: by stage, the most recently changed first
    open.sort_by_key(|l| (l.stage, std::cmp::Reverse(l.updated_at)));
    let deals: Vec<OpenDeal> = open
        .into_iter()
        .filter_map(|l| {
            let value = l.expected_value()?;
            Some(OpenDeal {
                commission: own_share(reseller, PaymentKind::Licence, value, rules),
                lead_id: l.lead_id.clone(),
                stage: l.stage.code().to_string(),
                value,
                since: india_date(l.updated_at),
                expected_close: l
                    .quote
                    .as_ref()
                    .filter(|q| q.status.is_sendable())
                    .and_then(|q| q.expected_close),
            })
        })
        .collect();
    let renewals: Vec<DueRenewal> = book
        .contracts
        .iter()
        .filter(|c| c.currency == HOME)
        .map(|c| DueRenewal {
            contract_id: c.contract_id.clone(),
            renewal: india_date(c.renewal_date),
            amc: c.amc_amount,
            risk: c.risk.as_ref().map(|r| r.score).unwrap_or(0),
            commission: own_share(reseller, PaymentKind::Renewal, c.amc_amount, rules),
        })
        .collect();
    forecast(today, &deals, &renewals, &rules.forecast)
}

pub async fn reseller_forecast(
    table: &dyn Table,
    reseller_id: &str,
    today: NaiveDate,
    rules: &Rules,
) -> Result<Vec<MonthForecast>, StoreError> {
    Ok(read_book(table, reseller_id)
        .await?
        .map(|book| forecast_of(&book, today, rules))
        .unwrap_or_default())
}
