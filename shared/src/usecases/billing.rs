//! Recording what billing systems send — orders, payments, refunds — exactly once per id:
//! the same id with the same body is a replay, with another body a conflict. Payments and
//! refunds are queued to the commission step; an order releases payments that arrived first.

use crate::domain::audit::AuditEvent;
use crate::domain::billing::{not_in_future, overpayment, OrderFacts, PaymentFacts, RefundFacts};
use crate::domain::catalogue::ProductKind;
use crate::domain::commission::{Deal, Earned};
use crate::domain::field::FieldError;
use crate::domain::lead::Lead;
use crate::domain::reseller::Reseller;
use crate::domain::stage::Stage;
use crate::events::{Envelope, Event, PaymentReceived, RefundReceived};
use crate::ids::new_id;
use crate::ports::table::{Index, Item, Key, Query, StoreError, Table, Write};
use crate::ports::{Clock, QueueSender};
use crate::repo;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::json;

pub use crate::events::{PAYMENT_RECEIVED, REFUND_RECEIVED};

pub use crate::domain::billing::{Order, Payment, Refund, Status};

pub struct BillingPorts<'a> {
    pub table: &'a dyn Table,
    pub queue: &'a dyn QueueSender,
    pub clock: &'a dyn Clock,
    pub commission_queue: &'a str,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    Accepted,
    /// the same id with the same body, seen before
    Replay,
}

#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("queue: {0}")]
    Queue(String),
}

fn invalid(field: &str, message: &str) -> BillingError {
    BillingError::Invalid(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }])
}

use crate::repo::get_record as get;

/// Same id seen before: a replay if the body matches, else a conflict.
fn replay_or_conflict(kind: &str, id: &str, stored_hash: &str, request_hash: &str) -> Result<Recorded, BillingError> {
    if stored_hash == request_hash {
        Ok(Recorded::Replay)
    } else {
        Err(BillingError::Conflict(format!(
            "{kind} {id} was already received with a different body"
        )))
    }
}

/// The answer for an id seen before, if it was: a replay (same body) or a conflict; with the
/// stored record.
async fn seen_before(
    table: &dyn Table,
    key: &Key,
    kind: &str,
    id: &str,
    request_hash: &str,
) -> Result<Option<(Recorded, Item)>, BillingError> {
    match table.get(key).await? {
        Some(item) => {
            let stored = repo::string_attr(&item, "request_hash").unwrap_or_default();
            let answer = replay_or_conflict(kind, id, &stored, request_hash)?;
            Ok(Some((answer, item)))
        }
        None => Ok(None),
    }
}

/// Stores a new record once per id; a concurrent first write of the same id decides the answer.
async fn put_once(
    table: &dyn Table,
    key: &Key,
    item: Item,
    kind: &str,
    id: &str,
    request_hash: &str,
) -> Result<Recorded, BillingError> {
    match table.put(item, Some(crate::ports::table::Cond::NotExists)).await {
        Ok(()) => Ok(Recorded::Accepted),
        Err(StoreError::ConditionFailed) => seen_before(table, key, kind, id, request_hash)
            .await?
            .map(|(answer, _)| answer)
            .ok_or(BillingError::Store(StoreError::Throttled)),
        Err(e) => Err(e.into()),
    }
}

async fn enqueue(ports: &BillingPorts<'_>, event: Event, id: &str) -> Result<(), BillingError> {
    let event_id = format!("{}-{id}", event.kind());
    let env = Envelope::new(event, event_id, ports.clock.now(), id);
    let body = env.to_body().map_err(|e| BillingError::Queue(e.to_string()))?;
    ports
        .queue
        .send(ports.commission_queue, body)
        .await
        .map_err(|e| BillingError::Queue(e.to_string()))?;
    Ok(())
}

/// A replay of a payment or refund not applied yet queues it again: its first message may have
/// been lost between the record and the queue (a crash, a failed send), and applying is once.
async fn requeue_if_unapplied(
    ports: &BillingPorts<'_>,
    stored: &Item,
    event: Event,
    id: &str,
) -> Result<(), BillingError> {
    if repo::string_attr(stored, "status").as_deref() == Some("received") {
        enqueue(ports, event, id).await?;
    }
    Ok(())
}

fn payment_received(payment_id: &str) -> Event {
    Event::PaymentReceived(PaymentReceived {
        payment_id: payment_id.to_string(),
    })
}

/// The writes that move a lead forward to `to` (a system move, recorded), or none if it is
/// already there or beyond.
pub fn advance_lead(
    lead: &Lead,
    to: Stage,
    actor: &str,
    action: &str,
    correlation_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Write>, StoreError> {
    if lead.stage >= to || lead.closed_lost {
        return Ok(vec![]);
    }
    let mut next = repo::next_of(lead);
    next.stage = to;
    next.updated_at = now;
    let audit = AuditEvent {
        event_id: new_id(now),
        at: now,
        actor: actor.into(),
        role: None,
        action: action.into(),
        before: Some(json!({"stage": lead.stage.code(), "progress": lead.stage.progress()})),
        after: Some(json!({"stage": to.code(), "progress": to.progress()})),
        correlation_id: correlation_id.into(),
        detail: format!("{} → {} ({})", lead.stage.code(), to.code(), to.name()),
    };
    let mut writes = repo::lead_put(Some(lead), &next)?;
    writes.push(repo::put_new(repo::item(&repo::LeadAudit {
        lead_id: &lead.lead_id,
        event: &audit,
    })?));
    Ok(writes)
}

/// The deal's licence value and sell price. A margin reseller (seed 001) sells at its own
/// price — the order's licence lines, what the customer pays — and buys at its channel price
/// for each product (its terms): it earns the difference. Everyone else: the licence lines.
fn margin_prices(closer: &Reseller, facts: &OrderFacts) -> Result<(Decimal, Option<Decimal>), BillingError> {
    let sell = facts.total(ProductKind::Licence);
    if closer.plan != crate::domain::commission::Plan::Margin {
        return Ok((sell, facts.sell_price));
    }
    if facts.sell_price.is_some_and(|p| p != sell) {
        return Err(invalid(
            "sell_price",
            "a margin reseller's licence lines are its sell price; sell_price, when sent, must equal them",
        ));
    }
    let prices = closer
        .terms
        .as_ref()
        .map(|t| crate::domain::application::channel_price_map(&t.channel_prices))
        .unwrap_or_default();
    let mut channel = Decimal::ZERO;
    for (i, line) in facts
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.kind == ProductKind::Licence)
    {
        match prices.get(&line.product) {
            Some(p) => channel += *p,
            None => {
                return Err(invalid(
                    &format!("lines[{i}].product"),
                    &format!(
                        "reseller {} has no channel price for {}",
                        closer.reseller_id, line.product
                    ),
                ))
            }
        }
    }
    Ok((channel, Some(sell)))
}

pub async fn record_order(
    ports: &BillingPorts<'_>,
    facts: OrderFacts,
    request_hash: &str,
) -> Result<Recorded, BillingError> {
    let key = repo::order_key(&facts.order_id);
    let mut tries = repo::Tries::default();
    while tries.again().await {
        if let Some((answer, _)) = seen_before(ports.table, &key, "order", &facts.order_id, request_hash).await? {
            // the first time may have stopped before releasing the payments that waited for it
            release_held(ports, &facts.order_id).await?;
            return Ok(answer);
        }
        let closer: Reseller = get(ports.table, &repo::reseller_key(&facts.reseller_id))
            .await?
            .ok_or_else(|| invalid("reseller_id", "unknown reseller"))?;
        if let Some(r) = &facts.referring_reseller_id {
            if get::<Reseller>(ports.table, &repo::reseller_key(r)).await?.is_none() {
                return Err(invalid("referring_reseller_id", "unknown reseller"));
            }
        }
        let customer_referrer = match &facts.referral_code {
            Some(code) => Some(
                ports
                    .table
                    .get(&repo::referral_code_key(code))
                    .await?
                    .and_then(|i| repo::string_attr(&i, "reseller_id"))
                    .ok_or_else(|| invalid("referral_code", "unknown referral code"))?,
            ),
            None => None,
        };
        let lead: Lead = get(ports.table, &repo::lead_key(&facts.lead_id))
            .await?
            .ok_or_else(|| invalid("lead_id", "unknown lead"))?;
        // the deal is closed by the reseller the lead belongs to (a lead nobody owns yet, in
        // the admin queue, may be closed by whoever the billing system names)
        if let Some(owner) = lead.owner_reseller_id.as_deref() {
            if owner != facts.reseller_id {
                return Err(invalid(
                    "reseller_id",
                    &format!(
                        "lead {} belongs to reseller {owner}, not to {}",
                        facts.lead_id, facts.reseller_id
                    ),
                ));
            }
        }
        let now = ports.clock.now();
        let (licence_value, sell_price) = margin_prices(&closer, &facts)?;
        let order = Order {
            deal: Deal {
                currency: facts.currency.clone(),
                licence_value,
                closer: closer.reseller_id.clone(),
                closer_tier: closer.tier,
                closer_plan: closer.plan.clone(),
                parent: closer.parent_reseller_id.clone(),
                ancestors: crate::usecases::resellers::ancestors_of(ports.table, &closer).await?,
                rates: closer.terms.as_ref().and_then(|t| t.rates.clone()),
                referring_reseller: facts.referring_reseller_id.clone(),
                customer_referrer,
                sell_price,
            },
            facts: facts.clone(),
            earned: Earned::default(),
            payments: vec![],
            request_hash: request_hash.to_string(),
            received_at: now,
            version: 1,
        };
        let mut writes = vec![repo::put_new(repo::item(&order)?)];
        writes.extend(advance_lead(
            &lead,
            Stage::R005,
            "billing",
            "order.received",
            &facts.order_id,
            now,
        )?);
        match ports.table.transact(writes).await {
            Ok(()) => {
                release_held(ports, &facts.order_id).await?;
                return Ok(Recorded::Accepted);
            }
            // the order appeared meanwhile (a concurrent post), or the lead moved: look again
            Err(StoreError::TransactionCancelled { .. }) | Err(StoreError::Throttled) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(BillingError::Store(StoreError::Throttled))
}

/// Payments that arrived before their order go back to the commission step.
async fn release_held(ports: &BillingPorts<'_>, order_id: &str) -> Result<(), BillingError> {
    let mut cursor = None;
    loop {
        let page = ports
            .table
            .query(
                &Query::new(repo::held_index_pk(order_id))
                    .index(Index::Gsi1)
                    .after(cursor),
            )
            .await?;
        for item in page.items {
            if let Some(id) = repo::string_attr(&item, "payment_id") {
                enqueue(ports, payment_received(&id), &id).await?;
            }
        }
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(()),
        }
    }
}

/// Every record on an index partition, following the pages.
async fn all_on_index<T: serde::de::DeserializeOwned>(
    table: &dyn Table,
    index: Index,
    pk: String,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = table.query(&Query::new(pk.clone()).index(index).after(cursor)).await?;
        for item in page.items {
            out.push(repo::record(item)?);
        }
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// Every payment recorded for an order, whatever its status.
pub async fn order_payments(table: &dyn Table, order_id: &str) -> Result<Vec<Payment>, StoreError> {
    all_on_index(table, Index::Gsi2, repo::order_payments_index_pk(order_id)).await
}

/// Every refund recorded for a payment, whatever its status.
pub async fn payment_refunds(table: &dyn Table, payment_id: &str) -> Result<Vec<Refund>, StoreError> {
    all_on_index(table, Index::Gsi2, repo::payment_refunds_index_pk(payment_id)).await
}

pub async fn record_payment(
    ports: &BillingPorts<'_>,
    facts: PaymentFacts,
    request_hash: &str,
) -> Result<Recorded, BillingError> {
    let key = repo::payment_key(&facts.payment_id);
    if let Some((answer, stored)) = seen_before(ports.table, &key, "payment", &facts.payment_id, request_hash).await? {
        requeue_if_unapplied(ports, &stored, payment_received(&facts.payment_id), &facts.payment_id).await?;
        return Ok(answer);
    }
    not_in_future("paid_at", facts.paid_at, ports.clock.now()).map_err(|e| BillingError::Invalid(vec![e]))?;
    if let Some(order) = get::<Order>(ports.table, &repo::order_key(&facts.order_id)).await? {
        if order.facts.currency != facts.currency {
            return Err(invalid(
                "currency",
                &format!("order {} is in {}", facts.order_id, order.facts.currency),
            ));
        }
        let already = paid_or_queued(ports.table, order, &facts).await?;
        if let Some(why) = overpayment(&already.0, facts.kind, already.1, facts.amount) {
            return Err(invalid("amount", &why));
        }
    }
    let payment = Payment {
        facts: facts.clone(),
        status: Status::Received,
        status_reason: None,
        entries: vec![],
        refunded: Decimal::ZERO,
        request_hash: request_hash.to_string(),
        received_at: ports.clock.now(),
        version: 1,
    };
    let item = repo::item(&payment)?;
    if put_once(ports.table, &key, item, "payment", &facts.payment_id, request_hash).await? == Recorded::Replay {
        return Ok(Recorded::Replay);
    }
    enqueue(ports, payment_received(&facts.payment_id), &facts.payment_id).await?;
    Ok(Recorded::Accepted)
}

/// What was applied of the payment's kind on its order, plus what is queued and not yet
/// applied — read until the order did not change meanwhile, so that a payment applied between
/// the two reads is counted once (the commission step checks again when it applies the payment:
/// two racing payments both pass here).
async fn paid_or_queued(
    table: &dyn Table,
    mut order: Order,
    facts: &PaymentFacts,
) -> Result<(OrderFacts, Decimal), StoreError> {
    let mut attempts = 0;
    loop {
        let queued: Decimal = order_payments(table, &facts.order_id)
            .await?
            .iter()
            .filter(|p| p.status.is_waiting() && p.facts.kind == facts.kind && p.facts.payment_id != facts.payment_id)
            .map(|p| p.facts.amount)
            .sum();
        let applied = order.earned.paid.get(facts.kind.as_str()).copied().unwrap_or_default();
        attempts += 1;
        match get::<Order>(table, &repo::order_key(&facts.order_id)).await? {
            Some(again) if again.version != order.version && attempts < 3 => order = again,
            _ => return Ok((order.facts, applied + queued)),
        }
    }
}

pub async fn record_refund(
    ports: &BillingPorts<'_>,
    facts: RefundFacts,
    request_hash: &str,
) -> Result<Recorded, BillingError> {
    let key = repo::refund_key(&facts.refund_id);
    if let Some((answer, stored)) = seen_before(ports.table, &key, "refund", &facts.refund_id, request_hash).await? {
        let event = Event::RefundReceived(RefundReceived {
            refund_id: facts.refund_id.clone(),
        });
        requeue_if_unapplied(ports, &stored, event, &facts.refund_id).await?;
        return Ok(answer);
    }
    not_in_future("refunded_at", facts.refunded_at, ports.clock.now()).map_err(|e| BillingError::Invalid(vec![e]))?;
    let payment: Payment = get(ports.table, &repo::payment_key(&facts.payment_id))
        .await?
        .ok_or_else(|| invalid("payment_id", "unknown payment"))?;
    if facts.refunded_at < payment.facts.paid_at {
        return Err(invalid(
            "refunded_at",
            &format!(
                "is before payment {} was made ({})",
                payment.facts.payment_id,
                payment.facts.paid_at.to_rfc3339()
            ),
        ));
    }
    if payment.status == Status::Rejected {
        return Err(invalid(
            "payment_id",
            &format!(
                "payment {} was not applied, so there is nothing to refund",
                payment.facts.payment_id
            ),
        ));
    }
    // refunds accepted but not yet applied count too: the commission step would refuse them
    let queued: Decimal = payment_refunds(ports.table, &facts.payment_id)
        .await?
        .iter()
        .filter(|r| r.status.is_waiting() && r.facts.refund_id != facts.refund_id)
        .map(|r| r.facts.amount)
        .sum();
    let refundable = (payment.facts.amount - payment.refunded - queued).max(Decimal::ZERO);
    if facts.amount > refundable {
        return Err(invalid(
            "amount",
            &format!(
                "refund of {} is more than the {} {} left to refund on payment {}",
                facts.amount, refundable, payment.facts.currency, payment.facts.payment_id
            ),
        ));
    }
    let refund = Refund {
        facts: facts.clone(),
        status: Status::Received,
        status_reason: None,
        request_hash: request_hash.to_string(),
        received_at: ports.clock.now(),
        version: 1,
    };
    let item = repo::item(&refund)?;
    if put_once(ports.table, &key, item, "refund", &facts.refund_id, request_hash).await? == Recorded::Replay {
        return Ok(Recorded::Replay);
    }
    enqueue(
        ports,
        Event::RefundReceived(RefundReceived {
            refund_id: facts.refund_id.clone(),
        }),
        &facts.refund_id,
    )
    .await?;
    Ok(Recorded::Accepted)
}

pub async fn get_order(table: &dyn Table, order_id: &str) -> Result<Option<Order>, StoreError> {
    get(table, &repo::order_key(order_id)).await
}

pub async fn get_payment(table: &dyn Table, payment_id: &str) -> Result<Option<Payment>, StoreError> {
    get(table, &repo::payment_key(payment_id)).await
}

pub async fn get_refund(table: &dyn Table, refund_id: &str) -> Result<Option<Refund>, StoreError> {
    get(table, &repo::refund_key(refund_id)).await
}
