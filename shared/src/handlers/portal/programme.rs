//! The admin's programme pages: the admin queue (assign a lead to a reseller), registration
//! conflicts, the co-sell queue (assign presales), the resellers (suspend, reactivate, export).
//! The same use cases as the admin API.

use super::pages::render;
use super::CheckedForm;
use super::Outcome;
use super::{back_with, form, refused, Portal, PortalError, Visitor};
use crate::domain::renewal::india_date;
use crate::domain::reseller::ResellerStatus;
use crate::domain::support::CoSellStatus;
use crate::handlers::http::QueryParams;
use crate::usecases::pipeline::PipelinePorts;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

impl Portal {
    pub(super) fn support_ports(&self) -> crate::usecases::support::SupportPorts<'_> {
        crate::usecases::support::SupportPorts {
            table: self.table.as_ref(),
            clock: self.clock.as_ref(),
            mailer: self.mailer.as_ref(),
            rules: &self.config.rules.support,
            mail_from: &self.config.mail_from,
            presales_email: &self.config.presales_email,
        }
    }
}

#[derive(Serialize)]
struct QueueRow {
    lead_id: String,
    name: String,
    company: String,
    score: String,
    region: String,
    captured: String,
}

#[derive(Serialize)]
struct ResellerChoice {
    id: String,
    name: String,
}

#[utoipa::path(get, path = "/portal/admin/queue", tag = "portal",
    params(Outcome),
    responses((status = 200, description = "the admin queue: leads no reseller took, each with a form to assign it (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "a reseller's session", content_type = "text/html", body = String)))]
pub(super) async fn queue(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    QueryParams(o): QueryParams<Outcome>,
) -> Result<Response, PortalError> {
    let table = portal.table.as_ref();
    let filter = crate::usecases::leads::LeadFilter {
        owner: Some("admin".into()),
        ..Default::default()
    };
    let (leads, _) = crate::usecases::leads::list_leads(table, &filter, 50, None)
        .await
        .map_err(|e| PortalError::Internal(e.to_string()))?;
    let rows: Vec<QueueRow> = leads
        .into_iter()
        .map(|l| QueueRow {
            name: l.profile.name.clone().unwrap_or_else(|| l.email.clone()),
            company: l.profile.company.clone().unwrap_or_default(),
            score: l.score.map(|s| s.to_string()).unwrap_or_default(),
            region: [l.profile.state.clone(), l.profile.country.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", "),
            captured: india_date(l.created_at).to_string(),
            lead_id: l.lead_id,
        })
        .collect();
    let resellers: Vec<ResellerChoice> = crate::usecases::resellers::by_status(table, &[ResellerStatus::Active])
        .await?
        .into_iter()
        .map(|r| ResellerChoice {
            id: r.reseller_id,
            name: r.name,
        })
        .collect();
    Ok(render(
        "queue.html",
        "Admin queue",
        Some(&visitor),
        serde_json::json!({ "leads": rows, "resellers": resellers, "done": o.shown(&visitor).done, "error": o.shown(&visitor).error }),
    ))
}

#[derive(Deserialize)]
pub(super) struct AssignForm {
    reseller_id: String,
    note: Option<String>,
}

#[utoipa::path(post, path = "/portal/admin/leads/{id}/assign", tag = "portal",
    params(("id" = String, Path, description = "lead id")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `reseller_id`, `note`"),
    responses((status = 303, description = "assigned (its SLA clock starts), or refused with the reason: back to the queue"),
        (status = 403, description = "no CSRF token of this session, or a reseller's session", content_type = "text/html", body = String),
        (status = 404, description = "no such lead", content_type = "text/html", body = String)))]
pub(super) async fn assign(
    State(portal): State<Arc<Portal>>,
    Path(lead_id): Path<String>,
    CheckedForm { visitor, form: f }: CheckedForm<AssignForm>,
) -> Result<Response, PortalError> {
    let ports = PipelinePorts {
        table: portal.table.as_ref(),
        clock: portal.clock.as_ref(),
        rules: &portal.config.rules.pipeline,
    };
    const PAGE: &str = "/portal/admin/queue";
    let note = f.note.filter(|n| !n.trim().is_empty());
    match crate::usecases::pipeline::assign(&ports, &visitor.principal, &lead_id, f.reseller_id.trim(), note).await {
        Ok(_) => Ok(back_with(
            &visitor,
            PAGE,
            "done",
            &format!("Assigned to {}.", f.reseller_id.trim()),
        )),
        Err(e) => refused(&visitor, PAGE, e),
    }
}

#[derive(Serialize)]
struct ConflictRow {
    company: String,
    domain: String,
    holder: String,
    claimed_by: String,
    until: String,
    at: String,
    id: String,
    /// `approved` / `rejected` by whom, or empty while open
    decision: String,
}

#[utoipa::path(get, path = "/portal/admin/conflicts", tag = "portal",
    params(super::Outcome),
    responses((status = 200, description = "registration conflicts, newest first: who holds the company and who tried to claim it (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "a reseller's session", content_type = "text/html", body = String)))]
pub(super) async fn conflicts(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    QueryParams(o): QueryParams<super::Outcome>,
) -> Result<Response, PortalError> {
    let rows: Vec<ConflictRow> = crate::usecases::registrations::conflict_records(portal.table.as_ref())
        .await?
        .into_iter()
        .filter(|c| crate::usecases::registrations::conflict_visible(c, &visitor.principal))
        .map(|c| ConflictRow {
            decision: c
                .decision
                .as_ref()
                .map(|d| format!("{} by {}", d.outcome, d.by))
                .unwrap_or_default(),
            id: c.id,
            company: c.company,
            domain: c.domain.unwrap_or_default(),
            holder: c.protected_for,
            claimed_by: c.claimed_by,
            until: india_date(c.protected_until).to_string(),
            at: c.at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect();
    let notices = o.shown(&visitor);
    Ok(render(
        "conflicts.html",
        "Registration conflicts",
        Some(&visitor),
        serde_json::json!({ "conflicts": rows, "done": notices.done, "error": notices.error }),
    ))
}

async fn decide_conflict(
    portal: &Portal,
    visitor: &Visitor,
    headers: &HeaderMap,
    id: &str,
    body: Body,
    approve: bool,
) -> Result<Response, PortalError> {
    use crate::usecases::registrations::ConflictError;
    let _: std::collections::HashMap<String, String> = form(visitor, headers, body).await?;
    const PAGE: &str = "/portal/admin/conflicts";
    match crate::usecases::registrations::decide_conflict(
        &portal.registration_ports(),
        &visitor.principal,
        id,
        approve,
        None,
    )
    .await
    {
        Ok(c) => Ok(back_with(
            visitor,
            PAGE,
            "done",
            &format!(
                "{}: {}.",
                c.company,
                if approve {
                    "given to the claimant"
                } else {
                    "left with its holder"
                }
            ),
        )),
        Err(ConflictError::NotFound(_)) => Err(PortalError::NotFound),
        Err(ConflictError::Conflict(m)) => Ok(back_with(visitor, PAGE, "error", &m)),
        Err(ConflictError::Invalid(errors)) => Ok(back_with(visitor, PAGE, "error", &super::field_errors(&errors))),
        Err(ConflictError::Store(e)) => Err(e.into()),
    }
}

#[utoipa::path(post, path = "/portal/admin/conflicts/{id}/approve", tag = "portal",
    params(("id" = String, Path, description = "conflict id")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`"),
    responses((status = 303, description = "the company went to the claimant (or refused with the reason): back to the conflicts"),
        (status = 403, description = "no CSRF token of this session, or not a programme admin or channel manager", content_type = "text/html", body = String),
        (status = 404, description = "no such conflict of your partners", content_type = "text/html", body = String)))]
pub(super) async fn approve_conflict(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, PortalError> {
    decide_conflict(&portal, &visitor, &headers, &id, body, true).await
}

#[utoipa::path(post, path = "/portal/admin/conflicts/{id}/reject", tag = "portal",
    params(("id" = String, Path, description = "conflict id")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`"),
    responses((status = 303, description = "the company stays with its holder (or refused with the reason): back to the conflicts"),
        (status = 403, description = "no CSRF token of this session, or not a programme admin or channel manager", content_type = "text/html", body = String),
        (status = 404, description = "no such conflict of your partners", content_type = "text/html", body = String)))]
pub(super) async fn reject_conflict(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, PortalError> {
    decide_conflict(&portal, &visitor, &headers, &id, body, false).await
}

#[derive(Serialize)]
struct CoSellRow {
    id: String,
    lead_id: String,
    reseller_id: String,
    kind: String,
    note: String,
    times: String,
    status: &'static str,
    assignee: String,
    respond_by: String,
}

#[utoipa::path(get, path = "/portal/admin/co-sell", tag = "portal",
    params(Outcome),
    responses((status = 200, description = "the co-sell queue: open requests with a form to assign presales, then the assigned ones (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "a reseller's session", content_type = "text/html", body = String)))]
pub(super) async fn cosell_queue(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    QueryParams(o): QueryParams<Outcome>,
) -> Result<Response, PortalError> {
    let mut rows = Vec::new();
    for status in [CoSellStatus::Open, CoSellStatus::Assigned] {
        for c in crate::usecases::support::cosell_queue(portal.table.as_ref(), status, 100).await? {
            rows.push(CoSellRow {
                id: c.cosell_id,
                lead_id: c.lead_id,
                reseller_id: c.reseller_id,
                kind: c.kind.as_str().replace('_', " "),
                note: c.note.unwrap_or_default(),
                times: c.preferred_times.join("; "),
                status: c.status.as_str(),
                assignee: c.assignee.unwrap_or_default(),
                respond_by: c.respond_by.format("%Y-%m-%d %H:%M UTC").to_string(),
            });
        }
    }
    Ok(render(
        "cosell.html",
        "Co-sell queue",
        Some(&visitor),
        serde_json::json!({ "requests": rows, "done": o.shown(&visitor).done, "error": o.shown(&visitor).error }),
    ))
}

#[derive(Deserialize)]
pub(super) struct CoSellAssignForm {
    assignee: String,
    note: Option<String>,
}

#[utoipa::path(post, path = "/portal/admin/co-sell/{id}/assign", tag = "portal",
    params(("id" = String, Path, description = "co-sell request id")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `assignee`, `note`"),
    responses((status = 303, description = "assigned, or refused with the reason: back to the queue"),
        (status = 403, description = "no CSRF token of this session, or a reseller's session", content_type = "text/html", body = String),
        (status = 404, description = "no such request", content_type = "text/html", body = String)))]
pub(super) async fn cosell_assign(
    State(portal): State<Arc<Portal>>,
    Path(id): Path<String>,
    CheckedForm { visitor, form: f }: CheckedForm<CoSellAssignForm>,
) -> Result<Response, PortalError> {
    const PAGE: &str = "/portal/admin/co-sell";
    let who = f.assignee.trim().to_string();
    if who.is_empty() {
        return Ok(back_with(&visitor, PAGE, "error", "Name who takes it."));
    }
    let note = f.note.filter(|n| !n.trim().is_empty());
    match crate::usecases::support::update_cosell(
        &portal.support_ports(),
        &visitor.principal,
        &id,
        CoSellStatus::Assigned,
        Some(who.clone()),
        note,
    )
    .await
    {
        Ok(_) => Ok(back_with(&visitor, PAGE, "done", &format!("Assigned to {who}."))),
        Err(e) => refused(&visitor, PAGE, e),
    }
}

#[derive(Serialize)]
struct ResellerRow {
    id: String,
    name: String,
    email: String,
    status: &'static str,
    tier: String,
    open_leads: u32,
    capacity: u32,
    regions: String,
}

#[utoipa::path(get, path = "/portal/admin/resellers", tag = "portal",
    params(Outcome),
    responses((status = 200, description = "every reseller by status, with suspend / reactivate forms and the CSV export (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "a reseller's session", content_type = "text/html", body = String)))]
pub(super) async fn resellers(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    QueryParams(o): QueryParams<Outcome>,
) -> Result<Response, PortalError> {
    let rows: Vec<ResellerRow> = crate::usecases::resellers::by_status(portal.table.as_ref(), &ResellerStatus::ALL)
        .await?
        .into_iter()
        .map(|r| ResellerRow {
            tier: serde_json::to_value(r.tier)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            status: r.status.as_str(),
            open_leads: r.open_leads,
            capacity: r.capacity,
            regions: r.regions.join(", "),
            id: r.reseller_id,
            name: r.name,
            email: r.email,
        })
        .collect();
    Ok(render(
        "resellers.html",
        "Resellers",
        Some(&visitor),
        serde_json::json!({ "resellers": rows, "done": o.shown(&visitor).done, "error": o.shown(&visitor).error }),
    ))
}

#[utoipa::path(get, path = "/portal/admin/resellers.csv", tag = "portal",
    responses((status = 200, description = "every reseller as CSV (the same columns as `GET /resellers?format=csv`)", content_type = "text/csv", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "a reseller's session", content_type = "text/html", body = String)))]
pub(super) async fn resellers_csv(State(portal): State<Arc<Portal>>, _: Visitor) -> Result<Response, PortalError> {
    let all = crate::usecases::resellers::by_status(portal.table.as_ref(), &ResellerStatus::ALL).await?;
    let mut res = (StatusCode::OK, crate::usecases::resellers::csv(&all)).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"resellers.csv\""),
    );
    Ok(res)
}

#[derive(Deserialize)]
pub(super) struct StatusForm {
    reason: String,
}

async fn change(
    portal: &Portal,
    id: &str,
    action: &str,
    CheckedForm { visitor, form: f }: CheckedForm<StatusForm>,
) -> Result<Response, PortalError> {
    use crate::usecases::lifecycle::{change_status, LifecycleError};
    const PAGE: &str = "/portal/admin/resellers";
    let reason = f.reason.trim();
    if reason.is_empty() {
        return Ok(back_with(
            &visitor,
            PAGE,
            "error",
            "Give a reason: the reseller's history keeps it.",
        ));
    }
    match change_status(
        portal.table.as_ref(),
        portal.clock.as_ref(),
        &visitor.principal,
        id,
        action,
        reason,
    )
    .await
    {
        Ok(r) => Ok(back_with(
            &visitor,
            PAGE,
            "done",
            &format!("{} is {}.", r.name, r.status.as_str()),
        )),
        Err(LifecycleError::NotFound(_)) => Err(PortalError::NotFound),
        Err(LifecycleError::Conflict(m)) => Ok(back_with(&visitor, PAGE, "error", &m)),
        Err(LifecycleError::Store(e)) => Err(e.into()),
    }
}

#[utoipa::path(post, path = "/portal/admin/resellers/{id}/suspend", tag = "portal",
    params(("id" = String, Path, description = "reseller id")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `reason`"),
    responses((status = 303, description = "suspended (it takes no leads), or refused with the reason: back to the resellers"),
        (status = 403, description = "no CSRF token of this session, or a reseller's session", content_type = "text/html", body = String),
        (status = 404, description = "no such reseller", content_type = "text/html", body = String)))]
pub(super) async fn suspend(
    State(portal): State<Arc<Portal>>,
    Path(id): Path<String>,
    form: CheckedForm<StatusForm>,
) -> Result<Response, PortalError> {
    change(&portal, &id, "suspend", form).await
}

#[utoipa::path(post, path = "/portal/admin/resellers/{id}/reactivate", tag = "portal",
    params(("id" = String, Path, description = "reseller id")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `reason`"),
    responses((status = 303, description = "active again, or refused with the reason: back to the resellers"),
        (status = 403, description = "no CSRF token of this session, or a reseller's session", content_type = "text/html", body = String),
        (status = 404, description = "no such reseller", content_type = "text/html", body = String)))]
pub(super) async fn reactivate(
    State(portal): State<Arc<Portal>>,
    Path(id): Path<String>,
    form: CheckedForm<StatusForm>,
) -> Result<Response, PortalError> {
    change(&portal, &id, "reactivate", form).await
}
