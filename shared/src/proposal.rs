//! The customer-facing proposal (SPEC §12, seed 000 "Proposal Generation"): a quote rendered as
//! HTML with a print stylesheet, in the reseller's brand, from `templates/proposal.html`
//! (minijinja, HTML auto-escaping). It is built from a view that has no commission in it, so
//! the document cannot show one.

use crate::domain::lead::Lead;
use crate::domain::money::display;
use crate::domain::quote::Quote;
use crate::domain::renewal::india_date;
use crate::domain::reseller::Reseller;
use serde::Serialize;

const TEMPLATE: &str = include_str!("../templates/proposal.html");
const DEFAULT_PRIMARY: &str = "#1f4e79";
const DEFAULT_ACCENT: &str = "#c77700";

#[derive(Serialize)]
struct BrandView {
    name: String,
    logo_url: Option<String>,
    primary: String,
    accent: String,
    signature: Option<String>,
}

#[derive(Serialize)]
struct CustomerView {
    name: Option<String>,
    company: Option<String>,
    email: String,
}

#[derive(Serialize)]
struct LineView {
    sku: String,
    name: String,
    kind: &'static str,
    quantity: u32,
    unit_price: String,
    discount: String,
    net: String,
}

#[derive(Serialize)]
struct TotalsView {
    has_amc: bool,
    amc_first_year: String,
    amc_per_renewal: String,
    subtotal: String,
    gst_rate: String,
    gst: String,
    total: String,
}

/// Everything the document shows — and nothing else (no estimate, no approval notes).
#[derive(Serialize)]
struct ProposalView {
    quote_id: String,
    issued_on: String,
    valid_until: String,
    currency: String,
    brand: BrandView,
    customer: CustomerView,
    lines: Vec<LineView>,
    totals: TotalsView,
    payment_terms: Option<String>,
    notes: Option<String>,
}

fn view(quote: &Quote, lead: &Lead, reseller: &Reseller) -> ProposalView {
    let cur = quote.currency.as_str();
    let money = |d| display(d, cur);
    let brand = reseller.brand.clone().unwrap_or_default();
    ProposalView {
        quote_id: quote.quote_id.clone(),
        issued_on: india_date(quote.created_at).format("%d %b %Y").to_string(),
        valid_until: india_date(quote.valid_until).format("%d %b %Y").to_string(),
        currency: quote.currency.clone(),
        brand: BrandView {
            name: brand.display_name.unwrap_or_else(|| reseller.name.clone()),
            logo_url: brand.logo_url,
            primary: brand.primary_colour.unwrap_or_else(|| DEFAULT_PRIMARY.into()),
            accent: brand.accent_colour.unwrap_or_else(|| DEFAULT_ACCENT.into()),
            signature: brand.signature,
        },
        customer: CustomerView {
            name: lead.profile.name.clone(),
            company: lead.profile.company.clone(),
            email: lead.email.clone(),
        },
        lines: quote
            .lines
            .iter()
            .map(|l| LineView {
                sku: l.sku.clone(),
                name: l.name.clone(),
                kind: match l.kind {
                    crate::domain::catalogue::ProductKind::Licence => "licence",
                    crate::domain::catalogue::ProductKind::Amc => "AMC",
                    crate::domain::catalogue::ProductKind::Services => "services",
                },
                quantity: l.quantity,
                unit_price: money(l.unit_price),
                discount: if l.discount.is_zero() {
                    "—".into()
                } else {
                    format!("{}% ({})", l.discount_percent.normalize(), money(l.discount))
                },
                net: money(l.net),
            })
            .collect(),
        totals: TotalsView {
            // AMC from licences is shown as its own line; AMC products are already lines
            has_amc: quote
                .lines
                .iter()
                .any(|l| l.kind == crate::domain::catalogue::ProductKind::Licence && !l.amc_yearly.is_zero()),
            amc_first_year: money(
                quote
                    .lines
                    .iter()
                    .filter(|l| l.kind == crate::domain::catalogue::ProductKind::Licence)
                    .map(|l| l.amc_yearly)
                    .sum(),
            ),
            amc_per_renewal: money(quote.totals.amc_per_renewal),
            subtotal: money(quote.totals.subtotal),
            gst_rate: crate::domain::commission::percent(quote.totals.gst_rate),
            gst: money(quote.totals.gst),
            total: money(quote.totals.total),
        },
        payment_terms: quote.payment_terms.clone(),
        notes: quote.notes.clone(),
    }
}

/// The proposal's HTML.
pub fn render(quote: &Quote, lead: &Lead, reseller: &Reseller) -> Result<String, minijinja::Error> {
    let mut env = minijinja::Environment::new();
    env.add_template("proposal.html", TEMPLATE)?;
    env.get_template("proposal.html")?
        .render(minijinja::value::Serde(view(quote, lead, reseller)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue::{Product, ProductKind};
    use crate::domain::quote::{estimate, price, QuoteStatus, QuoteTerms};
    use crate::domain::reseller::Brand;
    use chrono::Utc;
    use rust_decimal::Decimal;

    fn quote() -> Quote {
        let p = Product {
            sku: "ERP-STD".into(),
            name: "ERP <Standard>".into(),
            kind: ProductKind::Licence,
            list_price: Decimal::from(1_000_000),
            currency: "INR".into(),
            amc_percent: Decimal::from(20),
            active: true,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        };
        let terms = QuoteTerms {
            lines: vec![("ERP-STD".into(), 1, Decimal::from(5))],
            valid_days: 30,
            payment_terms: Some("50% on order".into()),
            expected_close: None,
            notes: Some("Finance & inventory".into()),
        };
        let catalogue = [(p.sku.clone(), p)].into_iter().collect();
        let (currency, lines, totals) = price(&terms, &catalogue, Decimal::new(18, 2)).expect("priced");
        let deal = crate::domain::commission::Deal {
            currency: currency.clone(),
            licence_value: totals.licence,
            closer: "R1".into(),
            closer_tier: crate::domain::reseller::Tier::Gold,
            closer_plan: Default::default(),
            parent: None,
            ancestors: vec![],
            rates: None,
            referring_reseller: None,
            customer_referrer: None,
            sell_price: None,
        };
        let commission_estimate = estimate(&deal, &totals, &Default::default()).expect("estimate");
        Quote {
            quote_id: "Q1".into(),
            lead_id: "L1".into(),
            reseller_id: "R1".into(),
            currency,
            lines,
            totals,
            commission_estimate,
            recommendation: None,
            status: QuoteStatus::Issued,
            approval_reason: None,
            decision: None,
            valid_days: 30,
            valid_until: Utc::now(),
            payment_terms: terms.payment_terms,
            expected_close: None,
            notes: terms.notes,
            created_at: Utc::now(),
            version: 1,
        }
    }

    #[test]
    fn the_proposal_is_branded_escaped_in_indian_grouping_and_shows_no_commission() {
        let q = quote();
        let mut lead = crate::domain::lead::Lead::new(&Default::default(), "L1", Utc::now());
        lead.profile.company = Some("Sharma <Textiles>".into());
        let reseller: Reseller = serde_json::from_value(serde_json::json!({
            "reseller_id": "R1", "name": "Registered Name Pvt Ltd", "email": "r@x.in", "regions": [],
            "industries": [], "tier": "gold", "capacity": 5, "status": "active", "win_rate": "0.2",
            "referral_code": "X", "open_leads": 0, "last_assigned_at": null,
            "created_at": Utc::now(), "version": 1
        }))
        .expect("reseller");
        let mut branded = reseller.clone();
        branded.brand = Some(Brand {
            display_name: Some("Acme ERP Partners".into()),
            primary_colour: Some("#123456".into()),
            signature: Some("Asha Rao\nSales Director".into()),
            ..Default::default()
        });
        let html = render(&q, &lead, &branded).expect("rendered");
        assert!(html.contains("Acme ERP Partners") && !html.contains("Registered Name"));
        assert!(html.contains("--primary: #123456"));
        // 10,00,000 less 5% = 9,50,000; AMC 20% = 1,90,000; GST 18% of 11,40,000 = 2,05,200
        for amount in ["₹9,50,000.00", "₹1,90,000.00", "₹2,05,200.00", "₹13,45,200.00"] {
            assert!(html.contains(amount), "{amount} missing");
        }
        assert!(html.contains("Sharma &lt;Textiles&gt;") && html.contains("ERP &lt;Standard&gt;"));
        assert!(html.contains("@media print"));
        let commission = q.commission_estimate.first_year;
        assert!(!commission.is_zero());
        assert!(!html.contains(&crate::domain::money::indian_grouping(commission)));
        assert!(!html.to_lowercase().contains("commission"));
        let plain = render(&q, &lead, &reseller).expect("rendered");
        assert!(plain.contains("Registered Name Pvt Ltd") && plain.contains(DEFAULT_PRIMARY));
    }
}
