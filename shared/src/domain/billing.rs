//! What billing systems send: orders, payments, refunds — validated, with money read exactly
//! (decimal strings, or JSON numbers taken from their text, never through a float).

use crate::domain::commission::PaymentKind;
use crate::domain::lead::FieldError;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use std::str::FromStr;

/// Currencies the platform accepts (ISO 4217).
pub const CURRENCIES: &[&str] = &[
    "INR", "USD", "EUR", "GBP", "AED", "SGD", "AUD", "CAD", "SAR", "JPY", "MYR", "LKR", "NPR", "BDT",
];

/// A money amount as sent: `"1000000.00"` or `1000000.00`, read from its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Amount(pub Result<Decimal, String>);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        let text = raw.get().trim();
        let inner = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
        let parsed = if inner.contains(['e', 'E']) {
            Decimal::from_scientific(inner)
        } else {
            Decimal::from_str(inner)
        };
        Ok(Amount(parsed.map_err(|_| format!("{text} is not a decimal amount"))))
    }
}

fn err(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// A positive amount with at most the currency's minor digits.
fn positive(field: &str, a: &Option<Amount>, errors: &mut Vec<FieldError>) -> Decimal {
    match a {
        None => {
            errors.push(err(field, "is required"));
            Decimal::ZERO
        }
        Some(Amount(Err(e))) => {
            errors.push(err(field, e.clone()));
            Decimal::ZERO
        }
        Some(Amount(Ok(v))) if *v <= Decimal::ZERO => {
            errors.push(err(field, "must be greater than zero"));
            Decimal::ZERO
        }
        Some(Amount(Ok(v))) if v.scale() > 2 && v.normalize().scale() > 2 => {
            errors.push(err(field, "has more than 2 decimal places"));
            Decimal::ZERO
        }
        Some(Amount(Ok(v))) => *v,
    }
}

fn id(field: &str, v: &Option<String>, errors: &mut Vec<FieldError>) -> String {
    match v.as_deref().map(str::trim) {
        Some(s)
            if !s.is_empty()
                && s.len() <= 128
                && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c)) =>
        {
            s.to_string()
        }
        Some(_) => {
            errors.push(err(field, "must be 1–128 letters, digits or -_.:/"));
            String::new()
        }
        None => {
            errors.push(err(field, "is required"));
            String::new()
        }
    }
}

fn currency(v: &Option<String>, errors: &mut Vec<FieldError>) -> String {
    match v.as_deref().map(|c| c.trim().to_uppercase()) {
        Some(c) if CURRENCIES.contains(&c.as_str()) => c,
        Some(c) => {
            errors.push(err("currency", format!("unknown currency {c}")));
            String::new()
        }
        None => {
            errors.push(err("currency", "is required"));
            String::new()
        }
    }
}

fn timestamp(field: &str, v: &Option<String>, errors: &mut Vec<FieldError>) -> DateTime<Utc> {
    match v.as_deref().map(DateTime::parse_from_rfc3339) {
        Some(Ok(t)) => t.with_timezone(&Utc),
        Some(Err(_)) => {
            errors.push(err(field, "must be an RFC 3339 timestamp"));
            DateTime::<Utc>::MIN_UTC
        }
        None => {
            errors.push(err(field, "is required"));
            DateTime::<Utc>::MIN_UTC
        }
    }
}

fn done<T>(value: T, errors: Vec<FieldError>) -> Result<T, Vec<FieldError>> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(errors)
    }
}

#[derive(Debug, Deserialize)]
pub struct OrderLineIn {
    pub kind: Option<String>,
    pub product: Option<String>,
    pub amount: Option<Amount>,
}

#[derive(Debug, Default, Deserialize)]
pub struct CustomerIn {
    pub name: Option<String>,
    pub domain: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct OrderIn {
    pub order_id: Option<String>,
    pub lead_id: Option<String>,
    pub reseller_id: Option<String>,
    #[serde(default)]
    pub customer: CustomerIn,
    pub customer_po: Option<String>,
    pub vendor_po: Option<String>,
    pub currency: Option<String>,
    #[serde(default)]
    pub lines: Vec<OrderLineIn>,
    pub referring_reseller_id: Option<String>,
    pub referral_code: Option<String>,
    pub sell_price: Option<Amount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    pub kind: String,
    pub product: String,
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub name: String,
    pub domain: Option<String>,
}

/// A valid order as the billing system described it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderFacts {
    pub order_id: String,
    pub lead_id: String,
    pub reseller_id: String,
    pub customer: Customer,
    pub customer_po: Option<String>,
    pub vendor_po: Option<String>,
    pub currency: String,
    pub lines: Vec<OrderLine>,
    pub referring_reseller_id: Option<String>,
    pub referral_code: Option<String>,
    pub sell_price: Option<Decimal>,
}

impl OrderFacts {
    pub fn total(&self, kind: &str) -> Decimal {
        self.lines.iter().filter(|l| l.kind == kind).map(|l| l.amount).sum()
    }
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(200).collect())
}

pub fn validate_order(o: &OrderIn) -> Result<OrderFacts, Vec<FieldError>> {
    let mut e = Vec::new();
    let order_id = id("order_id", &o.order_id, &mut e);
    let lead_id = id("lead_id", &o.lead_id, &mut e);
    let reseller_id = id("reseller_id", &o.reseller_id, &mut e);
    let currency = currency(&o.currency, &mut e);
    let name = text(&o.customer.name).unwrap_or_else(|| {
        e.push(err("customer.name", "is required"));
        String::new()
    });
    if o.lines.is_empty() {
        e.push(err("lines", "at least one line is required"));
    }
    let mut lines = Vec::new();
    for (i, l) in o.lines.iter().enumerate() {
        let kind = l.kind.as_deref().unwrap_or("");
        if !["licence", "amc", "services"].contains(&kind) {
            e.push(err(&format!("lines[{i}].kind"), "must be licence, amc or services"));
        }
        let amount = positive(&format!("lines[{i}].amount"), &l.amount, &mut e);
        lines.push(OrderLine {
            kind: kind.to_string(),
            product: text(&l.product).unwrap_or_default(),
            amount,
        });
    }
    let sell_price = o
        .sell_price
        .as_ref()
        .map(|s| positive("sell_price", &Some(s.clone()), &mut e));
    let referring = o
        .referring_reseller_id
        .as_ref()
        .map(|r| id("referring_reseller_id", &Some(r.clone()), &mut e));
    if referring.is_some() && referring.as_deref() == Some(reseller_id.as_str()) {
        e.push(err("referring_reseller_id", "a reseller cannot refer its own deal"));
    }
    done(
        OrderFacts {
            order_id,
            lead_id,
            reseller_id,
            customer: Customer {
                name,
                domain: text(&o.customer.domain).map(|d| d.to_lowercase()),
            },
            customer_po: text(&o.customer_po),
            vendor_po: text(&o.vendor_po),
            currency,
            lines,
            referring_reseller_id: referring,
            referral_code: text(&o.referral_code),
            sell_price,
        },
        e,
    )
}

#[derive(Debug, Deserialize)]
pub struct PaymentIn {
    pub payment_id: Option<String>,
    pub order_id: Option<String>,
    pub kind: Option<String>,
    pub amount: Option<Amount>,
    pub currency: Option<String>,
    pub paid_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentFacts {
    pub payment_id: String,
    pub order_id: String,
    pub kind: PaymentKind,
    pub amount: Decimal,
    pub currency: String,
    pub paid_at: DateTime<Utc>,
}

pub fn validate_payment(p: &PaymentIn) -> Result<PaymentFacts, Vec<FieldError>> {
    let mut e = Vec::new();
    let payment_id = id("payment_id", &p.payment_id, &mut e);
    let order_id = id("order_id", &p.order_id, &mut e);
    let kind = p.kind.as_deref().and_then(PaymentKind::parse).unwrap_or_else(|| {
        e.push(err("kind", "must be licence, amc, renewal or milestone"));
        PaymentKind::Licence
    });
    let amount = positive("amount", &p.amount, &mut e);
    let currency = currency(&p.currency, &mut e);
    let paid_at = timestamp("paid_at", &p.paid_at, &mut e);
    done(
        PaymentFacts {
            payment_id,
            order_id,
            kind,
            amount,
            currency,
            paid_at,
        },
        e,
    )
}

#[derive(Debug, Deserialize)]
pub struct RefundIn {
    pub refund_id: Option<String>,
    pub payment_id: Option<String>,
    pub amount: Option<Amount>,
    pub reason: Option<String>,
    pub refunded_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundFacts {
    pub refund_id: String,
    pub payment_id: String,
    pub amount: Decimal,
    pub reason: String,
    pub refunded_at: DateTime<Utc>,
}

pub fn validate_refund(r: &RefundIn) -> Result<RefundFacts, Vec<FieldError>> {
    let mut e = Vec::new();
    let refund_id = id("refund_id", &r.refund_id, &mut e);
    let payment_id = id("payment_id", &r.payment_id, &mut e);
    let amount = positive("amount", &r.amount, &mut e);
    let refunded_at = timestamp("refunded_at", &r.refunded_at, &mut e);
    done(
        RefundFacts {
            refund_id,
            payment_id,
            amount,
            reason: text(&r.reason).unwrap_or_default(),
            refunded_at,
        },
        e,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_exactly_from_strings_and_numbers() {
        let p: PaymentIn = serde_json::from_str(
            r#"{"payment_id":"p1","order_id":"o1","kind":"licence","amount":1000000.10,"currency":"inr","paid_at":"2026-10-05T10:00:00+05:30"}"#,
        )
        .unwrap();
        let f = validate_payment(&p).unwrap();
        assert_eq!(f.amount.to_string(), "1000000.10");
        assert_eq!(f.currency, "INR");
        let q: PaymentIn = serde_json::from_str(r#"{"amount":"0.1"}"#).unwrap();
        assert_eq!(q.amount.unwrap().0.unwrap().to_string(), "0.1");
        // 0.1 + 0.2 as floats is not 0.3; as text it is
        let big: PaymentIn = serde_json::from_str(r#"{"amount":12345678901234567.89}"#).unwrap();
        assert_eq!(big.amount.unwrap().0.unwrap().to_string(), "12345678901234567.89");
    }

    #[test]
    fn invalid_fields_are_all_reported() {
        let p: PaymentIn = serde_json::from_str(
            r#"{"payment_id":"p 1","kind":"gift","amount":"-5","currency":"XYZ","paid_at":"yesterday"}"#,
        )
        .unwrap();
        let errors = validate_payment(&p).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["payment_id", "order_id", "kind", "amount", "currency", "paid_at"]
        );
        let zero: PaymentIn = serde_json::from_str(r#"{"amount":0}"#).unwrap();
        assert!(validate_payment(&zero)
            .unwrap_err()
            .iter()
            .any(|e| e.field == "amount" && e.message.contains("greater than zero")));
        let paise: PaymentIn = serde_json::from_str(r#"{"amount":"1.005"}"#).unwrap();
        assert!(validate_payment(&paise)
            .unwrap_err()
            .iter()
            .any(|e| e.field == "amount" && e.message.contains("decimal places")));
    }
}
