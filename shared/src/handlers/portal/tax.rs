//! A reseller's tax page: what the payout reads from its tax profile (PAN, GSTIN, residency,
//! MSME registration, e-invoicing, a lower-deduction certificate, the bank account), masked as
//! the API shows it to the reseller, with the law in force today.

use super::pages::render;
use super::{Portal, PortalError, Visitor};
use crate::domain::money::display;
use crate::domain::renewal::india_date;
use crate::domain::tax_profile::{shown, LowerDeduction, MsmeClass, Residency, TaxProfile};
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use std::sync::Arc;

#[derive(Serialize)]
struct Row {
    label: &'static str,
    value: String,
}

fn certificate(c: &LowerDeduction, home: &str) -> String {
    format!(
        "{}: {}% from {} to {}, up to {}",
        c.certificate_number,
        (c.rate * rust_decimal::Decimal::ONE_HUNDRED).normalize(),
        c.valid_from,
        c.valid_to,
        display(c.limit, home)
    )
}

/// The profile as rows a person reads (masked: the reseller never sees its full PAN here).
fn rows(p: &TaxProfile, home: &str) -> Vec<Row> {
    let p = shown(p, false);
    let or_none = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    let mut out = vec![
        Row {
            label: "Legal name",
            value: or_none(p.legal_name.clone()),
        },
        Row {
            label: "Residency",
            value: match (p.residency, &p.country) {
                (Residency::Resident, _) => "resident in India".into(),
                (Residency::NonResident, Some(c)) => format!("non-resident, resident in {c}"),
                (Residency::NonResident, None) => "non-resident".into(),
            },
        },
    ];
    if p.residency == Residency::NonResident {
        out.push(Row {
            label: "Tax number abroad",
            value: or_none(p.foreign_tax_id.clone()),
        });
        out.push(Row {
            label: "Tax residency certificate valid until",
            value: or_none(p.trc_valid_until.map(|d| d.to_string())),
        });
        out.push(Row {
            label: "Form 10F on file",
            value: if p.form_10f { "yes" } else { "no" }.into(),
        });
    } else {
        out.push(Row {
            label: "PAN",
            value: or_none(p.pan.clone()),
        });
    }
    out.push(Row {
        label: "GSTIN",
        value: or_none(p.gstin.clone()),
    });
    out.push(Row {
        label: "E-invoicing",
        value: if p.einvoice_required {
            "required: give your invoice's IRN, acknowledgement number and date".into()
        } else {
            "not required".into()
        },
    });
    out.push(Row {
        label: "MSME (Udyam)",
        value: match &p.msme {
            Some(m) => format!(
                "{} enterprise, {}{}",
                match m.class {
                    MsmeClass::Micro => "micro",
                    MsmeClass::Small => "small",
                    MsmeClass::Medium => "medium",
                },
                m.udyam,
                if m.class.has_deadline() {
                    " — paid within the agreed days of each payout"
                } else {
                    ""
                }
            ),
            None => "—".into(),
        },
    });
    out.push(Row {
        label: "Lower-deduction certificate",
        value: match (&p.lower_deduction, &p.pending_lower_deduction) {
            (Some(c), _) => certificate(c, home),
            (None, Some(c)) => format!("{} — waiting for the programme to check it", certificate(c, home)),
            (None, None) => "—".into(),
        },
    });
    out.push(Row {
        label: "Bank account",
        value: match &p.bank {
            Some(b) => format!("{}, {} ({})", b.account_name, b.account_number, b.ifsc),
            None => "—".into(),
        },
    });
    out
}

#[utoipa::path(get, path = "/portal/tax", tag = "portal",
    responses((status = 200, description = "the reseller's own tax profile as the payout reads it (PAN, GSTIN, bank and foreign tax numbers masked), with the section in force today (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "an admin session", content_type = "text/html", body = String)))]
pub(super) async fn tax_page(State(portal): State<Arc<Portal>>, visitor: Visitor) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    let reseller = crate::usecases::resellers::get(portal.table.as_ref(), &id)
        .await?
        .ok_or(PortalError::NotFound)?;
    let taxes = &portal.config.rules.tax;
    let today = india_date(portal.clock.now());
    let law = taxes.law_on(today);
    let profile = reseller.tax.clone().unwrap_or_default();
    let section = if profile.residency == Residency::NonResident {
        crate::domain::payout_tax::TdsLaw::cite(&law.non_resident_section, law.non_resident_code.as_deref())
    } else {
        crate::domain::payout_tax::TdsLaw::cite(&law.section, law.payment_code.as_deref())
    };
    Ok(render(
        "tax.html",
        "Tax",
        Some(&visitor),
        serde_json::json!({
            "rows": rows(&profile, &taxes.home_currency),
            "has_profile": reseller.tax.is_some(),
            "reseller_id": id,
            "law": format!("section {section} of the {}", law.act),
            "year_name": law.year_name,
        }),
    ))
}
