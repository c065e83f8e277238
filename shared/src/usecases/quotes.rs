//! Quotes for a lead (SPEC §12): priced from the catalogue, with the owner's commission estimate
//! and a pricing recommendation; a discount beyond the tier's limit waits for an admin. Each
//! quote is one transaction with its lead (the latest quote, the stage it moves to) and the
//! lead's audit events.

use crate::domain::commission::{CommissionRules, Deal};
use crate::domain::field::FieldError;
use crate::domain::lead::Lead;
use crate::domain::quote::{
    estimate, needs_approval, price, recommend, Decision, Quote, QuoteRef, QuoteRules, QuoteStatus, QuoteTerms,
    Recommendation, WonDiscount,
};
use crate::domain::reseller::Reseller;
use crate::domain::stage::Stage;
use crate::ids::new_id;
use crate::ports::table::{Index, Query, SkRange, StoreError, Table, Write};
use crate::ports::Clock;
use crate::repo;
use crate::usecases::pipeline::{audit, lead_writes, own_lead, raced, Asker, PipelineError};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

pub struct QuotePorts<'a> {
    pub table: &'a dyn Table,
    pub clock: &'a dyn Clock,
    pub quotes: &'a QuoteRules,
    pub commission: &'a CommissionRules,
    /// what billing accepts: no quote is larger
    pub billing: &'a crate::domain::billing::BillingLimits,
}

fn conflict(m: impl Into<String>) -> PipelineError {
    PipelineError::Conflict(m.into())
}

/// The deal the quote would become, as the order would fix it (no referrer is known yet). A
/// margin reseller's quote is its sell price; it buys at its channel prices.
pub(crate) fn deal_of(
    reseller: &Reseller,
    currency: &str,
    lines: &[crate::domain::quote::QuoteLine],
    licence: rust_decimal::Decimal,
) -> Deal {
    let margin = reseller.plan == crate::domain::commission::Plan::Margin;
    let prices = reseller
        .terms
        .as_ref()
        .map(|t| crate::domain::application::channel_price_map(&t.channel_prices))
        .unwrap_or_default();
    let channel: rust_decimal::Decimal = lines
        .iter()
        .filter(|l| l.kind == crate::domain::catalogue::ProductKind::Licence)
        // no channel price for a product: it buys at what it sells for (no margin on it)
        .map(|l| {
            prices
                .get(&l.sku)
                .map_or(l.net, |p| *p * rust_decimal::Decimal::from(l.quantity))
        })
        .sum();
    Deal {
        currency: currency.to_string(),
        licence_value: if margin { channel } else { licence },
        closer: reseller.reseller_id.clone(),
        closer_tier: reseller.tier,
        closer_plan: reseller.plan.clone(),
        parent: reseller.parent_reseller_id.clone(),
        ancestors: vec![],
        rates: reseller.terms.as_ref().and_then(|t| t.rates.clone()),
        referring_reseller: None,
        customer_referrer: None,
        sell_price: margin.then_some(licence),
    }
}

/// The median discount of the latest won deals of the lead's segment (a key-range query on
/// the segment's partition, newest first, bounded).
pub async fn recommendation(
    table: &dyn Table,
    lead: &Lead,
    rules: &QuoteRules,
) -> Result<Option<Recommendation>, StoreError> {
    let Some(c) = lead
        .category
        .as_ref()
        .filter(|c| c.erp_size != "unknown" && c.industry != "unknown")
    else {
        return Ok(None);
    };
    let page = table
        .query(
            &Query::new(repo::segment_pk(&c.erp_size, &c.industry))
                .sk(SkRange::BeginsWith(repo::WON_PREFIX.into()))
                .backward()
                .limit(rules.recommendation_max_deals as u32),
        )
        .await?;
    let discounts = page
        .items
        .into_iter()
        .map(|i| repo::record::<WonDiscount>(i).map(|w| w.discount_percent))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(recommend(&discounts, &c.erp_size, &c.industry, rules))
}

/// The won deal's discount for its segment's recommendations: written with the win, once.
pub fn won_discount(lead: &Lead, at: DateTime<Utc>) -> Option<WonDiscount> {
    let (c, q) = (lead.category.as_ref()?, lead.quote.as_ref()?);
    (c.erp_size != "unknown" && c.industry != "unknown").then(|| WonDiscount {
        erp_size: c.erp_size.clone(),
        industry: c.industry.clone(),
        lead_id: lead.lead_id.clone(),
        quote_id: q.quote_id.clone(),
        discount_percent: q.discount_percent,
        at,
    })
}

/// Prices and records a quote for a lead (its owner, or an admin on the owner's behalf).
pub async fn create(
    ports: &QuotePorts<'_>,
    asker: Asker<'_>,
    lead_id: &str,
    terms: QuoteTerms,
) -> Result<Quote, PipelineError> {
    let products: std::collections::HashMap<_, _> = crate::usecases::catalogue::list(ports.table)
        .await?
        .into_iter()
        .map(|p| (p.sku.clone(), p))
        .collect();
    let mut tries = repo::Tries::default();
    while tries.again().await {
        let lead = own_lead(ports.table, asker, lead_id).await?;
        if lead.spam || lead.closed_lost {
            return Err(conflict(
                "a spam or closed-lost lead cannot be quoted (reopen it first)",
            ));
        }
        if lead.stage >= Stage::R005 {
            return Err(conflict(format!(
                "the deal is past negotiation ({}); quotes come before the order",
                lead.stage.code()
            )));
        }
        let Some(owner) = lead.owner_reseller_id.clone() else {
            return Err(conflict("the lead has no reseller yet; assign it first"));
        };
        let reseller: Reseller = repo::get_record(ports.table, &repo::reseller_key(&owner))
            .await?
            .ok_or_else(|| conflict(format!("the lead's reseller {owner} is unknown")))?;
        let (currency, lines, totals) =
            price(&terms, &products, ports.quotes.gst_rate).map_err(PipelineError::Invalid)?;
        crate::domain::quote::within_order_limits(&lines, &totals, ports.billing).map_err(PipelineError::Invalid)?;
        let commission_estimate = estimate(
            &deal_of(&reseller, &currency, &lines, totals.licence),
            &totals,
            ports.commission,
        )
        .map_err(|e| {
            PipelineError::Invalid(vec![FieldError {
                field: "lines".into(),
                message: e.to_string(),
            }])
        })?;
        let approval_reason = needs_approval(&totals, reseller.tier, ports.quotes);
        let now = ports.clock.now();
        let quote = Quote {
            quote_id: new_id(now),
            lead_id: lead.lead_id.clone(),
            reseller_id: owner.clone(),
            currency,
            lines,
            totals,
            commission_estimate,
            recommendation: recommendation(ports.table, &lead, ports.quotes).await?,
            status: if approval_reason.is_some() {
                QuoteStatus::PendingApproval
            } else {
                QuoteStatus::Issued
            },
            approval_reason,
            decision: None,
            valid_days: terms.valid_days,
            valid_until: now + Duration::days(i64::from(terms.valid_days)),
            payment_terms: terms.payment_terms.clone(),
            expected_close: terms.expected_close,
            notes: terms.notes.clone(),
            created_at: now,
            version: 1,
        };
        // a quote is a proposal (R003); one waiting for a discount approval is a negotiation (R004)
        let to = if quote.status == QuoteStatus::PendingApproval {
            Stage::R004
        } else {
            Stage::R003
        };
        let mut next = repo::next_of(&lead);
        next.quote = Some(QuoteRef::from(&quote));
        next.stage = next.stage.max(to);
        next.updated_at = now;
        let event = audit(
            asker,
            "quote.created",
            json!({"stage": lead.stage.code()}),
            json!({"stage": next.stage.code(), "quote_id": quote.quote_id, "status": quote.status.as_str(),
                   "subtotal": quote.totals.subtotal.to_string(), "currency": quote.currency}),
            format!(
                "quote {} for {} {} ex GST ({}){}",
                quote.quote_id,
                quote.currency,
                quote.totals.subtotal,
                quote.status.as_str(),
                if next.stage != lead.stage {
                    format!("; {} → {}", lead.stage.code(), next.stage.code())
                } else {
                    String::new()
                }
            ),
            now,
        );
        let mut writes = vec![repo::put_new(repo::item(&quote)?)];
        writes.extend(lead_writes(&lead, &next, &event)?);
        match ports.table.transact(writes).await {
            Ok(()) => return Ok(quote),
            // the lead changed meanwhile (an activity, a move): price against it again
            Err(e) if e.is_conflict() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(conflict("the lead keeps changing; try again"))
}

/// The quote, if the asker may see it (its reseller, or an admin).
pub async fn get(table: &dyn Table, asker: Asker<'_>, quote_id: &str) -> Result<Quote, PipelineError> {
    let unknown = || PipelineError::Unknown(format!("no quote {quote_id}"));
    let quote: Quote = repo::get_record(table, &repo::quote_key(quote_id))
        .await?
        .ok_or_else(unknown)?;
    if !asker.sees_reseller(&quote.reseller_id) {
        return Err(unknown());
    }
    // a rep sees the quotes of the leads assigned to it
    if asker.rep().is_some() {
        own_lead(table, asker, &quote.lead_id).await.map_err(|_| unknown())?;
    }
    Ok(quote)
}

/// A lead's quotes, oldest first.
pub async fn for_lead(table: &dyn Table, asker: Asker<'_>, lead_id: &str) -> Result<Vec<Quote>, PipelineError> {
    own_lead(table, asker, lead_id).await?;
    let items = repo::query_all(
        table,
        Query::new(repo::lead_quotes_index_pk(lead_id)).index(Index::Gsi1),
    )
    .await?;
    let quotes: Vec<Quote> = items.into_iter().map(repo::record).collect::<Result<_, _>>()?;
    // a reseller that took over the lead sees only its own quotes
    Ok(quotes
        .into_iter()
        .filter(|q| asker.sees_reseller(&q.reseller_id))
        .collect())
}

/// Quotes in one status, oldest first (the admin's approval queue), at most `limit`.
pub async fn by_status(table: &dyn Table, status: QuoteStatus, limit: u32) -> Result<Vec<Quote>, StoreError> {
    let page = table
        .query(
            &Query::new(repo::quote_status_index_pk(status.as_str()))
                .index(Index::Gsi3)
                .limit(limit),
        )
        .await?;
    page.items.into_iter().map(repo::record).collect()
}

/// The programme (an admin, or the reseller's channel manager) approves or rejects a quote
/// waiting for approval (once: deciding twice is a 409).
pub async fn decide(
    ports: &QuotePorts<'_>,
    by: Asker<'_>,
    quote_id: &str,
    approve: bool,
    note: Option<String>,
) -> Result<Quote, PipelineError> {
    let quote = get(ports.table, by, quote_id).await?;
    if quote.status != QuoteStatus::PendingApproval {
        return Err(conflict(format!(
            "quote {quote_id} is {}, not pending_approval",
            quote.status.as_str()
        )));
    }
    let now = ports.clock.now();
    let mut next = repo::next_of(&quote);
    next.status = if approve {
        QuoteStatus::Approved
    } else {
        QuoteStatus::Rejected
    };
    next.decision = Some(Decision {
        by: by.actor(),
        at: now,
        note: note.clone(),
    });
    let mut writes = vec![repo::put_if_version(repo::item(&next)?, quote.version)];
    let lead: Lead = repo::get_record(ports.table, &repo::lead_key(&quote.lead_id))
        .await?
        .ok_or_else(|| PipelineError::NotFound(quote.lead_id.clone()))?;
    let mut lead_next = repo::next_of(&lead);
    if lead.quote.as_ref().is_some_and(|r| r.quote_id == quote_id) {
        lead_next.quote = Some(QuoteRef::from(&next));
    }
    lead_next.updated_at = now;
    let action = if approve { "quote.approved" } else { "quote.rejected" };
    let event = audit(
        by,
        action,
        json!({"quote_id": quote_id, "status": quote.status.as_str()}),
        json!({"quote_id": quote_id, "status": next.status.as_str()}),
        match &note {
            Some(n) => format!("quote {quote_id} {}: {n}", next.status.as_str()),
            None => format!("quote {quote_id} {}", next.status.as_str()),
        },
        now,
    );
    writes.extend(lead_writes(&lead, &lead_next, &event)?);
    ports.table.transact(writes).await.map_err(raced)?;
    Ok(next)
}

/// The writes that keep a won deal's discount for recommendations (none without a quote or a
/// known segment).
pub fn won_discount_writes(lead: &Lead, at: DateTime<Utc>) -> Result<Vec<Write>, StoreError> {
    match won_discount(lead, at) {
        Some(w) => Ok(vec![repo::put_new(repo::item(&w)?)]),
        None => Ok(vec![]),
    }
}

/// Renders the quote's proposal in its reseller's brand and keeps a copy in the blob store
/// (`proposals/<lead>/<quote>.html`, rewritten on each render so a brand change shows).
pub async fn proposal(
    table: &dyn Table,
    blobs: &dyn crate::ports::BlobWriter,
    quote: &Quote,
) -> Result<String, PipelineError> {
    if !quote.status.is_sendable() {
        return Err(conflict(format!(
            "quote {} is {}: only an issued or approved quote goes to the customer",
            quote.quote_id,
            quote.status.as_str()
        )));
    }
    let lead: Lead = repo::get_record(table, &repo::lead_key(&quote.lead_id))
        .await?
        .ok_or_else(|| PipelineError::NotFound(quote.lead_id.clone()))?;
    let reseller: Reseller = repo::get_record(table, &repo::reseller_key(&quote.reseller_id))
        .await?
        .ok_or_else(|| conflict(format!("the quote's reseller {} is unknown", quote.reseller_id)))?;
    let html = crate::proposal::render(quote, &lead, &reseller)
        .map_err(|e| PipelineError::Store(StoreError::Invalid(format!("proposal template: {e}"))))?;
    blobs
        .put(
            &repo::proposal_blob_key(&quote.lead_id, &quote.quote_id),
            html.clone().into_bytes(),
            "text/html; charset=utf-8",
        )
        .await
        .map_err(|e| PipelineError::Store(StoreError::Unavailable(e.to_string())))?;
    Ok(html)
}
