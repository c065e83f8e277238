//! What billing systems send: orders, payments, refunds — validated, with money read exactly
//! (decimal strings, or JSON numbers taken from their text, never through a float).

use crate::domain::catalogue::ProductKind;
use crate::domain::commission::{Deal, Draft, Earned, PaymentKind};
use crate::domain::field::FieldError;
use crate::domain::money::parse_decimal;
use crate::domain::text::{self, Lines};
use chrono::Datelike;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

/// Currencies the platform accepts (ISO 4217).
pub const CURRENCIES: &[&str] = &[
    "INR", "USD", "EUR", "GBP", "AED", "SGD", "AUD", "CAD", "SAR", "JPY", "MYR", "LKR", "NPR", "BDT",
];

/// A money amount as sent: `"1000000.00"` or `1000000.00`, read from its text with the one
/// strict grammar of [`parse_decimal`] (no exponent, sign, separators or bare `.`).
#[derive(Debug, Clone, PartialEq)]
pub struct Amount(pub Result<Decimal, String>);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        let text = raw.get().trim();
        let parsed = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            Some(inner) => parse_decimal(inner),
            None if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => parse_decimal(text),
            None => Err(format!("{text} is not a decimal amount")),
        };
        Ok(Amount(parsed))
    }
}

/// The largest amounts a billing system may send (configuration, `RULES_JSON` `billing`):
/// bounds that no real order reaches and that keep every sum far from overflowing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BillingLimits {
    /// one order line, one payment, one refund
    pub max_line_amount: Decimal,
    /// all lines of one order together
    pub max_order_amount: Decimal,
}

impl Default for BillingLimits {
    fn default() -> Self {
        BillingLimits {
            // ₹1,000 crore a line, ₹5,000 crore an order
            max_line_amount: Decimal::from(10_000_000_000_i64),
            max_order_amount: Decimal::from(50_000_000_000_i64),
        }
    }
}

/// Timestamps outside this window are typing or system errors, not business dates.
pub const EARLIEST_YEAR: i32 = 2000;
pub const LATEST_YEAR: i32 = 2099;

/// How far ahead of the platform's clock a reported moment (a payment, a refund, a transfer)
/// may be: the sender's clock may run a little fast, never into next week.
pub const CLOCK_SKEW_MINUTES: i64 = 15;

/// A moment that has happened: not after `now` (plus the allowed skew).
pub fn not_in_future(field: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), FieldError> {
    if at > now + chrono::Duration::minutes(CLOCK_SKEW_MINUTES) {
        Err(err(field, "is in the future"))
    } else {
        Ok(())
    }
}

/// An amount that must travel as a decimal string (`"1000.00"`): a JSON number is refused,
/// as money is never a float on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct AmountText(pub Amount);

impl<'de> Deserialize<'de> for AmountText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        let text = raw.get().trim();
        Ok(AmountText(Amount(
            match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
                Some(inner) => parse_decimal(inner),
                None => Err(format!("must be a decimal string such as \"1000.00\", not {text}")),
            },
        )))
    }
}

fn err(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// A positive amount with at most 2 decimals, no larger than `max`: how every money field
/// from outside is read.
pub fn positive(field: &str, a: &Option<Amount>, max: Decimal, errors: &mut Vec<FieldError>) -> Decimal {
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
        Some(Amount(Ok(v))) if *v > max => {
            errors.push(err(field, format!("must be at most {max}")));
            Decimal::ZERO
        }
        Some(Amount(Ok(v))) => *v,
    }
}

/// An identifier from another system: 1–128 letters, digits or `-_.:/`.
pub fn id(field: &str, v: &Option<String>, errors: &mut Vec<FieldError>) -> String {
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

/// An RFC 3339 timestamp with a `T` between date and time (`2026-10-05T10:00:00+05:30`),
/// within the plausible window.
pub fn timestamp(field: &str, v: &Option<String>, errors: &mut Vec<FieldError>) -> DateTime<Utc> {
    let Some(text) = v.as_deref() else {
        errors.push(err(field, "is required"));
        return DateTime::<Utc>::MIN_UTC;
    };
    let parsed = (text.as_bytes().get(10) == Some(&b'T'))
        .then(|| DateTime::parse_from_rfc3339(text).ok())
        .flatten();
    match parsed {
        Some(t) if (EARLIEST_YEAR..=LATEST_YEAR).contains(&t.year()) => t.with_timezone(&Utc),
        Some(_) => {
            errors.push(err(field, format!("must be between {EARLIEST_YEAR} and {LATEST_YEAR}")));
            DateTime::<Utc>::MIN_UTC
        }
        None => {
            errors.push(err(
                field,
                "must be an RFC 3339 timestamp such as 2026-10-05T10:00:00+05:30",
            ));
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OrderLineIn {
    pub kind: Option<String>,
    pub product: Option<String>,
    /// a decimal string ("1000000.00"), at most 2 decimals
    #[schema(value_type = Option<String>)]
    pub amount: Option<Amount>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CustomerIn {
    pub name: Option<String>,
    pub domain: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
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
    #[schema(value_type = Option<String>)]
    pub sell_price: Option<Amount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    pub kind: ProductKind,
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
    pub fn total(&self, kind: ProductKind) -> Decimal {
        self.lines.iter().filter(|l| l.kind == kind).map(|l| l.amount).sum()
    }

    /// What payments of this kind may add up to on this order: its licence lines, its AMC
    /// lines, its services lines (milestones). Renewals recur every year and are bounded per
    /// payment only (`None`).
    /// The kind of line a payment of `kind` pays (a renewal pays the AMC lines again).
    pub fn line_kind(kind: PaymentKind) -> ProductKind {
        match kind {
            PaymentKind::Licence => ProductKind::Licence,
            PaymentKind::Amc | PaymentKind::Renewal => ProductKind::Amc,
            PaymentKind::Milestone => ProductKind::Services,
        }
    }

    /// The products a payment of `kind` pays for, each with its line amount (its weight).
    pub fn products(&self, kind: PaymentKind) -> Vec<(String, Decimal)> {
        let mut out: Vec<(String, Decimal)> = Vec::new();
        for l in self.lines.iter().filter(|l| l.kind == Self::line_kind(kind)) {
            match out.iter_mut().find(|(p, _)| *p == l.product) {
                Some((_, w)) => *w += l.amount,
                None => out.push((l.product.clone(), l.amount)),
            }
        }
        out
    }

    pub fn payable(&self, kind: PaymentKind) -> Option<Decimal> {
        match kind {
            PaymentKind::Renewal => None,
            other => Some(self.total(Self::line_kind(other))),
        }
    }
}

/// Why a payment cannot be applied to its order in full: it pays more than is left on the
/// order's lines of its kind. `None` when it fits.
pub fn overpayment(order: &OrderFacts, kind: PaymentKind, paid_before: Decimal, amount: Decimal) -> Option<String> {
    let payable = order.payable(kind)?;
    let left = (payable - paid_before).max(Decimal::ZERO);
    (amount > left).then(|| {
        format!(
            "a {} payment of {amount} is more than the {left} {} left to pay on order {}'s {} lines",
            kind.as_str(),
            order.currency,
            order.order_id,
            match kind {
                PaymentKind::Milestone => "services",
                other => other.as_str(),
            }
        )
    })
}

fn text(field: &str, v: &Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    text::collect(text::optional(field, v.as_deref(), 200, Lines::Single), errors).flatten()
}

pub fn validate_order(o: &OrderIn, limits: &BillingLimits) -> Result<OrderFacts, Vec<FieldError>> {
    let mut e = Vec::new();
    let order_id = id("order_id", &o.order_id, &mut e);
    let lead_id = id("lead_id", &o.lead_id, &mut e);
    let reseller_id = id("reseller_id", &o.reseller_id, &mut e);
    let currency = currency(&o.currency, &mut e);
    let name = text::collect(
        text::required("customer.name", o.customer.name.as_deref(), 200, Lines::Single),
        &mut e,
    )
    .unwrap_or_default();
    if o.lines.is_empty() {
        e.push(err("lines", "at least one line is required"));
    }
    let mut lines = Vec::new();
    for (i, l) in o.lines.iter().enumerate() {
        let given = l.kind.as_deref().unwrap_or("");
        // exactly these three words (the catalogue's parser also takes "license")
        let kind = ["licence", "amc", "services"]
            .contains(&given)
            .then(|| ProductKind::parse(given))
            .flatten();
        if kind.is_none() {
            e.push(err(&format!("lines[{i}].kind"), "must be licence, amc or services"));
        }
        let amount = positive(&format!("lines[{i}].amount"), &l.amount, limits.max_line_amount, &mut e);
        lines.push(OrderLine {
            kind: kind.unwrap_or(ProductKind::Licence),
            product: text(&format!("lines[{i}].product"), &l.product, &mut e).unwrap_or_default(),
            amount,
        });
    }
    // each line is bounded, so this sum cannot overflow
    let order_total: Decimal = lines.iter().map(|l| l.amount).sum();
    if order_total > limits.max_order_amount {
        e.push(err(
            "lines",
            format!("the order's lines add up to more than {}", limits.max_order_amount),
        ));
    }
    let sell_price = o
        .sell_price
        .as_ref()
        .map(|s| positive("sell_price", &Some(s.clone()), limits.max_order_amount, &mut e));
    let referring = o
        .referring_reseller_id
        .as_ref()
        .map(|r| id("referring_reseller_id", &Some(r.clone()), &mut e));
    if referring.is_some() && referring.as_deref() == Some(reseller_id.as_str()) {
        e.push(err("referring_reseller_id", "a reseller cannot refer its own deal"));
    }
    let domain = text("customer.domain", &o.customer.domain, &mut e).map(|d| d.to_lowercase());
    let customer_po = text("customer_po", &o.customer_po, &mut e);
    let vendor_po = text("vendor_po", &o.vendor_po, &mut e);
    let referral_code = text("referral_code", &o.referral_code, &mut e);
    done(
        OrderFacts {
            order_id,
            lead_id,
            reseller_id,
            customer: Customer { name, domain },
            customer_po,
            vendor_po,
            currency,
            lines,
            referring_reseller_id: referring,
            referral_code,
            sell_price,
        },
        e,
    )
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PaymentIn {
    pub payment_id: Option<String>,
    pub order_id: Option<String>,
    pub kind: Option<String>,
    /// a decimal string ("1000000.00"), at most 2 decimals
    #[schema(value_type = Option<String>)]
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

pub fn validate_payment(p: &PaymentIn, limits: &BillingLimits) -> Result<PaymentFacts, Vec<FieldError>> {
    let mut e = Vec::new();
    let payment_id = id("payment_id", &p.payment_id, &mut e);
    let order_id = id("order_id", &p.order_id, &mut e);
    let kind = p.kind.as_deref().and_then(PaymentKind::parse).unwrap_or_else(|| {
        e.push(err("kind", "must be licence, amc, renewal or milestone"));
        PaymentKind::Licence
    });
    let amount = positive("amount", &p.amount, limits.max_line_amount, &mut e);
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RefundIn {
    pub refund_id: Option<String>,
    pub payment_id: Option<String>,
    /// a decimal string ("1000000.00"), at most 2 decimals
    #[schema(value_type = Option<String>)]
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

pub fn validate_refund(r: &RefundIn, limits: &BillingLimits) -> Result<RefundFacts, Vec<FieldError>> {
    let mut e = Vec::new();
    let refund_id = id("refund_id", &r.refund_id, &mut e);
    let payment_id = id("payment_id", &r.payment_id, &mut e);
    let amount = positive("amount", &r.amount, limits.max_line_amount, &mut e);
    let refunded_at = timestamp("refunded_at", &r.refunded_at, &mut e);
    let reason = text::collect(
        text::optional("reason", r.reason.as_deref(), 500, Lines::Single),
        &mut e,
    )
    .flatten();
    done(
        RefundFacts {
            refund_id,
            payment_id,
            amount,
            reason: reason.unwrap_or_default(),
            refunded_at,
        },
        e,
    )
}

// ---- the records kept of what billing systems sent ----

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    #[serde(flatten)]
    pub facts: OrderFacts,
    pub deal: Deal,
    pub earned: Earned,
    pub payments: Vec<String>,
    pub request_hash: String,
    pub received_at: DateTime<Utc>,
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Received,
    /// waiting for its order
    Held,
    Processed,
    /// could not be applied (e.g. currency differs from the order's); see `status_reason`
    Rejected,
}

impl Status {
    /// accepted and not yet applied (or refused): what is still queued
    pub fn is_waiting(self) -> bool {
        matches!(self, Status::Received | Status::Held)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    #[serde(flatten)]
    pub facts: PaymentFacts,
    pub status: Status,
    #[serde(default)]
    pub status_reason: Option<String>,
    /// the entries it earned (clawbacks reverse these)
    #[serde(default)]
    pub entries: Vec<Draft>,
    #[serde(default)]
    pub refunded: Decimal,
    pub request_hash: String,
    pub received_at: DateTime<Utc>,
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refund {
    #[serde(flatten)]
    pub facts: RefundFacts,
    pub status: Status,
    #[serde(default)]
    pub status_reason: Option<String>,
    pub request_hash: String,
    pub received_at: DateTime<Utc>,
    pub version: u64,
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
        let f = validate_payment(&p, &BillingLimits::default()).unwrap();
        assert_eq!(f.amount.to_string(), "1000000.10");
        assert_eq!(f.currency, "INR");
        let q: PaymentIn = serde_json::from_str(r#"{"amount":"0.1"}"#).unwrap();
        assert_eq!(q.amount.unwrap().0.unwrap().to_string(), "0.1");
        // 0.1 + 0.2 as floats is not 0.3; as text it is
        let big: PaymentIn = serde_json::from_str(r#"{"amount":12345678901234567.89}"#).unwrap();
        assert_eq!(big.amount.unwrap().0.unwrap().to_string(), "12345678901234567.89");
    }

    fn payment_errors(body: &str) -> Vec<FieldError> {
        let p: PaymentIn = serde_json::from_str(body).unwrap();
        validate_payment(&p, &BillingLimits::default())
            .err()
            .unwrap_or_default()
    }

    #[test]
    fn amounts_beyond_any_order_and_implausible_dates_are_refused() {
        let ok =
            r#"{"payment_id":"p1","order_id":"o1","kind":"licence","amount":"AMOUNT","currency":"INR","paid_at":"AT"}"#;
        let with = |amount: &str, at: &str| payment_errors(&ok.replace("AMOUNT", amount).replace("AT", at));
        assert!(with("1000.00", "2026-12-02T10:00:00Z").is_empty());
        for amount in [
            "79228162514264337593543950335",
            "12345678901234567890123",
            "10000000000.01",
        ] {
            let e = with(amount, "2026-12-02T10:00:00Z");
            assert!(e.iter().any(|e| e.field == "amount"), "{amount}: {e:?}");
        }
        for amount in ["1_000", "+5", "10.", ".5", "1E2", "1e30", "NaN"] {
            assert_eq!(with(amount, "2026-12-02T10:00:00Z")[0].field, "amount", "{amount}");
        }
        for at in [
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2026-12-02 10:00:00Z",
            "2026-12-02",
        ] {
            assert_eq!(with("5", at)[0].field, "paid_at", "{at}");
        }
        // JSON numbers follow the same grammar
        assert!(payment_errors(r#"{"amount": 1e3}"#)
            .iter()
            .any(|e| e.field == "amount" && e.message.contains("not a decimal")));
    }

    #[test]
    fn order_lines_are_bounded_one_by_one_and_together() {
        let limits = BillingLimits::default();
        let order = |a: &str, b: &str| -> OrderIn {
            serde_json::from_str(&format!(
                r#"{{"order_id":"o","lead_id":"l","reseller_id":"r","customer":{{"name":"C"}},"currency":"INR",
                   "lines":[{{"kind":"licence","amount":"{a}"}},{{"kind":"amc","amount":"{b}"}}]}}"#
            ))
            .unwrap()
        };
        assert!(validate_order(&order("1000000", "200000"), &limits).is_ok());
        let e = validate_order(&order("12345678901234567890123", "1"), &limits).unwrap_err();
        assert_eq!(e[0].field, "lines[0].amount");
        let e = validate_order(
            &order("10000000000", "10000000000"),
            &BillingLimits {
                max_order_amount: Decimal::from(15_000_000_000_i64),
                ..limits
            },
        )
        .unwrap_err();
        assert_eq!(e[0].field, "lines");
    }

    #[test]
    fn invalid_fields_are_all_reported() {
        let p: PaymentIn = serde_json::from_str(
            r#"{"payment_id":"p 1","kind":"gift","amount":"-5","currency":"XYZ","paid_at":"yesterday"}"#,
        )
        .unwrap();
        let errors = validate_payment(&p, &BillingLimits::default()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["payment_id", "order_id", "kind", "amount", "currency", "paid_at"]
        );
        let zero: PaymentIn = serde_json::from_str(r#"{"amount":0}"#).unwrap();
        assert!(validate_payment(&zero, &BillingLimits::default())
            .unwrap_err()
            .iter()
            .any(|e| e.field == "amount" && e.message.contains("greater than zero")));
        let paise: PaymentIn = serde_json::from_str(r#"{"amount":"1.005"}"#).unwrap();
        assert!(validate_payment(&paise, &BillingLimits::default())
            .unwrap_err()
            .iter()
            .any(|e| e.field == "amount" && e.message.contains("decimal places")));
    }
}
