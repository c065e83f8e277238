//! A reseller's commission forecast from its open pipeline (the board's R002–R005 columns) and
//! its contracts renewing in the horizon; each deal's commission comes from the commission code
//! (`commission::for_payment`), as a quote's estimate does. Reads grow with the reseller's own
//! pipeline and contracts, never with the whole table.

use crate::config::Rules;
use crate::domain::commission::{for_payment, Earned, PaymentKind, Plan};
use crate::domain::forecast::{forecast, DueRenewal, MonthForecast, OpenDeal};
use crate::domain::renewal::{india_date, Contract};
use crate::domain::reseller::Reseller;
use crate::ports::table::{Index, Query, StoreError, Table};
use crate::repo;
use crate::usecases::pipeline::{board, BoardPage};
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

pub async fn reseller_forecast(
    table: &dyn Table,
    reseller_id: &str,
    today: NaiveDate,
    rules: &Rules,
) -> Result<Vec<MonthForecast>, StoreError> {
    let Some(reseller) = repo::get_record::<Reseller>(table, &repo::reseller_key(reseller_id)).await? else {
        return Ok(vec![]);
    };
    let columns = board(
        table,
        Some(reseller_id),
        BoardPage {
            stage: None,
            offset: 0,
            limit: 1000,
        },
    )
    .await?;
    let deals: Vec<OpenDeal> = columns
        .into_iter()
        .filter(|c| OPEN.contains(&c.stage))
        .flat_map(|c| {
            let stage = c.stage;
            c.leads.into_iter().filter_map(move |l| {
                let value = l.expected_value.filter(|v| *v > Decimal::ZERO)?;
                Some((stage, l.lead_id, value, india_date(l.updated_at)))
            })
        })
        .map(|(stage, lead_id, value, since)| OpenDeal {
            commission: own_share(&reseller, PaymentKind::Licence, value, rules),
            lead_id,
            stage: stage.to_string(),
            value,
            since,
        })
        .collect();
    let contracts: Vec<Contract> = repo::query_all(
        table,
        Query::new(repo::reseller_contracts_index_pk(reseller_id)).index(Index::Gsi2),
    )
    .await?
    .into_iter()
    .filter_map(|i| repo::record(i).ok())
    .collect();
    let renewals: Vec<DueRenewal> = contracts
        .iter()
        .filter(|c| c.currency == HOME)
        .map(|c| DueRenewal {
            contract_id: c.contract_id.clone(),
            renewal: india_date(c.renewal_date),
            amc: c.amc_amount,
            risk: c.risk.as_ref().map(|r| r.score).unwrap_or(0),
            commission: own_share(&reseller, PaymentKind::Renewal, c.amc_amount, rules),
        })
        .collect();
    Ok(forecast(today, &deals, &renewals, &rules.forecast))
}
