//! Seed 001's per-reseller reports for a month: revenue (orders paid, revenue by product and
//! component, commission, leads received and converted) and usage (AMC contracts with their
//! licensed and active users). Each row is read from the reseller's own partitions and
//! indexes — its ledger month, its leads, its contracts — never a table scan.

use crate::domain::billing::Order;
use crate::domain::catalogue::ProductKind;
use crate::domain::lead::Lead;
use crate::domain::renewal::Contract;
use crate::domain::reseller::Reseller;
use crate::domain::stage::Stage;
use crate::ports::table::{Index, Query, StoreError, Table};
use crate::repo;
use crate::usecases::commission::ledger_month;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// One reseller's month of revenue (amounts per currency).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RevenueRow {
    pub reseller_id: String,
    pub name: String,
    /// orders with a payment or refund in the month that earned it something
    pub orders: usize,
    /// what customers paid on its deals, per currency, per product
    #[schema(value_type = Object)]
    pub revenue_by_product: BTreeMap<String, BTreeMap<String, Decimal>>,
    /// … per currency, per kind of payment (licence, amc, renewal, milestone)
    #[schema(value_type = Object)]
    pub revenue_by_component: BTreeMap<String, BTreeMap<String, Decimal>>,
    /// what it earned, per currency, per ledger component
    #[schema(value_type = Object)]
    pub commission: BTreeMap<String, BTreeMap<String, Decimal>>,
    /// leads it received that were captured in the month
    pub leads_received: usize,
    /// … of which have been paid for (R006 or later)
    pub leads_converted: usize,
}

/// The ledger components a closer earns on a customer's payment, and the payment's kind.
/// What a closer's entry for a payment says was paid: the revenue label and the order lines it
/// paid (a renewal pays the AMC lines again).
fn paid_kind(component: crate::domain::commission::Component) -> Option<(&'static str, ProductKind)> {
    match component {
        crate::domain::commission::Component::Licence | crate::domain::commission::Component::Margin => {
            Some(("licence", ProductKind::Licence))
        }
        crate::domain::commission::Component::AmcFirstYear => Some(("amc", ProductKind::Amc)),
        crate::domain::commission::Component::AmcRenewal => Some(("renewal", ProductKind::Amc)),
        _ => None,
    }
}

pub async fn revenue_row(table: &dyn Table, r: &Reseller, month: &str) -> Result<RevenueRow, StoreError> {
    let entries = ledger_month(table, &r.reseller_id, month).await?;
    let mut row = RevenueRow {
        reseller_id: r.reseller_id.clone(),
        name: r.name.clone(),
        commission: crate::usecases::commission::totals(&entries),
        ..Default::default()
    };
    let mut orders: BTreeMap<String, Option<Order>> = BTreeMap::new();
    for e in &entries {
        orders.entry(e.order_id.clone()).or_default();
    }
    for (id, slot) in orders.iter_mut() {
        *slot = crate::usecases::billing::get_order(table, id).await?;
    }
    row.orders = orders.len();
    // a payment's amount is the base of the closer's entry for it (a refund's is negative)
    let mut seen = BTreeSet::new();
    for e in entries.iter().filter(|e| e.payee == r.reseller_id) {
        let Some((kind, line_kind)) = paid_kind(e.component) else {
            continue;
        };
        if !seen.insert((e.source, e.source_id.clone())) {
            continue;
        }
        let paid = if e.source == crate::domain::ledger::EntrySource::Refund {
            -e.base.abs()
        } else {
            e.base
        };
        *row.revenue_by_component
            .entry(e.currency.clone())
            .or_default()
            .entry(kind.to_string())
            .or_default() += paid;
        let product = orders
            .get(&e.order_id)
            .and_then(|o| o.as_ref())
            .map(|o| {
                let products: BTreeSet<&str> = o
                    .facts
                    .lines
                    .iter()
                    .filter(|l| l.kind == line_kind)
                    .map(|l| l.product.as_str())
                    .collect();
                products.into_iter().collect::<Vec<_>>().join(" + ")
            })
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "unknown".into());
        *row.revenue_by_product
            .entry(e.currency.clone())
            .or_default()
            .entry(product)
            .or_default() += paid;
    }
    let leads: Vec<Lead> = repo::query_all(
        table,
        Query::new(repo::owner_index_pk(&r.reseller_id)).index(Index::Gsi2),
    )
    .await?
    .into_iter()
    .map(repo::record)
    .collect::<Result<_, _>>()?;
    for l in leads
        .iter()
        .filter(|l| l.created_at.format("%Y-%m").to_string() == month)
    {
        row.leads_received += 1;
        if !l.closed_lost && l.stage >= Stage::R006 {
            row.leads_converted += 1;
        }
    }
    Ok(row)
}

/// One reseller's AMC contracts and their usage.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct UsageRow {
    pub reseller_id: String,
    pub name: String,
    pub contracts: usize,
    /// contracts renewing in the month
    pub renewing: usize,
    /// from the latest usage snapshot of each contract that has one
    pub licensed_users: u64,
    pub active_users: u64,
    /// active ÷ licensed, 0–1 (none without snapshots)
    #[schema(value_type = Option<String>)]
    pub utilisation: Option<Decimal>,
    /// the AMC under contract, per currency
    #[schema(value_type = Object)]
    pub amc: BTreeMap<String, Decimal>,
}

pub async fn usage_row(table: &dyn Table, r: &Reseller, month: &str) -> Result<UsageRow, StoreError> {
    let contracts: Vec<Contract> = repo::query_all(
        table,
        Query::new(repo::reseller_contracts_index_pk(&r.reseller_id)).index(Index::Gsi2),
    )
    .await?
    .into_iter()
    .map(repo::record)
    .collect::<Result<_, _>>()?;
    let mut row = UsageRow {
        reseller_id: r.reseller_id.clone(),
        name: r.name.clone(),
        contracts: contracts.len(),
        ..Default::default()
    };
    for c in &contracts {
        if crate::domain::renewal::india_date(c.renewal_date)
            .format("%Y-%m")
            .to_string()
            == month
        {
            row.renewing += 1;
        }
        *row.amc.entry(c.currency.clone()).or_default() += c.amc_amount;
        if let Some(u) = c.signals.usage.last() {
            row.licensed_users += u64::from(u.licensed_users);
            row.active_users += u64::from(u.active_users);
        }
    }
    row.utilisation = (row.licensed_users > 0)
        .then(|| (Decimal::from(row.active_users) / Decimal::from(row.licensed_users)).round_dp(4));
    Ok(row)
}

/// Every reseller of the programme (any status), for the admin's reports.
pub async fn all_resellers(table: &dyn Table) -> Result<Vec<Reseller>, StoreError> {
    use crate::domain::reseller::ResellerStatus::*;
    let mut out = Vec::new();
    for status in [Active, Suspended, Deactivated] {
        for item in repo::query_all(
            table,
            Query::new(repo::resellers_index_pk(status.as_str())).index(Index::Gsi1),
        )
        .await?
        {
            out.push(repo::record(item)?);
        }
    }
    Ok(out)
}
