//! A lead's page: stage, score and its reasons, why it was routed here, its quotes with their
//! proposals, its timeline; forms to log a call (or other activity) and to ask presales to
//! co-sell. A reseller sees only its own leads, exactly as its API key does.

use super::pages::render;
use super::CheckedForm;
use super::Outcome;
use super::{back_with, Portal, PortalError, Visitor};
use crate::domain::money::display;
use crate::domain::support::CoSellKind;
use crate::handlers::http::QueryParams;
use crate::usecases::pipeline::{Asker, PipelineError};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

impl super::Visitor {
    /// The use cases' asker for this visitor.
    pub(super) fn asker(&self) -> Asker<'_> {
        &self.principal
    }
}

fn pipeline_error(e: PipelineError) -> PortalError {
    match e {
        PipelineError::NotFound(_) | PipelineError::Unknown(_) => PortalError::NotFound,
        PipelineError::Store(s) => s.into(),
        other => PortalError::BadForm(other.to_string()),
    }
}

#[derive(Serialize)]
struct AuditRow {
    at: String,
    what: String,
    by: String,
}

#[derive(Serialize)]
struct QuoteRow {
    quote_id: String,
    status: &'static str,
    total: String,
    valid_until: String,
    sendable: bool,
}

#[utoipa::path(get, path = "/portal/leads/{id}", tag = "portal",
    params(("id" = String, Path, description = "lead id"), Outcome),
    responses((status = 200, description = "the lead: stage, score and its reasons, why it was routed here, quotes and proposals, its timeline; forms to log a call and ask for co-selling (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 404, description = "no such lead, or another reseller's", content_type = "text/html", body = String)))]
pub(super) async fn lead_page(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    Path(lead_id): Path<String>,
    QueryParams(o): QueryParams<Outcome>,
) -> Result<Response, PortalError> {
    let table = portal.table.as_ref();
    // the timeline shows the latest page of the trail
    let history = crate::usecases::leads::History::latest();
    let record = crate::usecases::leads::get_ticket_page(table, &lead_id, &history)
        .await?
        .ok_or(PortalError::NotFound)?;
    let lead = record.lead;
    if let Some(own) = visitor.reseller_id() {
        if lead.owner_reseller_id.as_deref() != Some(own) {
            return Err(PortalError::NotFound);
        }
    }
    let view = serde_json::json!({
        "lead_id": lead.lead_id,
        "name": lead.profile.name.clone().unwrap_or_else(|| lead.email.clone()),
        "email": lead.email.clone(),
        "company": lead.profile.company.clone().unwrap_or_default(),
        "stage": lead.stage.code(),
        "stage_name": if lead.closed_lost { "Closed lost" } else { lead.stage.name() },
        "score": lead.score.map(|s| s.to_string()).unwrap_or_else(|| "—".into()),
        "band": lead.band.map(|b| format!("{b:?}").to_lowercase()).unwrap_or_default(),
        "reasons": lead.score_reasons.iter().map(|r| format!("{} (+{}): {}", r.factor, r.points, r.evidence)).collect::<Vec<_>>(),
        "routing": lead.routing.as_ref().map(|r| r.why.clone()).unwrap_or_else(|| "Not routed yet.".into()),
    });
    let quotes: Vec<QuoteRow> = crate::usecases::quotes::for_lead(table, visitor.asker(), &lead_id)
        .await
        .map_err(pipeline_error)?
        .into_iter()
        .map(|q| QuoteRow {
            status: q.status.as_str(),
            total: display(
                q.totals.licence + q.totals.amc_first_year + q.totals.services,
                &q.currency,
            ),
            valid_until: crate::domain::renewal::india_date(q.valid_until).to_string(),
            sendable: q.status.is_sendable(),
            quote_id: q.quote_id,
        })
        .collect();
    let mut audit: Vec<AuditRow> = record
        .audit
        .iter()
        .map(|a| AuditRow {
            at: a.at.format("%Y-%m-%d %H:%M UTC").to_string(),
            what: if a.detail.is_empty() {
                a.action.clone()
            } else {
                format!("{}: {}", a.action, a.detail)
            },
            by: a.actor.clone(),
        })
        .collect();
    audit.reverse();
    Ok(render(
        "lead.html",
        "Lead",
        Some(&visitor),
        serde_json::json!({ "lead": view, "audit": audit, "quotes": quotes,
            "activity_kinds": crate::usecases::activities::KINDS,
            "cosell_kinds": CoSellKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            "owner": visitor.reseller_id().is_some(),
            "done": o.shown(&visitor).done, "error": o.shown(&visitor).error }),
    ))
}

#[derive(Deserialize)]
pub(super) struct ActivityForm {
    #[serde(rename = "type")]
    kind: String,
    note: Option<String>,
}

#[utoipa::path(post, path = "/portal/leads/{id}/activities", tag = "portal",
    params(("id" = String, Path, description = "lead id")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `type` (call, email, meeting, note, reply, webinar), `note`"),
    responses((status = 303, description = "logged (the first call stops the SLA clock): back to the lead"),
        (status = 403, description = "no CSRF token of this session", content_type = "text/html", body = String),
        (status = 404, description = "no such lead, or another reseller's", content_type = "text/html", body = String)))]
pub(super) async fn log_activity(
    State(portal): State<Arc<Portal>>,
    Path(lead_id): Path<String>,
    CheckedForm { visitor, form: f }: CheckedForm<ActivityForm>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    let page = format!("/portal/leads/{lead_id}");
    let record = crate::usecases::leads::get_ticket(portal.table.as_ref(), &lead_id)
        .await?
        .filter(|r| r.lead.owner_reseller_id.as_deref() == Some(id.as_str()))
        .ok_or(PortalError::NotFound)?;
    if !crate::usecases::activities::KINDS.contains(&f.kind.as_str()) {
        return Ok(back_with(&visitor, &page, "error", "Choose what you did."));
    }
    let mut errors = Vec::new();
    let note = crate::handlers::http::note_of(f.note.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Ok(back_with(&visitor, &page, "error", &super::field_errors(&errors)));
    }
    let audit = crate::usecases::activities::event(&visitor.principal, &f.kind, note, portal.clock.now());
    let first =
        crate::usecases::activities::record(portal.table.as_ref(), &record.lead, &audit, &f.kind, record.sla).await?;
    let message = match first.and_then(|s| s.first_response_minutes) {
        Some(m) => format!("Logged: your first response, {m} min after assignment."),
        None => "Logged.".to_string(),
    };
    Ok(back_with(&visitor, &page, "done", &message))
}

#[derive(Deserialize)]
pub(super) struct CoSellForm {
    kind: String,
    note: Option<String>,
    preferred_times: Option<String>,
}

#[utoipa::path(post, path = "/portal/leads/{id}/co-sell", tag = "portal",
    params(("id" = String, Path, description = "lead id")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `kind` (joint_demo, technical_question, pricing_exception), `note`, `preferred_times` (one per line)"),
    responses((status = 303, description = "asked (presales is told), or refused with the reason: back to the lead"),
        (status = 403, description = "no CSRF token of this session", content_type = "text/html", body = String),
        (status = 404, description = "no such lead, or another reseller's", content_type = "text/html", body = String)))]
pub(super) async fn cosell(
    State(portal): State<Arc<Portal>>,
    Path(lead_id): Path<String>,
    CheckedForm { visitor, form: f }: CheckedForm<CoSellForm>,
) -> Result<Response, PortalError> {
    let page = format!("/portal/leads/{lead_id}");
    let Some(kind) = CoSellKind::parse(&f.kind) else {
        return Ok(back_with(&visitor, &page, "error", "Choose the kind of help you need."));
    };
    let input = crate::usecases::support::CoSellIn {
        kind,
        note: f.note.filter(|n| !n.trim().is_empty()),
        preferred_times: f
            .preferred_times
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    };
    match crate::usecases::support::request_cosell(&portal.support_ports(), &visitor.principal, &lead_id, input).await {
        Ok(c) => Ok(back_with(
            &visitor,
            &page,
            "done",
            &format!(
                "Asked presales ({}); they answer by {}.",
                c.kind.as_str().replace('_', " "),
                c.respond_by.format("%-d %b %Y %H:%M UTC")
            ),
        )),
        Err(e) => super::refused(&visitor, &page, e),
    }
}

#[utoipa::path(get, path = "/portal/quotes/{id}/proposal", tag = "portal",
    params(("id" = String, Path, description = "quote id")),
    responses((status = 200, description = "the quote's proposal as the customer sees it, in the reseller's brand (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 404, description = "no such quote, or another reseller's", content_type = "text/html", body = String),
        (status = 409, description = "the quote is not issued or approved yet", content_type = "text/html", body = String)))]
pub(super) async fn proposal(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    Path(quote_id): Path<String>,
) -> Result<Response, PortalError> {
    let table = portal.table.as_ref();
    let quote = crate::usecases::quotes::get(table, visitor.asker(), &quote_id)
        .await
        .map_err(pipeline_error)?;
    if !quote.status.is_sendable() {
        return Ok(super::pages::message_page(
            StatusCode::CONFLICT,
            "Not ready",
            "Only an issued or approved quote has a proposal.",
            "error",
        ));
    }
    let lead = crate::usecases::leads::get(table, &quote.lead_id)
        .await?
        .ok_or(PortalError::NotFound)?;
    let reseller = crate::usecases::resellers::get(table, &quote.reseller_id)
        .await?
        .ok_or(PortalError::NotFound)?;
    let html = crate::proposal::render(&quote, &lead, &reseller).map_err(|e| PortalError::Internal(e.to_string()))?;
    let mut res = (StatusCode::OK, html).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Ok(res)
}
