//! The admin's pages: applications to review, approved with terms or rejected with a reason —
//! the same use cases as `POST /reseller-applications/{id}/approve|reject`.

use super::pages::render;
use super::CheckedForm;
use super::{see_other, Portal, PortalError, Visitor};
use crate::domain::application::{validate_terms, ApplicationStatus, TermsIn};
use crate::handlers::http::QueryParams;
use crate::usecases::applications::{self as uc, ApplicationError, ApplicationPorts};
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

impl Portal {
    pub(super) fn application_ports(&self) -> ApplicationPorts<'_> {
        ApplicationPorts {
            table: self.table.as_ref(),
            clock: self.clock.as_ref(),
            mailer: self.mailer.as_ref(),
            rules: &self.config.rules.applications,
            mail_from: &self.config.mail_from,
            public_base_url: &self.config.public_base_url,
        }
    }
}

#[derive(Serialize)]
struct ApplicationRow {
    id: String,
    company: String,
    contact: String,
    regions: String,
    industries: String,
    at: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct Notice {
    /// what the last action did
    done: Option<String>,
}

#[utoipa::path(get, path = "/portal/admin/applications", tag = "portal",
    params(Notice),
    responses((status = 200, description = "pending applications with approve and reject forms (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "a reseller's session", content_type = "text/html", body = String)))]
pub(super) async fn applications(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    QueryParams(n): QueryParams<Notice>,
) -> Result<Response, PortalError> {
    let pending = uc::by_status(portal.table.as_ref(), ApplicationStatus::Pending, 100).await?;
    let rows: Vec<ApplicationRow> = pending
        .iter()
        .filter(|a| uc::visible_to(a, &visitor.principal))
        .map(|a| ApplicationRow {
            id: a.application_id.clone(),
            company: a.company.name.clone(),
            contact: format!("{} <{}>", a.contact.name, a.contact.email),
            regions: a.regions.join(", "),
            industries: a.industries.join(", "),
            at: crate::domain::renewal::india_date(a.submitted_at).to_string(),
        })
        .collect();
    let message = match n.done.as_deref() {
        Some("approved") => Some("Approved: the reseller is active and has its welcome email."),
        Some("rejected") => Some("Rejected: the applicant has a polite email."),
        _ => None,
    };
    Ok(render(
        "applications.html",
        "Applications",
        Some(&visitor),
        serde_json::json!({ "applications": rows, "tiers": ["registered", "silver", "gold", "platinum"], "message": message }),
    ))
}

fn decision_error(e: ApplicationError) -> PortalError {
    match e {
        ApplicationError::NotFound(_) => PortalError::NotFound,
        ApplicationError::Store(s) => s.into(),
        other => PortalError::BadForm(other.to_string()),
    }
}

#[derive(Deserialize)]
pub(super) struct ApproveForm {
    tier: Option<String>,
    capacity: Option<u32>,
}

#[utoipa::path(post, path = "/portal/admin/applications/{id}/approve", tag = "portal",
    params(("id" = String, Path, description = "application id")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `tier`, `capacity`"),
    responses((status = 303, description = "approved: back to the list"),
        (status = 400, description = "terms refused, or already decided", content_type = "text/html", body = String),
        (status = 403, description = "no CSRF token of this session, or not the admin", content_type = "text/html", body = String),
        (status = 404, description = "no such application", content_type = "text/html", body = String)))]
pub(super) async fn approve(
    State(portal): State<Arc<Portal>>,
    Path(id): Path<String>,
    CheckedForm { visitor, form: f }: CheckedForm<ApproveForm>,
) -> Result<Response, PortalError> {
    let input = TermsIn {
        tier: f.tier,
        capacity: f.capacity,
        ..TermsIn::default()
    };
    let terms = validate_terms(&input, &portal.config.rules.applications).map_err(|e| {
        PortalError::BadForm(
            e.iter()
                .map(|f| format!("{} {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    uc::approve(&portal.application_ports(), &visitor.principal, &id, terms)
        .await
        .map_err(decision_error)?;
    Ok(see_other("/portal/admin/applications?done=approved"))
}

#[derive(Deserialize)]
pub(super) struct RejectForm {
    reason: String,
}

#[utoipa::path(post, path = "/portal/admin/applications/{id}/reject", tag = "portal",
    params(("id" = String, Path, description = "application id")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `reason`"),
    responses((status = 303, description = "rejected: back to the list"),
        (status = 400, description = "no reason, or already decided", content_type = "text/html", body = String),
        (status = 403, description = "no CSRF token of this session, or not the admin", content_type = "text/html", body = String),
        (status = 404, description = "no such application", content_type = "text/html", body = String)))]
pub(super) async fn reject(
    State(portal): State<Arc<Portal>>,
    Path(id): Path<String>,
    CheckedForm { visitor, form: f }: CheckedForm<RejectForm>,
) -> Result<Response, PortalError> {
    let reason = f.reason.trim().to_string();
    if reason.is_empty() {
        return Err(PortalError::BadForm("a reason is required".into()));
    }
    uc::reject(&portal.application_ports(), &visitor.principal, &id, reason)
        .await
        .map_err(decision_error)?;
    Ok(see_other("/portal/admin/applications?done=rejected"))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct MonthParams {
    /// `YYYY-MM` (default: last month)
    month: Option<String>,
}

#[utoipa::path(get, path = "/portal/admin/payouts", tag = "portal",
    params(MonthParams),
    responses((status = 200, description = "a month's payout tickets: gross, GST, TDS, net, status, reference and UTR, with the finance CSV; the month's reverse-charge GST on commission paid abroad; payables to micro and small enterprises late or due within the week (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "a reseller's session", content_type = "text/html", body = String)))]
pub(super) async fn payouts(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    QueryParams(p): QueryParams<MonthParams>,
) -> Result<Response, PortalError> {
    let month = p
        .month
        .filter(|m| crate::usecases::commission::parse_month(m).is_some())
        .unwrap_or_else(|| crate::domain::payout::previous_month(portal.clock.now()));
    let table = portal.table.as_ref();
    let tickets = crate::usecases::payout::month_tickets(table, &month).await?;
    let month_name = crate::mail::month_name(&month);
    // the platform's GST under reverse charge on commission paid abroad, this month
    let rcm: Vec<serde_json::Value> = crate::usecases::payout::rcm_month(table, &month)
        .await?
        .iter()
        .map(|r| {
            serde_json::json!({
                "payee": r.payee_name, "country": r.country,
                "taxable": crate::domain::money::display(r.taxable_value, &r.currency),
                "igst": crate::domain::money::display(r.igst, &r.currency),
            })
        })
        .collect();
    // what micro and small enterprises must be paid by (section 43B(h)), from today
    let today = crate::domain::renewal::india_date(portal.clock.now());
    let dues = crate::usecases::payout::msme_dues(table, today, portal.config.rules.tax.msme_due_soon_days).await?;
    let msme_row = |t: &crate::domain::payout::Ticket| {
        serde_json::json!({
            "payee": t.payee_name, "month": t.month,
            "due_by": t.due_by.map(|d| d.to_string()).unwrap_or_default(),
            "owed": t.payable_lines().map(|l| crate::domain::money::display(l.transfer_amount(), l.transfer_currency())).collect::<Vec<_>>().join(", "),
        })
    };
    let msme_late: Vec<_> = dues.late.iter().map(msme_row).collect();
    let msme_soon: Vec<_> = dues.due_soon.iter().map(msme_row).collect();
    Ok(render(
        "admin_payouts.html",
        "Payouts",
        Some(&visitor),
        serde_json::json!({ "month": month, "month_name": month_name, "payouts": super::reseller::payout_rows(&tickets),
            "rcm": rcm, "msme_late": msme_late, "msme_soon": msme_soon, "today": today.to_string() }),
    ))
}

#[utoipa::path(get, path = "/portal/admin/payouts/{month}/finance.csv", tag = "portal",
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, description = "the month's finance CSV (as `GET /payouts/{month}?format=csv`)", content_type = "text/csv", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "a reseller's session", content_type = "text/html", body = String),
        (status = 404, description = "not a month", content_type = "text/html", body = String)))]
pub(super) async fn finance_csv(
    State(portal): State<Arc<Portal>>,
    _: Visitor,
    Path(month): Path<String>,
) -> Result<Response, PortalError> {
    if crate::usecases::commission::parse_month(&month).is_none() {
        return Err(PortalError::NotFound);
    }
    let tickets = crate::usecases::payout::month_tickets(portal.table.as_ref(), &month).await?;
    Ok(crate::handlers::billing_api::csv_response(
        &format!("payouts-{month}.csv"),
        crate::payout_docs::finance_csv(&tickets),
    ))
}
