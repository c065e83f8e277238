//! Quotes (SPEC §12): catalogue products priced for a lead, GST shown apart, the discount the
//! reseller's tier may give without an admin, the reseller's own commission estimate (computed
//! by the ledger's commission code), and a pricing recommendation from won deals.

use crate::domain::billing::{id, Amount};
use crate::domain::catalogue::{Product, ProductKind};
use crate::domain::commission::{for_payment, CommissionRules, Deal, Earned, Overflow, PaymentKind};
use crate::domain::field::FieldError;
use crate::domain::money::{fixed_minor, round_minor};
use crate::domain::reseller::Tier;
use crate::domain::text::{self, Lines};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Quote configuration (`RULES_JSON` `quotes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuoteRules {
    /// GST on the quoted amounts, 0–1 (18%)
    pub gst_rate: Decimal,
    /// the largest discount % a tier may give without an admin's approval
    pub discount_limits: BTreeMap<Tier, Decimal>,
    pub default_valid_days: u32,
    pub max_valid_days: u32,
    pub max_lines: usize,
    pub max_quantity: u32,
    /// a recommendation needs at least this many won deals of the segment
    pub recommendation_min_deals: usize,
    /// … and reads at most this many of the latest
    pub recommendation_max_deals: usize,
}

impl Default for QuoteRules {
    fn default() -> Self {
        QuoteRules {
            gst_rate: Decimal::new(18, 2),
            discount_limits: BTreeMap::from([
                (Tier::Registered, Decimal::from(10)),
                (Tier::Silver, Decimal::from(15)),
                (Tier::Gold, Decimal::from(20)),
                (Tier::Platinum, Decimal::from(25)),
            ]),
            default_valid_days: 30,
            max_valid_days: 180,
            max_lines: 50,
            max_quantity: 100_000,
            recommendation_min_deals: 5,
            recommendation_max_deals: 200,
        }
    }
}

impl QuoteRules {
    pub fn discount_limit(&self, tier: Tier) -> Decimal {
        self.discount_limits.get(&tier).copied().unwrap_or(Decimal::ZERO)
    }
    pub fn validate(&self) -> Result<(), String> {
        if self.gst_rate < Decimal::ZERO || self.gst_rate > Decimal::ONE {
            return Err(format!("quotes.gst_rate {} is outside 0–1", self.gst_rate));
        }
        if let Some((t, d)) = self
            .discount_limits
            .iter()
            .find(|(_, d)| **d < Decimal::ZERO || **d > Decimal::ONE_HUNDRED)
        {
            return Err(format!("quotes.discount_limits.{t:?} {d} is outside 0–100"));
        }
        if self.default_valid_days == 0 || self.default_valid_days > self.max_valid_days {
            return Err("quotes.default_valid_days must be 1..=max_valid_days".into());
        }
        if self.recommendation_min_deals == 0 || self.recommendation_min_deals > self.recommendation_max_deals {
            return Err("quotes.recommendation_min_deals must be 1..=recommendation_max_deals".into());
        }
        Ok(())
    }
}

// ---- what a reseller sends ----

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct QuoteLineIn {
    pub sku: Option<String>,
    /// a whole number, default 1
    pub quantity: Option<u32>,
    /// 0–100, at most 2 decimals (default 0)
    #[schema(value_type = Option<String>)]
    pub discount_percent: Option<Amount>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct QuoteIn {
    #[serde(default)]
    pub lines: Vec<QuoteLineIn>,
    /// how long the quote holds (default 30, at most 180)
    pub valid_days: Option<u32>,
    /// e.g. "50% on order, 50% on go-live"
    pub payment_terms: Option<String>,
    /// when the customer is expected to sign (`YYYY-MM-DD`)
    pub expected_close: Option<String>,
    /// scope and next steps, shown on the proposal
    pub notes: Option<String>,
}

/// A quote's terms, validated (the lines still name SKUs to price).
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteTerms {
    pub lines: Vec<(String, u32, Decimal)>,
    pub valid_days: u32,
    pub payment_terms: Option<String>,
    pub expected_close: Option<NaiveDate>,
    pub notes: Option<String>,
}

fn field(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

pub fn validate_quote(q: &QuoteIn, rules: &QuoteRules) -> Result<QuoteTerms, Vec<FieldError>> {
    let mut e = Vec::new();
    if q.lines.is_empty() {
        e.push(field("lines", "at least one line is required"));
    }
    if q.lines.len() > rules.max_lines {
        e.push(field("lines", format!("at most {} lines", rules.max_lines)));
    }
    let mut lines = Vec::new();
    for (i, l) in q.lines.iter().enumerate().take(rules.max_lines) {
        let sku = id(&format!("lines[{i}].sku"), &l.sku, &mut e);
        let quantity = l.quantity.unwrap_or(1);
        if quantity == 0 || quantity > rules.max_quantity {
            e.push(field(
                &format!("lines[{i}].quantity"),
                format!("must be 1–{}", rules.max_quantity),
            ));
        }
        let discount = match &l.discount_percent {
            None => Decimal::ZERO,
            Some(Amount(Ok(v))) if *v >= Decimal::ZERO && *v <= Decimal::ONE_HUNDRED && v.normalize().scale() <= 2 => {
                *v
            }
            Some(_) => {
                e.push(field(
                    &format!("lines[{i}].discount_percent"),
                    "must be a number from 0 to 100, at most 2 decimals",
                ));
                Decimal::ZERO
            }
        };
        lines.push((sku, quantity, discount));
    }
    let valid_days = q.valid_days.unwrap_or(rules.default_valid_days);
    if valid_days == 0 || valid_days > rules.max_valid_days {
        e.push(field("valid_days", format!("must be 1–{}", rules.max_valid_days)));
    }
    let payment_terms = text::collect(
        text::optional("payment_terms", q.payment_terms.as_deref(), 500, Lines::Multi),
        &mut e,
    )
    .flatten();
    let notes = text::collect(text::optional("notes", q.notes.as_deref(), 4000, Lines::Multi), &mut e).flatten();
    let expected_close = match q.expected_close.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                e.push(field("expected_close", "must be a date, YYYY-MM-DD"));
                None
            }
        },
    };
    if e.is_empty() {
        Ok(QuoteTerms {
            lines,
            valid_days,
            payment_terms,
            expected_close,
            notes,
        })
    } else {
        Err(e)
    }
}

// ---- pricing ----

/// One priced line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuoteLine {
    pub sku: String,
    pub name: String,
    pub kind: ProductKind,
    pub quantity: u32,
    #[schema(value_type = String)]
    pub unit_price: Decimal,
    /// unit price × quantity
    #[schema(value_type = String)]
    pub gross: Decimal,
    #[schema(value_type = String)]
    pub discount_percent: Decimal,
    #[schema(value_type = String)]
    pub discount: Decimal,
    /// gross − discount
    #[schema(value_type = String)]
    pub net: Decimal,
    /// a licence's yearly AMC as a % of its net price
    #[schema(value_type = String)]
    pub amc_percent: Decimal,
    /// the yearly AMC this line brings (licences: net × AMC %; AMC products: net)
    #[schema(value_type = String)]
    pub amc_yearly: Decimal,
}

/// A quote's totals, ex GST unless named; GST apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuoteTotals {
    #[schema(value_type = String)]
    pub licence: Decimal,
    /// the first year's AMC (paid with the order)
    #[schema(value_type = String)]
    pub amc_first_year: Decimal,
    /// the AMC each later year (a renewal)
    #[schema(value_type = String)]
    pub amc_per_renewal: Decimal,
    #[schema(value_type = String)]
    pub services: Decimal,
    /// licence + first-year AMC + services
    #[schema(value_type = String)]
    pub subtotal: Decimal,
    #[schema(value_type = String)]
    pub gst_rate: Decimal,
    #[schema(value_type = String)]
    pub gst: Decimal,
    /// subtotal + GST
    #[schema(value_type = String)]
    pub total: Decimal,
    /// the discount over the whole quote, as a % of its gross
    #[schema(value_type = String)]
    pub discount_percent: Decimal,
    /// the largest discount on any line
    #[schema(value_type = String)]
    pub max_discount_percent: Decimal,
}

/// Prices the lines from the catalogue: every SKU known, active and of one currency.
pub fn price(
    terms: &QuoteTerms,
    products: &HashMap<String, Product>,
    gst_rate: Decimal,
) -> Result<(String, Vec<QuoteLine>, QuoteTotals), Vec<FieldError>> {
    let mut e = Vec::new();
    let mut currency: Option<String> = None;
    let mut lines = Vec::new();
    for (i, (sku, quantity, discount_percent)) in terms.lines.iter().enumerate() {
        let Some(p) = products.get(sku) else {
            e.push(field(&format!("lines[{i}].sku"), format!("no product {sku}")));
            continue;
        };
        if !p.active {
            e.push(field(
                &format!("lines[{i}].sku"),
                format!("product {sku} is not active"),
            ));
            continue;
        }
        match &currency {
            None => currency = Some(p.currency.clone()),
            Some(c) if *c != p.currency => {
                e.push(field(
                    &format!("lines[{i}].sku"),
                    format!("{sku} is priced in {}, the quote in {c}", p.currency),
                ));
                continue;
            }
            Some(_) => {}
        }
        let cur = p.currency.as_str();
        let gross = p.list_price * Decimal::from(*quantity);
        let discount = round_minor(gross * discount_percent / Decimal::ONE_HUNDRED, cur);
        let net = gross - discount;
        let amc_yearly = match p.kind {
            ProductKind::Licence => round_minor(net * p.amc_percent / Decimal::ONE_HUNDRED, cur),
            ProductKind::Amc => net,
            ProductKind::Services => Decimal::ZERO,
        };
        lines.push(QuoteLine {
            sku: sku.clone(),
            name: p.name.clone(),
            kind: p.kind,
            quantity: *quantity,
            unit_price: p.list_price,
            gross,
            discount_percent: *discount_percent,
            discount,
            net,
            amc_percent: if p.kind == ProductKind::Licence {
                p.amc_percent
            } else {
                Decimal::ZERO
            },
            amc_yearly,
        });
    }
    let Some(currency) = currency.filter(|_| e.is_empty()) else {
        return Err(e);
    };
    let sum = |f: &dyn Fn(&QuoteLine) -> Decimal| lines.iter().map(f).sum::<Decimal>();
    let licence = sum(&|l| {
        if l.kind == ProductKind::Licence {
            l.net
        } else {
            Decimal::ZERO
        }
    });
    let services = sum(&|l| {
        if l.kind == ProductKind::Services {
            l.net
        } else {
            Decimal::ZERO
        }
    });
    let amc = sum(&|l| l.amc_yearly);
    let subtotal = licence + amc + services;
    let gst = round_minor(subtotal * gst_rate, &currency);
    let gross = sum(&|l| l.gross);
    let discount = sum(&|l| l.discount);
    let discount_percent = if gross.is_zero() {
        Decimal::ZERO
    } else {
        (discount * Decimal::ONE_HUNDRED / gross).round_dp(2)
    };
    let max_discount_percent = lines.iter().map(|l| l.discount_percent).max().unwrap_or_default();
    // amounts keep the currency's minor digits: a line at 100% off is worth 0.00, not 0
    let m = |a: Decimal| fixed_minor(a, &currency);
    let lines = lines
        .into_iter()
        .map(|l| QuoteLine {
            gross: m(l.gross),
            discount: m(l.discount),
            net: m(l.net),
            amc_yearly: m(l.amc_yearly),
            ..l
        })
        .collect();
    let totals = QuoteTotals {
        licence: m(licence),
        amc_first_year: m(amc),
        amc_per_renewal: m(amc),
        services: m(services),
        subtotal: m(subtotal),
        gst_rate,
        gst: m(gst),
        total: m(subtotal + gst),
        discount_percent,
        max_discount_percent,
    };
    Ok((currency, lines, totals))
}

/// A quote no order could carry is refused: billing takes no line and no order above its
/// limits, so neither does a quote (what could never be ordered must never be forecast).
pub fn within_order_limits(
    lines: &[QuoteLine],
    totals: &QuoteTotals,
    limits: &crate::domain::billing::BillingLimits,
) -> Result<(), Vec<FieldError>> {
    let mut e: Vec<FieldError> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.net > limits.max_line_amount)
        .map(|(i, _)| {
            field(
                &format!("lines[{i}]"),
                format!(
                    "is more than the largest order line billing accepts ({})",
                    limits.max_line_amount
                ),
            )
        })
        .collect();
    if totals.subtotal > limits.max_order_amount {
        e.push(field(
            "lines",
            format!(
                "add up to more than the largest order billing accepts ({})",
                limits.max_order_amount
            ),
        ));
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(e)
    }
}

/// Why a quote needs an admin: a line discounted beyond the tier's limit.
pub fn needs_approval(totals: &QuoteTotals, tier: Tier, rules: &QuoteRules) -> Option<String> {
    let limit = rules.discount_limit(tier);
    (totals.max_discount_percent > limit).then(|| {
        format!(
            "a {}% discount is above the {}% a {} reseller may give",
            totals.max_discount_percent.normalize(),
            limit.normalize(),
            serde_json::to_value(tier)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        )
    })
}

// ---- the commission estimate ----

/// One part of the estimate: a ledger entry the quote, paid as quoted, would earn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EstimatePart {
    /// licence, amc, renewal or milestone
    pub payment: String,
    pub component: crate::domain::commission::Component,
    #[schema(value_type = String)]
    pub base: Decimal,
    #[schema(value_type = String)]
    pub rate: Decimal,
    #[schema(value_type = String)]
    pub amount: Decimal,
    pub explanation: String,
}

/// What the quoting reseller would earn on the quote paid exactly as quoted: never shown to
/// the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Estimate {
    pub currency: String,
    #[schema(value_type = String)]
    pub licence: Decimal,
    #[schema(value_type = String)]
    pub amc_first_year: Decimal,
    /// implementation referral on services (milestone payments)
    #[schema(value_type = String)]
    pub services: Decimal,
    /// licence + first-year AMC + services
    #[schema(value_type = String)]
    pub first_year: Decimal,
    /// each AMC renewal
    #[schema(value_type = String)]
    pub per_renewal: Decimal,
    pub parts: Vec<EstimatePart>,
}

/// The closer's commission on the quote paid as quoted: each kind of payment run through the
/// ledger's own `for_payment`, keeping the entries the closer earns.
pub fn estimate(deal: &Deal, totals: &QuoteTotals, rules: &CommissionRules) -> Result<Estimate, Overflow> {
    let mut parts = Vec::new();
    let mut by_kind = BTreeMap::new();
    for (kind, base) in [
        (PaymentKind::Licence, totals.licence),
        (PaymentKind::Amc, totals.amc_first_year),
        (PaymentKind::Milestone, totals.services),
        (PaymentKind::Renewal, totals.amc_per_renewal),
    ] {
        if base.is_zero() {
            continue;
        }
        let (drafts, _) = for_payment(deal, kind, base, &Earned::default(), rules)?;
        for d in drafts.into_iter().filter(|d| d.payee == deal.closer) {
            *by_kind.entry(kind.as_str()).or_insert(Decimal::ZERO) += d.amount;
            parts.push(EstimatePart {
                payment: kind.as_str().into(),
                component: d.component,
                base: d.base,
                rate: d.rate,
                amount: d.amount,
                explanation: d.explanation,
            });
        }
    }
    let of = |k: PaymentKind| by_kind.get(k.as_str()).copied().unwrap_or_default();
    let (licence, amc, services) = (
        of(PaymentKind::Licence),
        of(PaymentKind::Amc),
        of(PaymentKind::Milestone),
    );
    Ok(Estimate {
        currency: deal.currency.clone(),
        licence,
        amc_first_year: amc,
        services,
        first_year: licence + amc + services,
        per_renewal: of(PaymentKind::Renewal),
        parts,
    })
}

// ---- the pricing recommendation ----

/// The median discount of won deals like this one, and how many it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Recommendation {
    #[schema(value_type = String)]
    pub discount_percent: Decimal,
    pub deals: usize,
    pub erp_size: String,
    pub industry: String,
    pub explanation: String,
}

/// `None` below the configured number of deals (no guess from too few).
pub fn recommend(discounts: &[Decimal], erp_size: &str, industry: &str, rules: &QuoteRules) -> Option<Recommendation> {
    if discounts.len() < rules.recommendation_min_deals {
        return None;
    }
    let mut sorted = discounts.to_vec();
    sorted.sort();
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        ((sorted[n / 2 - 1] + sorted[n / 2]) / Decimal::TWO).round_dp(2)
    };
    Some(Recommendation {
        discount_percent: median,
        deals: n,
        erp_size: erp_size.into(),
        industry: industry.into(),
        explanation: format!("the median discount of the latest {n} won deals with {erp_size} ERP size in {industry}"),
    })
}

/// A won deal's discount, kept per segment (ERP size and industry) for recommendations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WonDiscount {
    pub erp_size: String,
    pub industry: String,
    pub lead_id: String,
    pub quote_id: String,
    pub discount_percent: Decimal,
    pub at: DateTime<Utc>,
}

// ---- the quote ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuoteStatus {
    /// within the tier's discount limit: ready to send
    Issued,
    /// a discount beyond the tier's limit waits for an admin
    PendingApproval,
    Approved,
    Rejected,
}

crate::domain::wire_names::wire_names!(QuoteStatus {
    Issued = "issued",
    PendingApproval = "pending_approval",
    Approved = "approved",
    Rejected = "rejected",
});

impl QuoteStatus {
    /// may go to the customer (a proposal)
    pub fn is_sendable(self) -> bool {
        matches!(self, QuoteStatus::Issued | QuoteStatus::Approved)
    }
}

/// An admin's decision on a quote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Decision {
    pub by: String,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Quote {
    pub quote_id: String,
    pub lead_id: String,
    pub reseller_id: String,
    pub currency: String,
    pub lines: Vec<QuoteLine>,
    pub totals: QuoteTotals,
    /// the reseller's own figure; never on the proposal
    pub commission_estimate: Estimate,
    pub recommendation: Option<Recommendation>,
    pub status: QuoteStatus,
    /// why it waits for an admin
    pub approval_reason: Option<String>,
    pub decision: Option<Decision>,
    pub valid_days: u32,
    pub valid_until: DateTime<Utc>,
    pub payment_terms: Option<String>,
    #[schema(value_type = Option<String>)]
    pub expected_close: Option<NaiveDate>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    #[schema(ignore)]
    pub version: u64,
}

/// What a lead keeps of its latest quote (the kanban's expected value, the recommendation's
/// discount when the deal is won).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteRef {
    pub quote_id: String,
    pub currency: String,
    /// the subtotal, ex GST
    pub value: Decimal,
    pub discount_percent: Decimal,
    pub status: QuoteStatus,
    /// when the reseller expects the deal to close (the forecast places it there)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_close: Option<NaiveDate>,
}

impl From<&Quote> for QuoteRef {
    fn from(q: &Quote) -> QuoteRef {
        QuoteRef {
            quote_id: q.quote_id.clone(),
            currency: q.currency.clone(),
            value: q.totals.subtotal,
            discount_percent: q.totals.discount_percent,
            status: q.status,
            expected_close: q.expected_close,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::commission::Plan;

    fn d(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    fn product(sku: &str, kind: ProductKind, price: &str, amc: &str) -> Product {
        Product {
            sku: sku.into(),
            name: sku.into(),
            kind,
            list_price: d(price),
            currency: "INR".into(),
            amc_percent: d(amc),
            active: true,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        }
    }

    fn terms(lines: &[(&str, u32, &str)]) -> QuoteTerms {
        QuoteTerms {
            lines: lines.iter().map(|(s, q, p)| (s.to_string(), *q, d(p))).collect(),
            valid_days: 30,
            payment_terms: None,
            expected_close: None,
            notes: None,
        }
    }

    fn catalogue() -> HashMap<String, Product> {
        [
            product("ERP", ProductKind::Licence, "1000000", "20"),
            product("IMPL", ProductKind::Services, "300000", "0"),
        ]
        .into_iter()
        .map(|p| (p.sku.clone(), p))
        .collect()
    }

    fn deal(tier: Tier, licence: Decimal) -> Deal {
        Deal {
            currency: "INR".into(),
            licence_value: licence,
            closer: "R1".into(),
            closer_tier: tier,
            closer_plan: Plan::Tiered,
            parent: Some("P".into()),
            ancestors: vec![],
            rates: None,
            referring_reseller: None,
            customer_referrer: None,
            sell_price: None,
        }
    }

    #[test]
    fn a_ten_lakh_licence_with_twenty_percent_amc_estimates_two_lakh_ninety_thousand() {
        let (cur, lines, t) = price(&terms(&[("ERP", 1, "0")]), &catalogue(), d("0.18")).expect("priced");
        assert_eq!(cur, "INR");
        assert_eq!(
            (t.licence, t.amc_first_year, t.subtotal),
            (d("1000000"), d("200000"), d("1200000"))
        );
        assert_eq!((t.gst, t.total), (d("216000"), d("1416000")));
        assert_eq!(lines[0].amc_yearly, d("200000"));
        let e = estimate(&deal(Tier::Gold, t.licence), &t, &CommissionRules::default()).expect("estimate");
        // the parent's override is its own, not the closer's
        assert_eq!((e.licence, e.amc_first_year), (d("250000"), d("40000")));
        assert_eq!((e.first_year, e.per_renewal), (d("290000"), d("20000")));
        assert!(e
            .parts
            .iter()
            .all(|p| p.component != crate::domain::commission::Component::Override));
    }

    #[test]
    fn discounts_are_priced_per_line_and_checked_against_the_tier() {
        let (_, lines, t) =
            price(&terms(&[("ERP", 2, "30"), ("IMPL", 1, "0")]), &catalogue(), d("0.18")).expect("priced");
        assert_eq!(lines[0].net, d("1400000"));
        assert_eq!(lines[0].amc_yearly, d("280000"));
        assert_eq!(t.services, d("300000"));
        // 600,000 off 2,300,000 gross
        assert_eq!(t.discount_percent, d("26.09"));
        let rules = QuoteRules::default();
        assert!(needs_approval(&t, Tier::Registered, &rules).is_some_and(|r| r.contains("10%")));
        assert!(needs_approval(&t, Tier::Platinum, &rules).is_some());
        let (_, _, ok) = price(&terms(&[("ERP", 1, "25")]), &catalogue(), d("0.18")).expect("priced");
        assert!(needs_approval(&ok, Tier::Platinum, &rules).is_none());
    }

    #[test]
    fn unknown_inactive_and_mixed_currency_lines_are_named() {
        let mut c = catalogue();
        c.get_mut("IMPL").expect("impl").active = false;
        let mut usd = product("CLOUD", ProductKind::Licence, "100", "0");
        usd.currency = "USD".into();
        c.insert("CLOUD".into(), usd);
        let errors = price(
            &terms(&[("ERP", 1, "0"), ("NOPE", 1, "0"), ("IMPL", 1, "0"), ("CLOUD", 1, "0")]),
            &c,
            d("0.18"),
        )
        .expect_err("refused");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lines[1].sku", "lines[2].sku", "lines[3].sku"]);
    }

    #[test]
    fn the_recommendation_is_the_median_of_at_least_five_deals() {
        let rules = QuoteRules::default();
        let four = [d("5"), d("10"), d("15"), d("20")];
        assert!(recommend(&four, "mid", "manufacturing", &rules).is_none());
        let five = [d("20"), d("5"), d("10"), d("15"), d("12.5")];
        let r = recommend(&five, "mid", "manufacturing", &rules).expect("recommended");
        assert_eq!((r.discount_percent, r.deals), (d("12.5"), 5));
        let six = [d("5"), d("10"), d("15"), d("20"), d("12"), d("13")];
        assert_eq!(
            recommend(&six, "mid", "x", &rules).expect("six").discount_percent,
            d("12.5")
        );
    }

    #[test]
    fn validation_names_each_bad_field() {
        let q: QuoteIn = serde_json::from_str(
            r#"{"lines":[{"sku":"","quantity":0,"discount_percent":"101"}],"valid_days":999,"expected_close":"soon"}"#,
        )
        .expect("json");
        let errors = validate_quote(&q, &QuoteRules::default()).expect_err("invalid");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "lines[0].sku",
                "lines[0].quantity",
                "lines[0].discount_percent",
                "valid_days",
                "expected_close"
            ]
        );
        assert!(QuoteRules::default().validate().is_ok());
    }
}
