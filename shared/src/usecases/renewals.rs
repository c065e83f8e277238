//! AMC renewals: health signals recorded against a contract, and the nightly scan that reads
//! only the contracts renewing in the window (a key-range query on the renewal date), scores
//! their risk and alerts the owning reseller once per renewal cycle — again only if it rises.

use crate::domain::field::FieldError;
use crate::domain::renewal::{india_date, risk, LatePayment, Signals, SupportTicket, UsageSnapshot};
use crate::domain::reseller::Reseller;
use crate::ports::table::{Index, Query, SkRange, StoreError, Table};
use crate::ports::{Clock, Mailer};
use crate::repo;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub async fn get_contract(table: &dyn Table, id: &str) -> Result<Option<Contract>, StoreError> {
    match table.get(&repo::contract_key(id)).await? {
        Some(item) => Ok(Some(repo::record(item)?)),
        None => Ok(None),
    }
}

pub use crate::domain::renewal::{Contract, RiskState, Signal};

#[derive(Debug, Deserialize)]
pub struct SignalIn {
    pub signal_id: Option<String>,
    #[serde(flatten)]
    pub signal: Value,
}

fn field_error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// Reads a signal; every problem reported at once.
pub fn validate_signal(input: &SignalIn) -> Result<(String, Signal), Vec<FieldError>> {
    let mut errors = Vec::new();
    let id = crate::domain::billing::id("signal_id", &input.signal_id, &mut errors);
    let kinds = ["support_ticket", "usage", "late_payment", "reseller_contact"];
    let kind = input.signal.get("type").and_then(Value::as_str).unwrap_or("");
    if !kinds.contains(&kind) {
        errors.push(field_error("type", &format!("must be one of {}", kinds.join(", "))));
    }
    // the date and the free-text ids are checked first, so that each error names its field
    let at = input
        .signal
        .get("at")
        .map(|v| v.as_str().map(str::to_string).unwrap_or_default());
    crate::domain::billing::timestamp("at", &at, &mut errors);
    for field in ["ticket_id", "invoice_id"] {
        if let Some(v) = input.signal.get(field) {
            crate::domain::billing::id(field, &v.as_str().map(str::to_string), &mut errors);
        }
    }
    let signal: Option<Signal> = match serde_json::from_value(input.signal.clone()) {
        Ok(s) => Some(s),
        Err(_) if !errors.is_empty() => None,
        Err(e) => {
            // "missing field `ticket_id`" names its field; anything else is about the kind
            let text = e.to_string();
            let field = text
                .split('`')
                .nth(1)
                .filter(|_| text.starts_with("missing field"))
                .unwrap_or("type")
                .to_string();
            errors.push(field_error(&field, &format!("{kind}: {text}")));
            None
        }
    };
    if let Some(Signal::SupportTicket {
        severity,
        status,
        level,
        ..
    }) = &signal
    {
        if level.is_some_and(|l| !(1..=3).contains(&l)) {
            errors.push(field_error("level", "must be 1, 2 or 3"));
        }
        if !["low", "medium", "high", "critical"].contains(&severity.as_str()) {
            errors.push(field_error("severity", "must be low, medium, high or critical"));
        }
        if !["opened", "closed"].contains(&status.as_str()) {
            errors.push(field_error("status", "must be opened or closed"));
        }
    }
    if let Some(Signal::Usage {
        active_users,
        licensed_users,
        ..
    }) = &signal
    {
        if licensed_users == &0 || active_users > &(licensed_users * 10) {
            errors.push(field_error(
                "licensed_users",
                "must be positive (and active users plausible)",
            ));
        }
    }
    match (errors.is_empty(), signal) {
        (true, Some(signal)) => Ok((id, signal)),
        _ => Err(errors),
    }
}

/// Folds a signal into the contract's kept signals (bounded: recent tickets, two snapshots).
pub fn apply_signal(s: &mut Signals, signal: &Signal) {
    match signal {
        Signal::SupportTicket {
            ticket_id,
            severity,
            status,
            at,
            level,
        } => {
            let closed = (status == "closed").then_some(*at);
            match s.tickets.iter_mut().find(|t| &t.ticket_id == ticket_id) {
                Some(t) => {
                    t.severity = severity.clone();
                    if closed.is_some() {
                        t.closed_at = closed;
                    }
                    t.level = t.level.max(*level);
                }
                None => s.tickets.push(SupportTicket {
                    ticket_id: ticket_id.clone(),
                    severity: severity.clone(),
                    opened_at: *at,
                    closed_at: closed,
                    level: *level,
                }),
            }
            let horizon = *at - Duration::days(180);
            s.tickets.retain(|t| t.opened_at >= horizon || t.closed_at.is_none());
        }
        Signal::Usage {
            active_users,
            licensed_users,
            at,
        } => {
            s.usage.push(UsageSnapshot {
                at: *at,
                active_users: *active_users,
                licensed_users: *licensed_users,
            });
            s.usage.sort_by_key(|u| u.at);
            let extra = s.usage.len().saturating_sub(2);
            s.usage.drain(..extra);
        }
        Signal::LatePayment {
            invoice_id,
            days_late,
            at,
        } => {
            s.late_payments.retain(|l| &l.invoice_id != invoice_id);
            s.late_payments.push(LatePayment {
                invoice_id: invoice_id.clone(),
                days_late: *days_late,
                at: *at,
            });
            let extra = s.late_payments.len().saturating_sub(12);
            s.late_payments.drain(..extra);
        }
        Signal::ResellerContact { at } => {
            s.last_reseller_contact = Some(s.last_reseller_contact.map_or(*at, |l| l.max(*at)));
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SignalOutcome {
    Recorded,
    Replay,
    Conflict,
    UnknownContract,
}

/// Stores the signal (once per id) and folds it into the contract, in one transaction.
pub async fn record_signal(
    table: &dyn Table,
    clock: &dyn Clock,
    contract_id: &str,
    id: &str,
    signal: &Signal,
    request_hash: &str,
) -> Result<SignalOutcome, StoreError> {
    let key = repo::signal_key(contract_id, id);
    let mut tries = repo::Tries::default();
    while tries.again().await {
        if let Some(existing) = table.get(&key).await? {
            return Ok(
                if repo::string_attr(&existing, "request_hash").as_deref() == Some(request_hash) {
                    SignalOutcome::Replay
                } else {
                    SignalOutcome::Conflict
                },
            );
        }
        let Some(contract) = get_contract(table, contract_id).await? else {
            return Ok(SignalOutcome::UnknownContract);
        };
        let mut next = repo::next_of(&contract);
        apply_signal(&mut next.signals, signal);
        let item = repo::item(&repo::SignalRecord {
            contract_id: contract_id.to_string(),
            signal_id: id.to_string(),
            signal: signal.clone(),
            request_hash: request_hash.to_string(),
            received_at: clock.now(),
        })?;
        match table
            .transact(vec![
                repo::put_new(item),
                repo::put_if_version(repo::item(&next)?, contract.version),
            ])
            .await
        {
            Ok(()) => return Ok(SignalOutcome::Recorded),
            Err(StoreError::TransactionCancelled { .. }) | Err(StoreError::Throttled) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Throttled)
}

/// The contract, every signal received, and its renewal-risk tickets.
pub async fn contract_view(table: &dyn Table, contract_id: &str) -> Result<Option<Value>, StoreError> {
    let Some(contract) = get_contract(table, contract_id).await? else {
        return Ok(None);
    };
    let mut signals = Vec::new();
    let mut tickets = Vec::new();
    let mut cursor = None;
    loop {
        let page = table
            .query(&Query::new(repo::contract_key(contract_id).pk).after(cursor))
            .await?;
        for item in page.items {
            match item.get("entity").and_then(Value::as_str) {
                Some("signal") => signals.push(item.get("signal").cloned().unwrap_or(Value::Null)),
                Some("renewal_risk_ticket") => tickets.push(Value::Object(
                    item.into_iter()
                        .filter(|(k, _)| !matches!(k.as_str(), "pk" | "sk" | "entity"))
                        .collect(),
                )),
                _ => {}
            }
        }
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(Some(json!({
        "contract_id": contract.contract_id, "order_id": contract.order_id, "lead_id": contract.lead_id,
        "reseller_id": contract.reseller_id, "customer": contract.customer,
        "amc_amount": contract.amc_amount.to_string(), "currency": contract.currency,
        "start": contract.start, "renewal_date": india_date(contract.renewal_date),
        "signals": signals, "health": contract.signals, "risk": contract.risk, "risk_tickets": tickets,
    })))
}

pub struct ScanPorts<'a> {
    pub table: &'a dyn Table,
    pub mailer: &'a dyn Mailer,
    pub clock: &'a dyn Clock,
    pub rules: &'a crate::config::Rules,
    pub mail_from: &'a str,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScanReport {
    /// contracts read from the renewal index (all of them in the window: no scan)
    pub read: usize,
    pub at_risk: usize,
    pub alerted: usize,
    pub failed: usize,
}

/// The nightly scan. `now` decides the window: contracts renewing from today to today + 60.
pub async fn scan(ports: &ScanPorts<'_>, now: DateTime<Utc>) -> Result<ScanReport, StoreError> {
    let r = &ports.rules.renewal;
    let today = india_date(now);
    let last = today + Duration::days(r.window_days);
    // `YYYY-MM-DD#id`: from today's first id to the window's last day, inclusive
    let (from, to) = repo::renewal_range(today, last);
    let range = SkRange::Between(from, to);
    let mut report = ScanReport::default();
    let mut cursor = None;
    loop {
        let page = ports
            .table
            .query(
                &Query::new(repo::RENEWALS_INDEX_PK)
                    .index(Index::Gsi1)
                    .sk(range.clone())
                    .limit(500)
                    .after(cursor),
            )
            .await?;
        for item in page.items {
            report.read += 1;
            let contract: Contract = repo::record(item)?;
            match assess(ports, &contract, now).await {
                Ok(Assessed::Below) => {}
                Ok(Assessed::Known) => report.at_risk += 1,
                Ok(Assessed::Alerted) => {
                    report.at_risk += 1;
                    report.alerted += 1;
                }
                Err(e) => {
                    report.failed += 1;
                    tracing::error!(contract_id = %contract.contract_id, error = %e, "renewal risk not assessed");
                }
            }
        }
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(report),
        }
    }
}

enum Assessed {
    Below,
    /// at risk, the reseller already alerted at this score or higher
    Known,
    Alerted,
}

/// Why a contract's assessment could not finish (the scan counts it as failed and goes on).
#[derive(Debug, thiserror::Error)]
pub enum AssessError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("owning reseller {0} not found")]
    UnknownReseller(String),
    #[error("composing the alert: {0}")]
    Compose(String),
}

async fn assess(ports: &ScanPorts<'_>, contract: &Contract, now: DateTime<Utc>) -> Result<Assessed, AssessError> {
    let rules = &ports.rules.renewal;
    let renewal = india_date(contract.renewal_date);
    let cycle = renewal.to_string();
    let risk = risk(&contract.signals, renewal, now, rules);
    if risk.score < rules.threshold {
        return Ok(Assessed::Below);
    }
    let previous = contract.risk.as_ref().filter(|s| s.cycle == cycle);
    if previous.is_some_and(|p| p.notified_score >= risk.score) {
        return Ok(Assessed::Known);
    }
    let state = RiskState {
        cycle: cycle.clone(),
        score: risk.score,
        reasons: risk.reasons.clone(),
        assessed_at: now,
        notified_score: risk.score,
    };
    let mut next = repo::next_of(contract);
    next.risk = Some(state.clone());
    let ticket = repo::RiskTicket {
        contract_id: contract.contract_id.clone(),
        cycle: cycle.clone(),
        score: risk.score,
        reasons: risk.reasons.clone(),
        status: repo::RiskTicketStatus::Open,
        reseller_id: contract.reseller_id.clone(),
        updated_at: now,
        first_flagged_at: previous.map(|p| p.assessed_at).unwrap_or(now),
    };
    // the contract's version guards the alert: of two scans racing, one commits and alerts
    let mut writes = vec![
        repo::put_if_version(repo::item(&next)?, contract.version),
        crate::ports::table::Write::Put {
            item: repo::item(&ticket)?,
            cond: None,
        },
    ];
    if previous.is_none() {
        // first flagged in this cycle: counted once, with the flag
        let mut tally = crate::domain::aggregates::Tally::default();
        tally.add(
            &contract.reseller_id,
            &crate::domain::aggregates::month_of(now),
            crate::domain::aggregates::RENEWALS_AT_RISK,
            1,
        );
        writes.extend(repo::tally_writes(tally));
    }
    // the alert is owed with the flag, in its transaction, and sent at least once
    let reseller: Reseller = repo::get_record(ports.table, &repo::reseller_key(&contract.reseller_id))
        .await?
        .ok_or_else(|| AssessError::UnknownReseller(contract.reseller_id.clone()))?;
    let (_, mime) = crate::mail::renewal_alert(
        ports.mail_from,
        &reseller,
        contract,
        &state,
        previous.map(|p| p.notified_score),
        now,
    )
    .map_err(|e| AssessError::Compose(e.to_string()))?;
    let (letter, owe) = super::outbox::owe_to(
        &format!("renewal-{}-{cycle}-{}", contract.contract_id, risk.score),
        ports.mail_from,
        &reseller.email,
        &mime,
        now,
    )?;
    writes.push(owe);
    match ports.table.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::TransactionCancelled { .. }) => return Ok(Assessed::Known),
        Err(e) => return Err(e.into()),
    }
    // a failed send stays owed: the outbox sweeper has it
    let _ = super::outbox::deliver(ports.table, ports.mailer, &letter, now).await;
    Ok(Assessed::Alerted)
}
