//! The product catalogue quotes price from (SPEC §12): licences, AMC and services, each with a
//! list price in its currency; a licence's yearly AMC is a percentage of it.

use crate::domain::billing::{id, positive, Amount, BillingLimits, CURRENCIES};
use crate::domain::field::FieldError;
use crate::domain::text::{self, Lines};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProductKind {
    Licence,
    Amc,
    Services,
}

crate::domain::wire_names::wire_names!(ProductKind {
    Licence = "licence" | "license",
    Amc = "amc",
    Services = "services",
});

/// A catalogue product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Product {
    pub sku: String,
    pub name: String,
    pub kind: ProductKind,
    /// a decimal string
    #[schema(value_type = String)]
    pub list_price: Decimal,
    pub currency: String,
    /// yearly AMC as a percentage of the licence price (licences; 0 otherwise)
    #[schema(value_type = String)]
    pub amc_percent: Decimal,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(ignore)]
    pub version: u64,
}

/// A product as an admin sends it (`POST /products`, `PUT /products/{sku}`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ProductIn {
    /// 1–128 letters, digits or `-_.:/` (taken from the path on `PUT`)
    pub sku: Option<String>,
    pub name: Option<String>,
    /// licence, amc or services
    pub kind: Option<String>,
    /// a decimal string, at most 2 decimals
    #[schema(value_type = Option<String>)]
    pub list_price: Option<Amount>,
    /// INR unless given
    pub currency: Option<String>,
    /// 0–100, a licence's yearly AMC as a % of it (default 0)
    #[schema(value_type = Option<String>)]
    pub amc_percent: Option<Amount>,
    /// default true
    pub active: Option<bool>,
}

/// A valid product from what was sent (`now` stamps it; a replaced product keeps its
/// `created_at` and version from the caller).
pub fn validate_product(p: &ProductIn, limits: &BillingLimits, now: DateTime<Utc>) -> Result<Product, Vec<FieldError>> {
    let mut e = Vec::new();
    let err = |field: &str, m: &str| FieldError {
        field: field.into(),
        message: m.into(),
    };
    let sku = id("sku", &p.sku, &mut e);
    let name = text::collect(text::required("name", p.name.as_deref(), 200, Lines::Single), &mut e).unwrap_or_default();
    let kind = p.kind.as_deref().and_then(ProductKind::parse).unwrap_or_else(|| {
        e.push(err("kind", "must be licence, amc or services"));
        ProductKind::Licence
    });
    let list_price = positive("list_price", &p.list_price, limits.max_line_amount, &mut e);
    let currency = p.currency.as_deref().unwrap_or("INR").trim().to_uppercase();
    if !CURRENCIES.contains(&currency.as_str()) {
        e.push(err("currency", "is not a supported currency"));
    }
    let amc_percent = match &p.amc_percent {
        None => Decimal::ZERO,
        Some(Amount(Ok(v))) if *v >= Decimal::ZERO && *v <= Decimal::ONE_HUNDRED && v.normalize().scale() <= 2 => *v,
        Some(_) => {
            e.push(err("amc_percent", "must be a number from 0 to 100, at most 2 decimals"));
            Decimal::ZERO
        }
    };
    if !e.is_empty() {
        return Err(e);
    }
    Ok(Product {
        sku,
        name,
        kind,
        list_price,
        currency,
        amc_percent,
        active: p.active.unwrap_or(true),
        created_at: now,
        updated_at: now,
        version: 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> ProductIn {
        serde_json::from_str(json).expect("json")
    }

    #[test]
    fn products_are_validated_exactly() {
        let now = Utc::now();
        let limits = BillingLimits::default();
        let p = validate_product(
            &input(r#"{"sku":"ERP-ENT","name":"ERP Enterprise","kind":"licence","list_price":"1000000.00","amc_percent":"20"}"#),
            &limits,
            now,
        )
        .expect("valid");
        assert_eq!(
            (p.list_price, p.amc_percent, p.currency.as_str(), p.active),
            (Decimal::new(100000000, 2), Decimal::from(20), "INR", true)
        );
        let errors = validate_product(
            &input(r#"{"sku":"bad sku","kind":"hardware","list_price":"-1","currency":"XYZ","amc_percent":"120"}"#),
            &limits,
            now,
        )
        .expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["sku", "name", "kind", "list_price", "currency", "amc_percent"]);
    }
}
