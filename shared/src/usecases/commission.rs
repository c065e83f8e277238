//! The commission step: a received payment becomes ledger entries (and a refund, clawbacks) in
//! one transaction with its guards — the order's running totals on their version, the payment
//! or refund marked processed on its version, every entry conditioned on its own absence.

use super::billing::{advance_lead, get_order, get_payment, get_refund, Order, Payment, Refund, Status};
use crate::config::Rules;
use crate::domain::aggregates::{self, Tally};
use crate::domain::billing::overpayment;
use crate::domain::catalogue::ProductKind;
use crate::domain::commission::{for_payment, for_refund, Draft, Earned, PaymentKind};
use crate::domain::lead::Lead;
use crate::domain::stage::Stage;
use crate::ports::table::{Query, SkRange, StoreError, Table, Write};
use crate::ports::Clock;
use crate::repo;
use chrono::{DateTime, Datelike, Months, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeMap;

pub use crate::domain::ledger::Entry;
pub use crate::domain::renewal::Contract;

pub struct CommissionPorts<'a> {
    pub table: &'a dyn Table,
    pub clock: &'a dyn Clock,
    pub rules: &'a Rules,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// entries written
    Applied {
        entries: usize,
    },
    AlreadyDone,
    /// the payment waits for its order
    Held,
    /// could not be applied; the reason is stored on the record
    Rejected(String),
}

#[derive(Debug, thiserror::Error)]
pub enum CommissionError {
    #[error("unknown {0}")]
    Unknown(String),
    /// worth retrying later (the message goes back to the queue)
    #[error("not yet: {0}")]
    NotYet(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where a set of entries comes from.
struct Source<'a> {
    kind: crate::domain::ledger::EntrySource,
    id: &'a str,
    order_id: &'a str,
    lead_id: Option<&'a str>,
    currency: &'a str,
    earned_at: DateTime<Utc>,
    /// the products paid for, with their line amounts: the entries' commission by product
    products: Vec<(String, Decimal)>,
}

/// The entries' puts and the payee registry; the entries' counters go on `tally`, whose writes
/// the caller adds once with everything else the transaction counts.
fn entry_writes(
    drafts: &[Draft],
    src: &Source,
    tally: &mut Tally,
    now: DateTime<Utc>,
) -> Result<Vec<Write>, StoreError> {
    let mut writes: Vec<Write> = drafts
        .iter()
        .map(|d| {
            let e = Entry {
                payee: d.payee.clone(),
                source: src.kind,
                source_id: src.id.into(),
                order_id: src.order_id.into(),
                component: d.component,
                base: d.base,
                rate: d.rate,
                amount: d.amount,
                currency: src.currency.into(),
                earned_at: src.earned_at,
                explanation: d.explanation.clone(),
                recorded_at: now,
                lead_id: src.lead_id.map(str::to_string),
                payout_id: None,
                tax_kind: Some(d.tax_kind),
            };
            Ok(repo::put_new(repo::item(&e)?))
        })
        .collect::<Result<_, StoreError>>()?;
    // the dashboards' counters move with the entries, once
    let month = aggregates::month_of(src.earned_at);
    for d in drafts {
        use aggregates::commission_counter;
        for component in [d.component.as_str(), "total"] {
            tally.add_money(
                &d.payee,
                &month,
                &commission_counter(src.currency, component),
                d.amount,
                src.currency,
            );
        }
        for (product, share) in aggregates::split_by_weight(d.amount, &src.products, src.currency) {
            tally.add_money(
                &d.payee,
                &month,
                &aggregates::product_counter(src.currency, &product),
                share,
                src.currency,
            );
        }
    }
    // every payee is registered, so that the monthly payout can enumerate them
    let mut payees: Vec<&str> = drafts.iter().map(|d| d.payee.as_str()).collect();
    payees.sort();
    payees.dedup();
    for p in payees {
        writes.push(Write::Put {
            item: repo::item(&repo::Payee {
                payee: p.to_string(),
                owed: true,
                marker: crate::ids::random_id(),
            })?,
            cond: None,
        });
    }
    Ok(writes)
}

async fn set_payment(table: &dyn Table, p: &Payment, status: Status, reason: Option<String>) -> Result<(), StoreError> {
    let mut next = repo::next_of(p);
    next.status = status;
    next.status_reason = reason;
    table
        .transact(vec![repo::put_if_version(repo::item(&next)?, p.version)])
        .await
}

pub async fn process_payment(ports: &CommissionPorts<'_>, payment_id: &str) -> Result<Outcome, CommissionError> {
    let mut tries = repo::Tries::default();
    while tries.again().await {
        let payment = get_payment(ports.table, payment_id)
            .await?
            .ok_or_else(|| CommissionError::Unknown(format!("payment {payment_id}")))?;
        match payment.status {
            Status::Processed => return Ok(Outcome::AlreadyDone),
            Status::Rejected => return Ok(Outcome::Rejected(payment.status_reason.clone().unwrap_or_default())),
            Status::Received | Status::Held => {}
        }
        let Some(order) = get_order(ports.table, &payment.facts.order_id).await? else {
            if payment.status == Status::Received {
                match set_payment(
                    ports.table,
                    &payment,
                    Status::Held,
                    Some("waiting for its order".into()),
                )
                .await
                {
                    Ok(()) => {}
                    Err(StoreError::TransactionCancelled { .. }) => continue,
                    Err(e) => return Err(e.into()),
                }
            }
            // the order may have arrived while the payment was being held: look once more
            if get_order(ports.table, &payment.facts.order_id).await?.is_some() {
                continue;
            }
            return Ok(Outcome::Held);
        };
        if order.facts.currency != payment.facts.currency {
            let reason = format!(
                "payment in {} but order {} is in {}",
                payment.facts.currency, order.facts.order_id, order.facts.currency
            );
            set_payment(ports.table, &payment, Status::Rejected, Some(reason.clone())).await?;
            return Ok(Outcome::Rejected(reason));
        }
        // an overpayment (possible when the payment came before its order, or raced another)
        // and amounts no decimal can hold are recorded as such and earn nothing
        let f = &payment.facts;
        let paid_before = order.earned.paid.get(f.kind.as_str()).copied().unwrap_or_default();
        let computed = match overpayment(&order.facts, f.kind, paid_before, f.amount) {
            Some(why) => Err(format!("overpayment: {why}")),
            None => for_payment(&order.deal, f.kind, f.amount, &order.earned, &ports.rules.commission)
                .map_err(|e| e.to_string()),
        };
        let (drafts, earned) = match computed {
            Ok(c) => c,
            Err(reason) => match set_payment(ports.table, &payment, Status::Rejected, Some(reason.clone())).await {
                Ok(()) => return Ok(Outcome::Rejected(reason)),
                Err(StoreError::TransactionCancelled { .. }) => continue,
                Err(e) => return Err(e.into()),
            },
        };
        match apply_payment(ports, &payment, &order, drafts, earned).await {
            Ok(n) => return Ok(Outcome::Applied { entries: n }),
            // the order or payment moved on meanwhile: read both again
            Err(StoreError::TransactionCancelled { .. }) | Err(StoreError::Throttled) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(CommissionError::NotYet(format!(
        "payment {payment_id}: too much contention"
    )))
}

async fn apply_payment(
    ports: &CommissionPorts<'_>,
    payment: &Payment,
    order: &Order,
    drafts: Vec<Draft>,
    earned: Earned,
) -> Result<usize, StoreError> {
    let now = ports.clock.now();
    let f = &payment.facts;
    let mut next_order = repo::next_of(order);
    next_order.earned = earned;
    next_order.payments.push(f.payment_id.clone());
    let mut next_payment = repo::next_of(payment);
    next_payment.status = Status::Processed;
    next_payment.status_reason = None;
    next_payment.entries = drafts.clone();
    let mut writes = vec![
        repo::put_if_version(repo::item(&next_order)?, order.version),
        repo::put_if_version(repo::item(&next_payment)?, payment.version),
    ];
    let source = Source {
        kind: crate::domain::ledger::EntrySource::Payment,
        id: &f.payment_id,
        order_id: &order.facts.order_id,
        lead_id: Some(&order.facts.lead_id),
        currency: &f.currency,
        earned_at: f.paid_at,
        products: order.facts.products(f.kind),
    };
    // the lead moves on: first payment → R006 (commission), a renewal → R008 (AMC collection)
    let stage = match f.kind {
        PaymentKind::Renewal => Some(Stage::R008),
        _ if order.payments.is_empty() => Some(Stage::R006),
        _ => None,
    };
    // the deal is won with its first payment: counted once, in the closer's win rate
    let mut won_by = None;
    let mut moved = None;
    if let Some(stage) = stage {
        if let Some(item) = ports.table.get(&repo::lead_key(&order.facts.lead_id)).await? {
            let lead: Lead = repo::record(item)?;
            let moves = advance_lead(&lead, stage, "billing", "payment.received", &f.payment_id, now)?;
            if !moves.is_empty() {
                moved = Some((stage, lead.created_at));
            }
            if stage == Stage::R006 && !moves.is_empty() {
                writes.push(repo::put_new(repo::item(&crate::domain::pipeline::DecidedDeal {
                    reseller_id: order.deal.closer.clone(),
                    lead_id: lead.lead_id.clone(),
                    won: true,
                    at: f.paid_at,
                })?));
                writes.extend(crate::usecases::quotes::won_discount_writes(&lead, f.paid_at)?);
                won_by = Some(order.deal.closer.clone());
            }
            writes.extend(moves);
        }
    }
    let mut tally = Tally::default();
    writes.extend(entry_writes(&drafts, &source, &mut tally, now)?);
    count_payment(&mut tally, f, order, &drafts, won_by.is_some(), moved);
    // a paid AMC starts the contract, renewing a year after the AMC start
    if f.kind == PaymentKind::Amc && !order.earned.paid.contains_key(PaymentKind::Amc.as_str()) {
        let renewal = f.paid_at.checked_add_months(Months::new(12)).unwrap_or(f.paid_at);
        let contract = Contract {
            contract_id: order.facts.order_id.clone(),
            order_id: order.facts.order_id.clone(),
            lead_id: order.facts.lead_id.clone(),
            reseller_id: order.deal.closer.clone(),
            customer: order.facts.customer.clone(),
            amc_amount: order.facts.total(ProductKind::Amc),
            currency: order.facts.currency.clone(),
            start: f.paid_at,
            renewal_date: renewal,
            signals: Default::default(),
            risk: None,
            version: 1,
        };
        count_contract(&mut tally, &contract);
        writes.push(repo::put_new(repo::item(&contract)?));
    }
    writes.extend(repo::tally_writes(tally));
    ports.table.transact(writes).await?;
    if let Some(closer) = won_by {
        if let Err(e) =
            crate::usecases::pipeline::refresh_outcomes(ports.table, &closer, &ports.rules.pipeline, now).await
        {
            tracing::warn!(reseller_id = %closer, error = %e, "win rate not refreshed");
        }
    }
    Ok(drafts.len())
}

/// What a payment counts besides its entries: the stage its lead moved to; a won deal (its
/// closer, licence value, hours since capture and any referrer's conversion); a renewal paid.
fn count_payment(
    tally: &mut Tally,
    f: &crate::domain::billing::PaymentFacts,
    order: &Order,
    drafts: &[Draft],
    won: bool,
    moved: Option<(Stage, DateTime<Utc>)>,
) {
    let month = aggregates::month_of(f.paid_at);
    // billing's moves are the closer's: the deal it is paid commission on
    let closer = order.deal.closer.as_str();
    if let Some((stage, _)) = &moved {
        tally.add(closer, &month, &aggregates::stage_counter(stage.code()), 1);
    }
    if won {
        tally.add(closer, &month, aggregates::WON, 1);
        let value = order.facts.total(ProductKind::Licence);
        tally.add_money(
            closer,
            &month,
            &aggregates::won_value_counter(&f.currency),
            value,
            &f.currency,
        );
        if let Some((_, captured)) = moved {
            tally.add(
                closer,
                &month,
                aggregates::CONVERSION_HOURS,
                (f.paid_at - captured).num_hours().max(0),
            );
        }
        let mut referrers: Vec<&str> = drafts
            .iter()
            .filter(|d| d.component == crate::domain::commission::Component::Referral)
            .map(|d| d.payee.as_str())
            .collect();
        referrers.dedup();
        for r in referrers {
            tally.add(r, &month, aggregates::REFERRAL_CONVERSIONS, 1);
        }
    }
    if f.kind == PaymentKind::Renewal {
        tally.add(closer, &month, aggregates::RENEWED, 1);
        tally.add_money(
            closer,
            &month,
            &aggregates::renewed_value_counter(&f.currency),
            f.amount,
            &f.currency,
        );
    }
}

/// A new AMC contract: the AMC base of its start month, and a renewal due in its renewal month.
fn count_contract(tally: &mut Tally, c: &Contract) {
    let start = aggregates::month_of(c.start);
    tally.add(&c.reseller_id, &start, aggregates::AMC_CONTRACTS, 1);
    tally.add_money(
        &c.reseller_id,
        &start,
        &aggregates::amc_base_counter(&c.currency),
        c.amc_amount,
        &c.currency,
    );
    tally.add(
        &c.reseller_id,
        &aggregates::month_of(c.renewal_date),
        aggregates::RENEWALS_DUE,
        1,
    );
}

pub async fn process_refund(ports: &CommissionPorts<'_>, refund_id: &str) -> Result<Outcome, CommissionError> {
    let mut tries = repo::Tries::default();
    while tries.again().await {
        let refund: Refund = get_refund(ports.table, refund_id)
            .await?
            .ok_or_else(|| CommissionError::Unknown(format!("refund {refund_id}")))?;
        if refund.status == Status::Processed {
            return Ok(Outcome::AlreadyDone);
        }
        if refund.status == Status::Rejected {
            return Ok(Outcome::Rejected(refund.status_reason.clone().unwrap_or_default()));
        }
        let payment = get_payment(ports.table, &refund.facts.payment_id)
            .await?
            .ok_or_else(|| CommissionError::Unknown(format!("payment {}", refund.facts.payment_id)))?;
        let refused = match payment.status {
            Status::Rejected => Some(format!(
                "payment {} was not applied, so there is nothing to refund",
                payment.facts.payment_id
            )),
            _ => None,
        };
        if let Some(reason) = refused {
            return reject_refund(ports.table, &refund, reason).await;
        }
        if payment.status != Status::Processed {
            return Err(CommissionError::NotYet(format!(
                "payment {} has not been applied yet",
                payment.facts.payment_id
            )));
        }
        let now = ports.clock.now();
        let mut next_refund = repo::next_of(&refund);
        let refundable = payment.facts.amount - payment.refunded;
        if refund.facts.amount > refundable {
            // two refunds raced past the API's check: the later one is refused, never applied
            let reason = format!(
                "refund of {} exceeds the {} left on payment {}",
                refund.facts.amount, refundable, payment.facts.payment_id
            );
            return reject_refund(ports.table, &refund, reason).await;
        }
        let drafts = match for_refund(
            &payment.entries,
            payment.facts.amount,
            payment.refunded,
            refund.facts.amount,
            &payment.facts.currency,
        ) {
            Ok(d) => d,
            Err(e) => return reject_refund(ports.table, &refund, e.to_string()).await,
        };
        let mut next_payment = repo::next_of(&payment);
        next_payment.refunded += refund.facts.amount;
        next_refund.status = Status::Processed;
        let mut writes = vec![
            repo::put_if_version(repo::item(&next_payment)?, payment.version),
            repo::put_if_version(repo::item(&next_refund)?, refund.version),
        ];
        let source = Source {
            kind: crate::domain::ledger::EntrySource::Refund,
            id: refund_id,
            order_id: &payment.facts.order_id,
            lead_id: None,
            currency: &payment.facts.currency,
            earned_at: refund.facts.refunded_at,
            products: get_order(ports.table, &payment.facts.order_id)
                .await?
                .map(|o| o.facts.products(payment.facts.kind))
                .unwrap_or_default(),
        };
        let mut tally = Tally::default();
        writes.extend(entry_writes(&drafts, &source, &mut tally, now)?);
        writes.extend(repo::tally_writes(tally));
        match ports.table.transact(writes).await {
            Ok(()) => return Ok(Outcome::Applied { entries: drafts.len() }),
            Err(StoreError::TransactionCancelled { .. }) | Err(StoreError::Throttled) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(CommissionError::NotYet(format!(
        "refund {refund_id}: too much contention"
    )))
}

/// Records a refund as refused, with the reason (it is never applied). A concurrent change
/// of the refund is reported as contention (`NotYet`): the message comes back and looks again.
async fn reject_refund(table: &dyn Table, refund: &Refund, reason: String) -> Result<Outcome, CommissionError> {
    let mut next = repo::next_of(refund);
    next.status = Status::Rejected;
    next.status_reason = Some(reason.clone());
    match table
        .transact(vec![repo::put_if_version(repo::item(&next)?, refund.version)])
        .await
    {
        Ok(()) => Ok(Outcome::Rejected(reason)),
        Err(StoreError::TransactionCancelled { .. }) => Err(CommissionError::NotYet(format!(
            "refund {} changed meanwhile",
            refund.facts.refund_id
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Validates `YYYY-MM`.
pub fn parse_month(month: &str) -> Option<(i32, u32)> {
    let (y, m) = month.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let (y, m) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
    chrono::NaiveDate::from_ymd_opt(y, m, 1).map(|d| (d.year(), d.month()))
}

/// A payee's entries earned in a month (UTC), oldest first.
pub async fn ledger_month(table: &dyn Table, payee: &str, month: &str) -> Result<Vec<Entry>, StoreError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let q = Query::new(repo::ledger_pk(payee))
            .sk(SkRange::BeginsWith(repo::ledger_month_prefix(month)))
            .after(cursor);
        let page = table.query(&q).await?;
        for item in page.items {
            out.push(repo::record::<Entry>(item)?);
        }
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// Totals per currency, then per component: amounts of different currencies are never added.
pub fn totals(entries: &[Entry]) -> BTreeMap<String, BTreeMap<String, Decimal>> {
    let mut t: BTreeMap<String, BTreeMap<String, Decimal>> = BTreeMap::new();
    for e in entries {
        *t.entry(e.currency.clone())
            .or_default()
            .entry(e.component.to_string())
            .or_default() += e.amount;
    }
    t
}

/// Decimal amounts as strings, for JSON.
pub fn money_json(t: &BTreeMap<String, Decimal>) -> Value {
    Value::Object(
        t.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.to_string())))
            .collect(),
    )
}

/// What a reseller has earned in `currency` and not yet been paid (its unpaid ledger entries).
pub async fn unpaid_total(table: &dyn Table, reseller_id: &str, currency: &str) -> Result<Decimal, StoreError> {
    Ok(repo::query_all(
        table,
        Query::new(repo::unpaid_index_pk(reseller_id)).index(crate::ports::table::Index::Gsi2),
    )
    .await?
    .into_iter()
    .filter_map(|i| repo::record::<crate::domain::ledger::Entry>(i).ok())
    .filter(|e| e.currency == currency)
    .map(|e| e.amount)
    .sum())
}
