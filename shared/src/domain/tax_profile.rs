//! A reseller's tax profile (SPEC §13): PAN, GSTIN, legal name, a section 197 lower-deduction
//! certificate and the bank account payouts go to. PAN and account numbers are masked in every
//! read but the admin's.
//!
//! A lower-deduction certificate lowers the TDS the platform, as deductor, must deduct: only the
//! vendor's staff record one, after checking its number on TRACES ("Validate Lower Deduction
//! u/s 197"). A reseller's own submission waits as `pending_lower_deduction` and changes nothing
//! until it is approved.

use crate::domain::billing::Amount;
use crate::domain::field::FieldError;
use crate::domain::tax_id;
use crate::domain::text::{self, Lines};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LowerDeduction {
    /// the certificate's number as TRACES issues it: ten letters and digits (`1111AA111A`),
    /// quoted on the quarterly TDS return
    #[serde(default)]
    pub certificate_number: String,
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
    /// who recorded it after checking it (a submission waiting for that has none)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<chrono::DateTime<chrono::Utc>>,
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
    /// the certificate in force for the payout (recorded by the vendor's staff)
    pub lower_deduction: Option<LowerDeduction>,
    /// a certificate the reseller submitted, waiting for the staff to check it: it lowers nothing
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_lower_deduction: Option<LowerDeduction>,
    pub bank: Option<BankAccount>,
    /// resident in India (the default) or abroad
    #[serde(default)]
    pub residency: Residency,
    /// where it is resident (ISO 3166 alpha-2); required abroad
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// its tax number there
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreign_tax_id: Option<String>,
    /// its tax residency certificate's last day (a treaty rate needs it valid on the date of credit)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub trc_valid_until: Option<NaiveDate>,
    /// Form 10F (Form 41 under the 2025 rules) is on file
    #[serde(default)]
    pub form_10f: bool,
    /// a micro, small or medium enterprise registered on Udyam (section 43B(h): paid within 45 days)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msme: Option<Msme>,
    /// its turnover requires e-invoicing: its GST invoice carries an IRN from the IRP
    #[serde(default)]
    pub einvoice_required: bool,
}

/// Where a payee is resident for tax.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Residency {
    #[default]
    Resident,
    NonResident,
}

/// A Udyam registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Msme {
    /// `UDYAM-MH-26-0012345`
    pub udyam: String,
    pub class: MsmeClass,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MsmeClass {
    Micro,
    Small,
    Medium,
}

impl MsmeClass {
    /// Whether section 43B(h)'s payment deadline protects it (micro and small, not medium).
    pub fn has_deadline(self) -> bool {
        matches!(self, MsmeClass::Micro | MsmeClass::Small)
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LowerDeductionIn {
    /// ten letters and digits, as on the TRACES certificate
    pub certificate_number: Option<String>,
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MsmeIn {
    /// `UDYAM-XX-00-0000000`
    pub udyam: Option<String>,
    /// `micro` | `small` | `medium`
    pub class: Option<String>,
}

/// `PUT /resellers/{id}/tax`: the whole profile (what is left out is cleared).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TaxProfileIn {
    pub pan: Option<String>,
    pub gstin: Option<String>,
    pub legal_name: Option<String>,
    pub lower_deduction: Option<LowerDeductionIn>,
    pub bank: Option<BankAccountIn>,
    /// `resident` (default) | `non_resident`
    pub residency: Option<String>,
    /// ISO 3166 alpha-2 (`AE`); required for a non-resident
    pub country: Option<String>,
    pub foreign_tax_id: Option<String>,
    /// YYYY-MM-DD, not in the past
    pub trc_valid_until: Option<String>,
    pub form_10f: Option<bool>,
    pub msme: Option<MsmeIn>,
    pub einvoice_required: Option<bool>,
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

/// A valid profile (on `today`, which a TRC may not end before), or every field's problem named.
pub fn validate(t: &TaxProfileIn, today: NaiveDate) -> Result<TaxProfile, Vec<FieldError>> {
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
        let certificate_number = match l.certificate_number.as_deref().map(certificate_number) {
            Some(Ok(n)) => n,
            Some(Err(m)) => {
                e.push(err("lower_deduction.certificate_number", m));
                String::new()
            }
            None => {
                e.push(err("lower_deduction.certificate_number", "is required"));
                String::new()
            }
        };
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
            certificate_number,
            rate,
            valid_from,
            valid_to,
            limit,
            recorded_by: None,
            recorded_at: None,
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
    let residency = match t.residency.as_deref().map(str::trim) {
        None | Some("") | Some("resident") => Residency::Resident,
        Some("non_resident") => Residency::NonResident,
        Some(_) => {
            e.push(err("residency", "must be resident or non_resident"));
            Residency::Resident
        }
    };
    let country = present(&t.country).and_then(|c| match country_code(&c) {
        Some(code) => Some(code),
        None => {
            e.push(err("country", format!("\"{c}\" is not an ISO 3166 country code")));
            None
        }
    });
    if residency == Residency::NonResident {
        match country.as_deref() {
            None if t.country.is_none() => e.push(err("country", "is required for a non-resident")),
            Some("IN") => e.push(err("country", "a non-resident's country is not India")),
            _ => {}
        }
    }
    let foreign_tax_id = text::collect(
        text::optional("foreign_tax_id", t.foreign_tax_id.as_deref(), 40, Lines::Single),
        &mut e,
    )
    .flatten();
    let trc_valid_until = present(&t.trc_valid_until).and_then(|v| {
        let d = date("trc_valid_until", &Some(v), &mut e);
        if d == NaiveDate::default() {
            None
        } else if d < today {
            e.push(err("trc_valid_until", "is in the past: the certificate has expired"));
            None
        } else {
            Some(d)
        }
    });
    let msme = t.msme.as_ref().map(|m| {
        let udyam = match m.udyam.as_deref().map(udyam_number) {
            Some(Ok(u)) => u,
            Some(Err(why)) => {
                e.push(err("msme.udyam", why));
                String::new()
            }
            None => {
                e.push(err("msme.udyam", "is required"));
                String::new()
            }
        };
        let class = match m.class.as_deref().map(str::trim) {
            Some("micro") => MsmeClass::Micro,
            Some("small") => MsmeClass::Small,
            Some("medium") => MsmeClass::Medium,
            _ => {
                e.push(err("msme.class", "must be micro, small or medium"));
                MsmeClass::Medium
            }
        };
        Msme { udyam, class }
    });
    let einvoice_required = t.einvoice_required.unwrap_or(false);
    if einvoice_required && gstin.is_none() {
        e.push(err(
            "einvoice_required",
            "needs a GSTIN: e-invoicing is for GST invoices",
        ));
    }
    if !e.is_empty() {
        return Err(e);
    }
    Ok(TaxProfile {
        pan,
        gst_state: gstin.as_ref().map(|g| g.state_code.clone()),
        gstin: gstin.map(|g| g.gstin),
        legal_name,
        lower_deduction,
        pending_lower_deduction: None,
        bank,
        residency,
        country,
        foreign_tax_id,
        trc_valid_until,
        form_10f: t.form_10f.unwrap_or(false),
        msme,
        einvoice_required,
    })
}

/// An ISO 3166-1 alpha-2 code, upper-cased, if the standard has it.
pub fn country_code(v: &str) -> Option<String> {
    let code = v.trim().to_uppercase();
    (code.len() == 2 && celes::Country::from_alpha2(&code).is_ok()).then_some(code)
}

/// A Udyam registration number: `UDYAM-`, the state's two letters, two digits (the district),
/// seven digits — `UDYAM-MH-26-0012345`.
pub fn udyam_number(v: &str) -> Result<String, &'static str> {
    let u = v.trim().to_uppercase();
    let parts: Vec<&str> = u.split('-').collect();
    let ok = parts.len() == 4
        && parts[0] == "UDYAM"
        && parts[1].len() == 2
        && parts[1].bytes().all(|b| b.is_ascii_uppercase())
        && parts[2].len() == 2
        && parts[2].bytes().all(|b| b.is_ascii_digit())
        && parts[3].len() == 7
        && parts[3].bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(u)
    } else {
        Err("must be a Udyam number: UDYAM-XX-00-0000000")
    }
}

/// A section 197 certificate's number: ten letters and digits, upper-cased (TRACES' format;
/// `1111AA111A/194H` with a section appended is refused, as TRACES refuses it).
pub fn certificate_number(v: &str) -> Result<String, &'static str> {
    let n = v.trim().to_uppercase();
    if n.len() == 10 && n.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(n)
    } else {
        Err("must be the certificate's ten letters and digits, as TRACES issues it")
    }
}

/// Who changes a tax profile: the reseller itself, or the vendor's staff (recorded by name).
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileAuthor {
    Reseller,
    Staff(String),
}

/// The profile after `author` sent `submitted`: the staff's version stands as sent (a
/// certificate it sends is recorded in its name, clearing any submission it answers); a
/// reseller's own certificate becomes a pending submission and the recorded one stays as it was.
pub fn apply_submission(
    current: Option<&TaxProfile>,
    mut submitted: TaxProfile,
    author: &ProfileAuthor,
    now: chrono::DateTime<chrono::Utc>,
) -> TaxProfile {
    let recorded = current.and_then(|c| c.lower_deduction.clone());
    let pending = current.and_then(|c| c.pending_lower_deduction.clone());
    match author {
        ProfileAuthor::Reseller => {
            let asked = submitted.lower_deduction.take();
            submitted.pending_lower_deduction = match asked {
                Some(a) if recorded.as_ref().is_some_and(|r| same_certificate(r, &a)) => None,
                other => other,
            };
            submitted.lower_deduction = recorded;
        }
        ProfileAuthor::Staff(who) => {
            submitted.lower_deduction = submitted.lower_deduction.take().map(|mut l| {
                match recorded.as_ref().filter(|r| same_certificate(r, &l)) {
                    // unchanged: it keeps who recorded it and when
                    Some(r) => {
                        l.recorded_by = r.recorded_by.clone();
                        l.recorded_at = r.recorded_at;
                    }
                    None => {
                        l.recorded_by = Some(who.clone());
                        l.recorded_at = Some(now);
                    }
                }
                l
            });
            submitted.pending_lower_deduction = if submitted.lower_deduction.is_some() {
                None
            } else {
                pending
            };
        }
    }
    submitted
}

/// Two certificates with the same terms (whoever recorded them).
fn same_certificate(a: &LowerDeduction, b: &LowerDeduction) -> bool {
    a.certificate_number == b.certificate_number
        && a.rate == b.rate
        && a.valid_from == b.valid_from
        && a.valid_to == b.valid_to
        && a.limit == b.limit
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
        foreign_tax_id: p.foreign_tax_id.as_deref().map(|v| tax_id::mask(v, 4)),
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
    if b.pending_lower_deduction != after.pending_lower_deduction {
        out.push("pending_lower_deduction");
    }
    if b.bank != after.bank {
        out.push("bank");
    }
    if (&b.residency, &b.country, &b.foreign_tax_id) != (&after.residency, &after.country, &after.foreign_tax_id) {
        out.push("residency");
    }
    if (b.trc_valid_until, b.form_10f) != (after.trc_valid_until, after.form_10f) {
        out.push("treaty_documents");
    }
    if b.msme != after.msme {
        out.push("msme");
    }
    if b.einvoice_required != after.einvoice_required {
        out.push("einvoice_required");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certificate(number: &str, rate: &str) -> LowerDeduction {
        LowerDeduction {
            certificate_number: number.into(),
            rate: rate.parse().expect("rate"),
            valid_from: NaiveDate::from_ymd_opt(2026, 4, 1).expect("day"),
            valid_to: NaiveDate::from_ymd_opt(2027, 3, 31).expect("day"),
            limit: Decimal::from(500_000),
            recorded_by: None,
            recorded_at: None,
        }
    }

    #[test]
    fn a_resellers_certificate_waits_and_only_the_staff_record_one() {
        let now = chrono::Utc::now();
        let staff = ProfileAuthor::Staff("staff:finance-1".into());
        let with = |l: Option<LowerDeduction>| TaxProfile {
            lower_deduction: l,
            ..Default::default()
        };
        // the reseller asks for 0%: nothing in force, the request pending
        let asked = apply_submission(
            None,
            with(Some(certificate("1111AA111A", "0"))),
            &ProfileAuthor::Reseller,
            now,
        );
        assert_eq!(asked.lower_deduction, None);
        assert_eq!(asked.pending_lower_deduction, Some(certificate("1111AA111A", "0")));
        // the staff record it: in force in their name, the request answered
        let recorded = apply_submission(Some(&asked), with(Some(certificate("1111AA111A", "0"))), &staff, now);
        let l = recorded.lower_deduction.clone().expect("recorded");
        assert_eq!(l.recorded_by.as_deref(), Some("staff:finance-1"));
        assert_eq!(recorded.pending_lower_deduction, None);
        // the reseller cannot change or drop it; the same terms again ask nothing
        let dropped = apply_submission(Some(&recorded), with(None), &ProfileAuthor::Reseller, now);
        assert_eq!(dropped.lower_deduction, recorded.lower_deduction);
        let again = apply_submission(
            Some(&recorded),
            with(Some(certificate("1111AA111A", "0"))),
            &ProfileAuthor::Reseller,
            now,
        );
        assert_eq!(
            (again.lower_deduction.clone(), again.pending_lower_deduction),
            (recorded.lower_deduction.clone(), None)
        );
        let lower = apply_submission(
            Some(&recorded),
            with(Some(certificate("2222BB222B", "0"))),
            &ProfileAuthor::Reseller,
            now,
        );
        assert_eq!(lower.lower_deduction, recorded.lower_deduction);
        assert!(lower.pending_lower_deduction.is_some());
        // the staff's other changes keep a pending request they did not answer
        let other = apply_submission(Some(&lower), with(None), &staff, now);
        assert_eq!(other.pending_lower_deduction, lower.pending_lower_deduction);
        assert_eq!(certificate_number(" 1111aa111a "), Ok("1111AA111A".to_string()));
        assert!(certificate_number("1111AA111A/194H").is_err());
    }

    fn input(v: serde_json::Value) -> TaxProfileIn {
        serde_json::from_value(v).expect("json")
    }

    #[test]
    fn partners_abroad_and_msmes_are_checked_field_by_field() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).expect("day");
        let ok = validate(
            &input(
                serde_json::json!({"residency": "non_resident", "country": "ae", "foreign_tax_id": "100123456700003",
                "trc_valid_until": "2027-06-30", "form_10f": true}),
            ),
            today,
        )
        .expect("valid");
        assert_eq!(
            (ok.residency, ok.country.as_deref()),
            (Residency::NonResident, Some("AE"))
        );
        let bad = validate(
            &input(
                serde_json::json!({"residency": "non_resident", "country": "ZZ", "trc_valid_until": "2026-01-31",
                "msme": {"udyam": "UDYAM-MH-26-12345", "class": "tiny"}}),
            ),
            today,
        )
        .expect_err("invalid");
        let fields: Vec<_> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["country", "trc_valid_until", "msme.udyam", "msme.class"]);
        assert!(validate(&input(serde_json::json!({"residency": "non_resident"})), today).is_err());
        assert!(validate(&input(serde_json::json!({"residency": "abroad"})), today).is_err());
        let micro = validate(
            &input(serde_json::json!({"msme": {"udyam": "udyam-mh-26-0012345", "class": "micro"}})),
            today,
        )
        .expect("valid");
        assert_eq!(micro.msme.map(|m| m.udyam), Some("UDYAM-MH-26-0012345".to_string()));
    }

    #[test]
    fn a_profile_is_checked_field_by_field_and_masked_for_non_admins() {
        let first14 = "27AAPCK1234L1Z";
        let gstin = format!("{first14}{}", tax_id::gstin_check_char(first14).expect("check"));
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).expect("day");
        let ok = validate(&input(serde_json::json!({"pan": "aapck1234l", "gstin": gstin, "legal_name": "Kalyani ERP Pvt Ltd",
            "lower_deduction": {"certificate_number": "1111aa111a", "rate": "0.01", "valid_from": "2026-04-01", "valid_to": "2027-03-31", "limit": "500000"},
            "bank": {"account_number": "50100123456789", "ifsc": "hdfc0001234", "account_name": "Kalyani ERP Pvt Ltd"}})), today)
        .expect("valid");
        assert_eq!(ok.gst_state.as_deref(), Some("27"));
        let masked = shown(&ok, false);
        assert_eq!(masked.pan.as_deref(), Some("XXXXXX234L"));
        assert_eq!(
            masked.bank.as_ref().map(|b| b.account_number.as_str()),
            Some("XXXXXXXXXX6789")
        );
        assert_eq!(shown(&ok, true), ok);
        assert_eq!(
            ok.lower_deduction.as_ref().map(|l| l.certificate_number.as_str()),
            Some("1111AA111A")
        );
        let bad = validate(&input(
            serde_json::json!({"pan": "AAPCK1234L", "gstin": "27AAPCX1234L1Z5",
            "lower_deduction": {"certificate_number": "1111AA111A/194H", "rate": "0.3", "valid_from": "2027-01-01", "valid_to": "2026-01-01", "limit": "0"},
            "bank": {"account_number": "12", "ifsc": "HDFC1234567"}}),
        ), today)
        .expect_err("invalid");
        let fields: Vec<_> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "gstin",
                "lower_deduction.certificate_number",
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
