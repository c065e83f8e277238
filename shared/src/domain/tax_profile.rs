//! A reseller's tax profile (SPEC §13): PAN, GSTIN, legal name, a section 197 lower-deduction
//! certificate and the bank account payouts go to. PAN and account numbers are masked in every
//! read but the admin's.

use crate::domain::billing::Amount;
use crate::domain::lead::FieldError;
use crate::domain::tax_id;
use crate::domain::text::{self, Lines};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LowerDeduction {
    /// the certificate's TDS rate, 0–1 (e.g. "0.01")
    #[schema(value_type = String)]
    pub rate: Decimal,
    #[schema(value_type = String)]
    pub valid_from: NaiveDate,
    #[schema(value_type = String)]
    pub valid_to: NaiveDate,
    /// the amount the certificate covers
    #[schema(value_type = String)]
    pub limit: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BankAccount {
    pub account_number: String,
    pub ifsc: String,
    pub account_name: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaxProfile {
    pub pan: Option<String>,
    pub gstin: Option<String>,
    /// the GSTIN's state code (CGST + SGST within the platform's state, IGST across)
    pub gst_state: Option<String>,
    pub legal_name: Option<String>,
    pub lower_deduction: Option<LowerDeduction>,
    pub bank: Option<BankAccount>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LowerDeductionIn {
    #[schema(value_type = Option<String>)]
    pub rate: Option<Amount>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    #[schema(value_type = Option<String>)]
    pub limit: Option<Amount>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BankAccountIn {
    pub account_number: Option<String>,
    pub ifsc: Option<String>,
    pub account_name: Option<String>,
}

/// `PUT /resellers/{id}/tax`: the whole profile (what is left out is cleared).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TaxProfileIn {
    pub pan: Option<String>,
    pub gstin: Option<String>,
    pub legal_name: Option<String>,
    pub lower_deduction: Option<LowerDeductionIn>,
    pub bank: Option<BankAccountIn>,
}

fn err(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

fn date(field: &str, v: &Option<String>, e: &mut Vec<FieldError>) -> NaiveDate {
    match v
        .as_deref()
        .map(str::trim)
        .map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
    {
        Some(Ok(d)) => d,
        _ => {
            e.push(err(field, "must be a date, YYYY-MM-DD"));
            NaiveDate::default()
        }
    }
}

/// A valid profile, or every field's problem named.
pub fn validate(t: &TaxProfileIn) -> Result<TaxProfile, Vec<FieldError>> {
    let mut e = Vec::new();
    let present = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let pan = present(&t.pan).and_then(|p| tax_id::pan(&p).map_err(|m| e.push(err("pan", m))).ok());
    let gstin = present(&t.gstin).and_then(|g| tax_id::gstin(&g).map_err(|m| e.push(err("gstin", m))).ok());
    if let Some(g) = &gstin {
        match &pan {
            Some(p) if *p != g.pan => e.push(err("gstin", "the PAN inside it is not this PAN")),
            None if t.pan.is_none() => e.push(err("pan", "is required with a GSTIN")),
            _ => {}
        }
    }
    let legal_name = text::collect(
        text::optional("legal_name", t.legal_name.as_deref(), 200, Lines::Single),
        &mut e,
    )
    .flatten();
    let lower_deduction = t.lower_deduction.as_ref().map(|l| {
        let rate = match &l.rate {
            Some(Amount(Ok(r))) if *r >= Decimal::ZERO && *r < Decimal::new(20, 2) => *r,
            _ => {
                e.push(err("lower_deduction.rate", "must be a rate from 0 to below 0.20"));
                Decimal::ZERO
            }
        };
        let valid_from = date("lower_deduction.valid_from", &l.valid_from, &mut e);
        let valid_to = date("lower_deduction.valid_to", &l.valid_to, &mut e);
        if valid_to < valid_from {
            e.push(err("lower_deduction.valid_to", "is before valid_from"));
        }
        let limit = crate::domain::billing::positive(
            "lower_deduction.limit",
            &l.limit,
            Decimal::from(10_000_000_000_i64),
            &mut e,
        );
        LowerDeduction {
            rate,
            valid_from,
            valid_to,
            limit,
        }
    });
    let bank = t.bank.as_ref().map(|b| {
        let account_number = match b.account_number.as_deref().map(tax_id::bank_account) {
            Some(Ok(v)) => v,
            Some(Err(m)) => {
                e.push(err("bank.account_number", m));
                String::new()
            }
            None => {
                e.push(err("bank.account_number", "is required"));
                String::new()
            }
        };
        let ifsc = match b.ifsc.as_deref().map(tax_id::ifsc) {
            Some(Ok(v)) => v,
            Some(Err(m)) => {
                e.push(err("bank.ifsc", m));
                String::new()
            }
            None => {
                e.push(err("bank.ifsc", "is required"));
                String::new()
            }
        };
        let account_name = text::collect(
            text::required("bank.account_name", b.account_name.as_deref(), 200, Lines::Single),
            &mut e,
        )
        .unwrap_or_default();
        BankAccount {
            account_number,
            ifsc,
            account_name,
        }
    });
    if !e.is_empty() {
        return Err(e);
    }
    Ok(TaxProfile {
        pan,
        gst_state: gstin.as_ref().map(|g| g.state_code.clone()),
        gstin: gstin.map(|g| g.gstin),
        legal_name,
        lower_deduction,
        bank,
    })
}

/// The profile as a reader may see it: in full for the admin, with PAN, GSTIN and account
/// number masked to their last characters for anyone else.
pub fn shown(p: &TaxProfile, full: bool) -> TaxProfile {
    if full {
        return p.clone();
    }
    TaxProfile {
        pan: p.pan.as_deref().map(|v| tax_id::mask(v, 4)),
        gstin: p.gstin.as_deref().map(|v| tax_id::mask(v, 4)),
        bank: p.bank.as_ref().map(|b| BankAccount {
            account_number: tax_id::mask(&b.account_number, 4),
            ..b.clone()
        }),
        ..p.clone()
    }
}

/// Which fields a change touched (for the audit trail, which never holds the values).
pub fn changed_fields(before: Option<&TaxProfile>, after: &TaxProfile) -> Vec<&'static str> {
    let empty = TaxProfile::default();
    let b = before.unwrap_or(&empty);
    let mut out = Vec::new();
    if b.pan != after.pan {
        out.push("pan");
    }
    if b.gstin != after.gstin {
        out.push("gstin");
    }
    if b.legal_name != after.legal_name {
        out.push("legal_name");
    }
    if b.lower_deduction != after.lower_deduction {
        out.push("lower_deduction");
    }
    if b.bank != after.bank {
        out.push("bank");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(v: serde_json::Value) -> TaxProfileIn {
        serde_json::from_value(v).expect("json")
    }

    #[test]
    fn a_profile_is_checked_field_by_field_and_masked_for_non_admins() {
        let first14 = "27AAPCK1234L1Z";
        let gstin = format!("{first14}{}", tax_id::gstin_check_char(first14).expect("check"));
        let ok = validate(&input(serde_json::json!({"pan": "aapck1234l", "gstin": gstin, "legal_name": "Kalyani ERP Pvt Ltd",
            "lower_deduction": {"rate": "0.01", "valid_from": "2026-04-01", "valid_to": "2027-03-31", "limit": "500000"},
            "bank": {"account_number": "50100123456789", "ifsc": "hdfc0001234", "account_name": "Kalyani ERP Pvt Ltd"}})))
        .expect("valid");
        assert_eq!(ok.gst_state.as_deref(), Some("27"));
        let masked = shown(&ok, false);
        assert_eq!(masked.pan.as_deref(), Some("XXXXXX234L"));
        assert_eq!(
            masked.bank.as_ref().map(|b| b.account_number.as_str()),
            Some("XXXXXXXXXX6789")
        );
        assert_eq!(shown(&ok, true), ok);
        let bad = validate(&input(
            serde_json::json!({"pan": "AAPCK1234L", "gstin": "27AAPCX1234L1Z5",
            "lower_deduction": {"rate": "0.3", "valid_from": "2027-01-01", "valid_to": "2026-01-01", "limit": "0"},
            "bank": {"account_number": "12", "ifsc": "HDFC1234567"}}),
        ))
        .expect_err("invalid");
        let fields: Vec<_> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "gstin",
                "lower_deduction.rate",
                "lower_deduction.valid_to",
                "lower_deduction.limit",
                "bank.account_number",
                "bank.ifsc",
                "bank.account_name"
            ]
        );
        assert_eq!(
            changed_fields(None, &ok),
            ["pan", "gstin", "legal_name", "lower_deduction", "bank"]
        );
    }
}
