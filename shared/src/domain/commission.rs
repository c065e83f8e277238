//! Commission (SPEC §6): earned on payment only, as ledger entries per (payment, component,
//! payee). Every amount is computed cumulatively — the order's running total for a component
//! and payee is rounded once, and the entry is what that adds to what was already earned — so
//! any split into instalments earns exactly what one payment would, to the paisa.

use crate::domain::money::{display, round_minor};
use crate::domain::reseller::Tier;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a ledger entry was earned for, as the payout breaks it down (its name is part of the
/// entry's key and of the aggregates' counter names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    Licence,
    AmcFirstYear,
    AmcRenewal,
    Referral,
    Override,
    Margin,
    Clawback,
}

crate::domain::wire_names::wire_names!(Component {
    Licence = "licence",
    AmcFirstYear = "amc_first_year",
    AmcRenewal = "amc_renewal",
    Referral = "referral",
    Override = "override",
    Margin = "margin",
    Clawback = "clawback",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentKind {
    Licence,
    Amc,
    Renewal,
    Milestone,
}

crate::domain::wire_names::wire_names!(PaymentKind {
    Licence = "licence",
    Amc = "amc",
    Renewal = "renewal",
    Milestone = "milestone",
});

/// How a reseller earns (seed 003).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Plan {
    /// the tiered table of SPEC §6
    #[default]
    Tiered,
    /// one fixed licence rate
    RevenueShare { rate: Decimal },
    /// one fixed fee per project, earned with the order's first licence payment
    Project { fee: Decimal },
    /// buys at channel price, sells at its own: earns the margin, not a commission
    Margin,
}

/// A rate band: deals whose licence value is at least `from` earn `rate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub from: Decimal,
    pub rate: Decimal,
}

/// Rates a certification tier may raise (each within its allowed range).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TierRates {
    pub licence_bands: Option<Vec<Band>>,
    pub amc_first_year: Option<Decimal>,
    pub amc_renewal: Option<Decimal>,
    pub customer_referral: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommissionRules {
    pub licence_bands: Vec<Band>,
    pub amc_first_year: Decimal,
    pub amc_renewal: Decimal,
    pub implementation_referral: Decimal,
    /// the referrer's share of the closer's first-year commission, carved out of it
    pub reseller_referral_share: Decimal,
    pub customer_referral: Decimal,
    /// the parent's override on a sub-reseller's commission (an extra entry)
    pub parent_override: Decimal,
    pub tiers: BTreeMap<String, TierRates>,
}

fn pct(n: i64) -> Decimal {
    Decimal::new(n, 2)
}

/// 0.25 → "25%".
pub fn percent(rate: Decimal) -> String {
    format!("{}%", (rate * Decimal::ONE_HUNDRED).normalize())
}

impl Default for CommissionRules {
    fn default() -> Self {
        CommissionRules {
            licence_bands: vec![
                Band {
                    from: Decimal::ZERO,
                    rate: pct(20),
                },
                Band {
                    from: Decimal::from(500_000),
                    rate: pct(25),
                },
                Band {
                    from: Decimal::from(2_500_000),
                    rate: pct(30),
                },
                Band {
                    from: Decimal::from(10_000_000),
                    rate: pct(40),
                },
            ],
            amc_first_year: pct(20),
            amc_renewal: pct(10),
            implementation_referral: pct(10),
            reseller_referral_share: pct(10),
            customer_referral: pct(10),
            parent_override: pct(5),
            tiers: BTreeMap::new(),
        }
    }
}

fn in_range(name: &str, v: Decimal, lo: i64, hi: i64) -> Result<(), String> {
    if v < pct(lo) || v > pct(hi) {
        Err(format!("{name} {v} is outside {lo}%–{hi}%"))
    } else {
        Ok(())
    }
}

impl CommissionRules {
    /// Checks every configured rate against SPEC §6's allowed ranges.
    pub fn validate(&self) -> Result<(), String> {
        let check_bands = |name: &str, bands: &[Band]| -> Result<(), String> {
            if bands.is_empty() || bands[0].from != Decimal::ZERO {
                return Err(format!("{name}: the first band must start at 0"));
            }
            for b in bands {
                in_range(name, b.rate, 20, 40)?;
            }
            Ok(())
        };
        check_bands("licence rate", &self.licence_bands)?;
        in_range("first-year AMC rate", self.amc_first_year, 15, 25)?;
        in_range("renewal AMC rate", self.amc_renewal, 10, 15)?;
        in_range("customer referral rate", self.customer_referral, 10, 20)?;
        for (tier, t) in &self.tiers {
            if Tier::parse(tier).is_none() {
                return Err(format!("unknown certification tier {tier}"));
            }
            if let Some(b) = &t.licence_bands {
                check_bands(&format!("{tier} licence rate"), b)?;
            }
            if let Some(r) = t.amc_first_year {
                in_range(&format!("{tier} first-year AMC rate"), r, 15, 25)?;
            }
            if let Some(r) = t.amc_renewal {
                in_range(&format!("{tier} renewal AMC rate"), r, 10, 15)?;
            }
            if let Some(r) = t.customer_referral {
                in_range(&format!("{tier} customer referral rate"), r, 10, 20)?;
            }
        }
        Ok(())
    }

    /// These rules with one reseller's own rates over its tier's (each rate it sets wins).
    pub fn with_own_rates(&self, tier: Tier, own: &TierRates) -> CommissionRules {
        let mut out = self.clone();
        let base = self.tier(tier).cloned().unwrap_or_default();
        let merged = TierRates {
            licence_bands: own.licence_bands.clone().or(base.licence_bands),
            amc_first_year: own.amc_first_year.or(base.amc_first_year),
            amc_renewal: own.amc_renewal.or(base.amc_renewal),
            customer_referral: own.customer_referral.or(base.customer_referral),
        };
        if let Some(name) = serde_json::to_value(tier)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
        {
            out.tiers.insert(name, merged);
        }
        out
    }

    fn tier(&self, tier: Tier) -> Option<&TierRates> {
        let name = serde_json::to_value(tier).ok()?;
        self.tiers.get(name.as_str()?)
    }

    /// The licence rate for a deal, chosen by the deal's total licence value.
    pub fn licence_rate(&self, tier: Tier, deal_licence_value: Decimal) -> Decimal {
        let bands = self
            .tier(tier)
            .and_then(|t| t.licence_bands.as_ref())
            .unwrap_or(&self.licence_bands);
        bands
            .iter()
            .filter(|b| deal_licence_value >= b.from)
            .map(|b| b.rate)
            .next_back()
            .unwrap_or(Decimal::ZERO)
    }
    fn amc_first_year(&self, tier: Tier) -> Decimal {
        self.tier(tier)
            .and_then(|t| t.amc_first_year)
            .unwrap_or(self.amc_first_year)
    }
    fn amc_renewal(&self, tier: Tier) -> Decimal {
        self.tier(tier).and_then(|t| t.amc_renewal).unwrap_or(self.amc_renewal)
    }
    fn customer_referral(&self, tier: Tier) -> Decimal {
        self.tier(tier)
            .and_then(|t| t.customer_referral)
            .unwrap_or(self.customer_referral)
    }
}

/// What a deal's commission depends on, fixed when the order arrives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deal {
    pub currency: String,
    pub licence_value: Decimal,
    pub closer: String,
    pub closer_tier: Tier,
    pub closer_plan: Plan,
    pub parent: Option<String>,
    /// every reseller above the closer, its parent first (each earns the override); empty on
    /// deals recorded before sub-resellers nested, when `parent` alone counts
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ancestors: Vec<String>,
    /// the closer's own rates (its approval's terms), over its tier's
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rates: Option<TierRates>,
    pub referring_reseller: Option<String>,
    pub customer_referrer: Option<String>,
    /// what a margin-based reseller sells the licences for
    pub sell_price: Option<Decimal>,
}

impl Deal {
    /// The resellers above the closer, nearest first.
    pub fn above_closer(&self) -> Vec<&str> {
        if self.ancestors.is_empty() {
            self.parent.as_deref().into_iter().collect()
        } else {
            self.ancestors.iter().map(String::as_str).collect()
        }
    }
}

/// One ledger entry to write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub payee: String,
    pub component: Component,
    pub base: Decimal,
    pub rate: Decimal,
    pub amount: Decimal,
    pub explanation: String,
    /// commission or margin (a clawback: what it reverses)
    #[serde(default)]
    pub tax_kind: crate::domain::ledger::TaxKind,
}

/// Running totals per order: paid per payment kind, earned per (kind, component, payee).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Earned {
    #[serde(default)]
    pub paid: BTreeMap<String, Decimal>,
    #[serde(default)]
    pub earned: BTreeMap<String, Decimal>,
}

/// An amount that no decimal can hold: the payment is refused, never a panic.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the amounts overflow while computing {0}")]
pub struct Overflow(pub &'static str);

fn add(a: Decimal, b: Decimal, what: &'static str) -> Result<Decimal, Overflow> {
    a.checked_add(b).ok_or(Overflow(what))
}
fn sub(a: Decimal, b: Decimal, what: &'static str) -> Result<Decimal, Overflow> {
    a.checked_sub(b).ok_or(Overflow(what))
}
fn mul(a: Decimal, b: Decimal, what: &'static str) -> Result<Decimal, Overflow> {
    a.checked_mul(b).ok_or(Overflow(what))
}
fn div(a: Decimal, b: Decimal, what: &'static str) -> Result<Decimal, Overflow> {
    a.checked_div(b).ok_or(Overflow(what))
}

struct Builder<'a> {
    kind: PaymentKind,
    currency: &'a str,
    earned: &'a Earned,
    base: Decimal,
    out: Vec<Draft>,
    updates: BTreeMap<String, Decimal>,
}

impl Builder<'_> {
    /// Adds the entry that brings (component, payee) to `target` (a cumulative amount).
    fn reach(
        &mut self,
        component: Component,
        payee: &str,
        rate: Decimal,
        target: Decimal,
        explanation: String,
    ) -> Result<(), Overflow> {
        // one running total per kind of payment: a licence share and an AMC share of the same
        // component never offset each other
        let k = format!("{}|{component}|{payee}", self.kind.as_str());
        let target = round_minor(target, self.currency);
        let before = self.earned.earned.get(&k).copied().unwrap_or(Decimal::ZERO);
        let amount = sub(target, before, "an entry")?;
        self.updates.insert(k, target);
        if !amount.is_zero() {
            self.out.push(Draft {
                payee: payee.to_string(),
                component,
                base: self.base,
                rate,
                amount,
                explanation,
                tax_kind: crate::domain::ledger::TaxKind::of(component),
            });
        }
        Ok(())
    }
}

/// The entries a payment earns, and the order's new running totals — or, for amounts no
/// decimal can hold, an error (checked arithmetic throughout: never a panic).
pub fn for_payment(
    deal: &Deal,
    kind: PaymentKind,
    amount: Decimal,
    earned: &Earned,
    rules: &CommissionRules,
) -> Result<(Vec<Draft>, Earned), Overflow> {
    // a closer with its own rates: those, over its tier's, over the programme's
    let overlaid;
    let rules = match &deal.rates {
        Some(own) => {
            overlaid = rules.with_own_rates(deal.closer_tier, own);
            &overlaid
        }
        None => rules,
    };
    let paid_before = earned.paid.get(kind.as_str()).copied().unwrap_or(Decimal::ZERO);
    let cumulative = add(paid_before, amount, "the order's running total")?;
    let cur = deal.currency.as_str();
    let show = |d: Decimal| display(d, cur);
    let mut b = Builder {
        kind,
        currency: cur,
        earned,
        base: amount,
        out: vec![],
        updates: BTreeMap::new(),
    };
    let closer = deal.closer.as_str();

    // The closer's gross commission for this kind of payment, cumulative over the order.
    let (component, rate, why) = match kind {
        PaymentKind::Licence => match &deal.closer_plan {
            Plan::Tiered => (
                Component::Licence,
                rules.licence_rate(deal.closer_tier, deal.licence_value),
                format!("licence tier for a deal of {}", show(deal.licence_value)),
            ),
            Plan::RevenueShare { rate } => (Component::Licence, *rate, "revenue-share plan".to_string()),
            Plan::Project { .. } | Plan::Margin => (Component::Licence, Decimal::ZERO, String::new()),
        },
        PaymentKind::Amc => (
            Component::AmcFirstYear,
            rules.amc_first_year(deal.closer_tier),
            "first-year AMC".to_string(),
        ),
        PaymentKind::Renewal => (
            Component::AmcRenewal,
            rules.amc_renewal(deal.closer_tier),
            "AMC renewal".to_string(),
        ),
        PaymentKind::Milestone => (
            Component::Referral,
            rules.implementation_referral,
            "implementation referral".to_string(),
        ),
    };
    let mut closer_total = round_minor(mul(cumulative, rate, "the closer's commission")?, cur);
    // Reseller-to-reseller referral: carved out of the closer's first-year commission.
    let first_year = matches!(kind, PaymentKind::Licence | PaymentKind::Amc);
    if let (true, Some(referrer)) = (first_year, deal.referring_reseller.as_deref()) {
        if !closer_total.is_zero() {
            let share = round_minor(
                mul(closer_total, rules.reseller_referral_share, "the referral share")?,
                cur,
            );
            b.reach(
                Component::Referral,
                referrer,
                rules.reseller_referral_share,
                share,
                format!(
                    "{} of {closer}'s {component} commission {} (reseller referral, carved out)",
                    percent(rules.reseller_referral_share),
                    show(closer_total)
                ),
            )?;
            closer_total = sub(closer_total, share, "the carve-out")?;
        }
    }
    if !rate.is_zero() {
        let carve = if first_year && deal.referring_reseller.is_some() {
            ", less the referrer's share"
        } else {
            ""
        };
        b.reach(
            component,
            closer,
            rate,
            closer_total,
            format!(
                "{} × {} paid on {} ({why}){carve}",
                percent(rate),
                show(cumulative),
                kind.as_str()
            ),
        )?;
    }
    // Project plan: the fixed fee, once, with the first licence payment.
    if let (PaymentKind::Licence, Plan::Project { fee }) = (kind, &deal.closer_plan) {
        closer_total = *fee;
        b.reach(
            Component::Licence,
            closer,
            Decimal::ZERO,
            *fee,
            format!("project fee {} (project-based plan)", show(*fee)),
        )?;
    }
    // Margin plan: the difference between its sell price and the channel price, pro rata.
    if let (PaymentKind::Licence, Plan::Margin, Some(sell)) = (kind, &deal.closer_plan, deal.sell_price) {
        if sell > deal.licence_value && !sell.is_zero() {
            let margin_rate = div(sub(sell, deal.licence_value, "the margin")?, sell, "the margin rate")?;
            let target = mul(cumulative, margin_rate, "the margin")?;
            b.reach(
                Component::Margin,
                closer,
                margin_rate,
                target,
                format!(
                    "margin: sells at {}, channel price {}",
                    show(sell),
                    show(deal.licence_value)
                ),
            )?;
        }
    }
    // Overrides: an extra entry for every reseller above the closer (SPEC §6, seed 002), each
    // a share of the sub-reseller's own commission.
    if !closer_total.is_zero() && deal.closer_plan != Plan::Margin {
        for ancestor in deal.above_closer() {
            let target = mul(closer_total, rules.parent_override, "the parent override")?;
            b.reach(
                Component::Override,
                ancestor,
                rules.parent_override,
                target,
                format!(
                    "{} override on sub-reseller {closer}'s {} {component}",
                    percent(rules.parent_override),
                    show(closer_total)
                ),
            )?;
        }
    }
    // Customer referral: a share of the referred deal's licence payments.
    if let (PaymentKind::Licence, Some(referrer)) = (kind, deal.customer_referrer.as_deref()) {
        let r = rules.customer_referral(deal.closer_tier);
        b.reach(
            Component::Referral,
            referrer,
            r,
            mul(cumulative, r, "the customer referral fee")?,
            format!(
                "{} customer referral fee on {} of licence paid",
                percent(r),
                show(cumulative)
            ),
        )?;
    }

    let mut next = earned.clone();
    next.paid.insert(kind.as_str().to_string(), cumulative);
    next.earned.extend(b.updates);
    Ok((b.out, next))
}

/// Clawbacks for a refund: each original entry of the payment, reversed in proportion to what
/// was refunded so far (cumulatively rounded, so a full refund reverses exactly).
pub fn for_refund(
    originals: &[Draft],
    payment_amount: Decimal,
    refunded_before: Decimal,
    refund: Decimal,
    currency: &str,
) -> Result<Vec<Draft>, Overflow> {
    if payment_amount.is_zero() {
        return Ok(vec![]);
    }
    let after = add(refunded_before, refund, "the refunded total")?;
    let share = |amount: Decimal, refunded: Decimal| -> Result<Decimal, Overflow> {
        let part = div(mul(amount, refunded, "a clawback")?, payment_amount, "a clawback")?;
        Ok(round_minor(part, currency))
    };
    let mut out = Vec::new();
    for o in originals {
        let amount = -sub(share(o.amount, after)?, share(o.amount, refunded_before)?, "a clawback")?;
        if amount.is_zero() {
            continue;
        }
        out.push(Draft {
            payee: o.payee.clone(),
            component: Component::Clawback,
            tax_kind: crate::domain::ledger::TaxKind::of(o.component),
            base: refund,
            rate: o.rate,
            amount,
            explanation: format!(
                "refund of {} on a {} payment reverses that share of {} {}",
                display(refund, currency),
                display(payment_amount, currency),
                o.component,
                display(o.amount, currency)
            ),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn deal(licence: &str) -> Deal {
        Deal {
            currency: "INR".into(),
            licence_value: d(licence),
            closer: "closer".into(),
            closer_tier: Tier::Registered,
            closer_plan: Plan::Tiered,
            parent: None,
            ancestors: vec![],
            rates: None,
            referring_reseller: None,
            customer_referrer: None,
            sell_price: None,
        }
    }

    fn pay(deal: &Deal, kind: PaymentKind, amount: &str, earned: &Earned) -> (Vec<Draft>, Earned) {
        for_payment(deal, kind, d(amount), earned, &CommissionRules::default()).unwrap()
    }

    fn total_for(entries: &[Draft], payee: &str) -> Decimal {
        entries.iter().filter(|e| e.payee == payee).map(|e| e.amount).sum()
    }

    #[test]
    fn a_resellers_own_rates_win_over_its_tiers() {
        let mut own = deal("1000000");
        own.rates = Some(TierRates {
            amc_first_year: Some(d("0.25")),
            ..Default::default()
        });
        let (amc, _) = pay(&own, PaymentKind::Amc, "200000", &Earned::default());
        assert_eq!(total_for(&amc, "closer"), d("50000"));
        // what it does not set comes from the tier and the programme
        let (lic, _) = pay(&own, PaymentKind::Licence, "1000000", &Earned::default());
        assert_eq!(total_for(&lic, "closer"), d("250000"));
    }

    #[test]
    fn every_reseller_above_the_closer_earns_its_override() {
        let mut nested = deal("1000000");
        nested.parent = Some("parent".into());
        nested.ancestors = vec!["parent".into(), "grandparent".into()];
        let (entries, _) = pay(&nested, PaymentKind::Licence, "1000000", &Earned::default());
        assert_eq!(total_for(&entries, "closer"), d("250000"));
        assert_eq!(total_for(&entries, "parent"), d("12500"));
        assert_eq!(total_for(&entries, "grandparent"), d("12500"));
        // a deal recorded before nesting: its parent alone
        nested.ancestors.clear();
        let (entries, _) = pay(&nested, PaymentKind::Licence, "1000000", &Earned::default());
        assert_eq!(
            (total_for(&entries, "parent"), total_for(&entries, "grandparent")),
            (d("12500"), d("0"))
        );
    }

    #[test]
    fn worked_example_licence_amc_and_renewal() {
        let deal = deal("1000000");
        let (lic, e) = pay(&deal, PaymentKind::Licence, "1000000", &Earned::default());
        assert_eq!(lic.len(), 1);
        assert_eq!(
            (lic[0].component, lic[0].rate, lic[0].amount),
            (Component::Licence, d("0.25"), d("250000.00"))
        );
        let (amc, e) = pay(&deal, PaymentKind::Amc, "200000", &e);
        assert_eq!(
            (amc[0].component, amc[0].amount),
            (Component::AmcFirstYear, d("40000.00"))
        );
        assert_eq!(total_for(&lic, "closer") + total_for(&amc, "closer"), d("290000.00"));
        let (renewal, _) = pay(&deal, PaymentKind::Renewal, "200000", &e);
        assert_eq!(
            (renewal[0].component, renewal[0].amount),
            (Component::AmcRenewal, d("20000.00"))
        );
    }

    #[test]
    fn tier_boundaries_follow_the_deal_value() {
        let r = CommissionRules::default();
        for (value, rate) in [
            ("499999.99", "0.20"),
            ("500000", "0.25"),
            ("2500000", "0.30"),
            ("10000000", "0.40"),
        ] {
            assert_eq!(r.licence_rate(Tier::Registered, d(value)), d(rate), "{value}");
        }
        // the tier is the deal's, not the payment's: a small payment on a large deal earns 40%
        let (e, _) = pay(&deal("10000000"), PaymentKind::Licence, "100000", &Earned::default());
        assert_eq!(e[0].amount, d("40000.00"));
    }

    #[test]
    fn instalments_earn_exactly_what_one_payment_earns() {
        let deal = deal("1000000");
        let mut earned = Earned::default();
        let mut total = Decimal::ZERO;
        for part in ["333333.33", "333333.33", "333333.34"] {
            let (e, next) = pay(&deal, PaymentKind::Licence, part, &earned);
            total += total_for(&e, "closer");
            earned = next;
        }
        assert_eq!(total, d("250000.00"));
        // an awkward split where per-payment rounding would drift
        let deal = deal_with_value("999.99");
        let mut earned = Earned::default();
        let mut total = Decimal::ZERO;
        for part in ["0.03", "0.03", "999.93"] {
            let (e, next) = pay(&deal, PaymentKind::Licence, part, &earned);
            total += total_for(&e, "closer");
            earned = next;
        }
        let (one, _) = pay(&deal, PaymentKind::Licence, "999.99", &Earned::default());
        assert_eq!(total, total_for(&one, "closer"));
    }

    fn deal_with_value(v: &str) -> Deal {
        deal(v)
    }

    #[test]
    fn reseller_referral_is_carved_out_of_first_year_commission() {
        let mut deal = deal("1000000");
        deal.referring_reseller = Some("referrer".into());
        let (lic, e) = pay(&deal, PaymentKind::Licence, "1000000", &Earned::default());
        let (amc, e) = pay(&deal, PaymentKind::Amc, "200000", &e);
        let all: Vec<Draft> = lic.into_iter().chain(amc).collect();
        assert_eq!(total_for(&all, "referrer"), d("29000.00"));
        assert_eq!(total_for(&all, "closer"), d("261000.00"));
        // renewals are not first-year: no carve-out
        let (renewal, _) = pay(&deal, PaymentKind::Renewal, "200000", &e);
        assert_eq!(total_for(&renewal, "closer"), d("20000.00"));
        assert_eq!(total_for(&renewal, "referrer"), Decimal::ZERO);
    }

    #[test]
    fn customer_referral_override_project_and_margin() {
        let mut deal = deal("1000000");
        deal.customer_referrer = Some("customer-ref".into());
        deal.parent = Some("parent".into());
        let (e, _) = pay(&deal, PaymentKind::Licence, "1000000", &Earned::default());
        assert_eq!(total_for(&e, "customer-ref"), d("100000.00"));
        assert_eq!(total_for(&e, "closer"), d("250000.00"));
        assert_eq!(total_for(&e, "parent"), d("12500.00"));
        assert!(e
            .iter()
            .any(|x| x.payee == "parent" && x.component == Component::Override));

        let mut project = deal_with_value("1000000");
        project.closer_plan = Plan::Project { fee: d("75000") };
        let (first, earned) = pay(&project, PaymentKind::Licence, "400000", &Earned::default());
        let (second, _) = pay(&project, PaymentKind::Licence, "600000", &earned);
        assert_eq!(total_for(&first, "closer"), d("75000"));
        assert!(second.is_empty(), "the fee is earned once");

        let mut margin = deal_with_value("1000000");
        margin.closer_plan = Plan::Margin;
        margin.sell_price = Some(d("1250000"));
        let (e, _) = pay(&margin, PaymentKind::Licence, "1250000", &Earned::default());
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].component, e[0].amount), (Component::Margin, d("250000.00")));
    }

    #[test]
    fn refunds_reverse_exactly_and_never_edit() {
        let deal = deal("1000000");
        let (orig, _) = pay(&deal, PaymentKind::Licence, "1000000", &Earned::default());
        let part = for_refund(&orig, d("1000000"), Decimal::ZERO, d("333333.33"), "INR").unwrap();
        let rest = for_refund(&orig, d("1000000"), d("333333.33"), d("666666.67"), "INR").unwrap();
        let net = total_for(&orig, "closer") + total_for(&part, "closer") + total_for(&rest, "closer");
        assert_eq!(net, d("0.00"));
        assert!(part
            .iter()
            .all(|e| e.component == Component::Clawback && e.amount < Decimal::ZERO));
    }

    #[test]
    fn tier_overrides_stay_within_ranges() {
        let mut r = CommissionRules::default();
        r.tiers.insert(
            "gold".into(),
            TierRates {
                amc_first_year: Some(d("0.25")),
                ..Default::default()
            },
        );
        assert!(r.validate().is_ok());
        let mut deal = deal("1000000");
        deal.closer_tier = Tier::Gold;
        let (e, _) = for_payment(&deal, PaymentKind::Amc, d("200000"), &Earned::default(), &r).unwrap();
        assert_eq!(e[0].amount, d("50000.00"));
        r.tiers.insert(
            "gold".into(),
            TierRates {
                amc_first_year: Some(d("0.30")),
                ..Default::default()
            },
        );
        assert!(r.validate().is_err());
        r.tiers.clear();
        r.licence_bands[3].rate = d("0.45");
        assert!(r.validate().is_err());
    }

    #[test]
    fn amounts_no_decimal_holds_are_an_error_not_a_panic() {
        let deal = deal("1000000");
        let (_, earned) = pay(
            &deal,
            PaymentKind::Licence,
            "12345678901234567890123",
            &Earned::default(),
        );
        let huge = d("79228162514264337593543950335");
        let r = for_payment(&deal, PaymentKind::Licence, huge, &earned, &CommissionRules::default());
        assert!(r.is_err(), "{r:?}");
        let (orig, _) = pay(&deal, PaymentKind::Licence, "1000000", &Earned::default());
        assert!(for_refund(&orig, d("0.01"), Decimal::ZERO, huge, "INR").is_err());
    }

    #[test]
    fn usd_stays_usd() {
        let mut deal = deal("10000");
        deal.currency = "USD".into();
        let (e, _) = pay(&deal, PaymentKind::Licence, "10000", &Earned::default());
        assert_eq!(e[0].amount, d("2000.00"));
        assert!(e[0].explanation.contains("USD"));
    }
}
