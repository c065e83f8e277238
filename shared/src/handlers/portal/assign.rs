//! Leads inside a reseller: a rep's home (the open leads assigned to it, with their first-call
//! clocks) and the owners' and managers' assignment view, where each open lead is given to one
//! of the reseller's people.

use super::pages::render;
use super::reseller::sla_clock;
use super::CheckedForm;
use super::{back_with, Outcome, Portal, PortalError, Visitor};
use crate::domain::lead::Lead;
use crate::domain::people::{PersonStatus, ResellerRole};
use crate::domain::renewal::india_date;
use crate::handlers::http::QueryParams;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Serialize)]
struct Row {
    lead_id: String,
    name: String,
    company: String,
    stage: String,
    score: String,
    sla: String,
    overdue: bool,
    assigned_user: String,
}

/// The reseller's open leads that `keep` selects, newest first, with their first-call clocks.
async fn rows(portal: &Portal, reseller_id: &str, keep: impl Fn(&Lead) -> bool) -> Result<Vec<Row>, PortalError> {
    let table = portal.table.as_ref();
    let now = portal.clock.now();
    let mut leads: Vec<Lead> = crate::usecases::leads::owned_by(table, reseller_id)
        .await?
        .into_iter()
        .filter(|l| l.is_open() && l.owner_reseller_id.as_deref() == Some(reseller_id) && keep(l))
        .collect();
    leads.sort_by_key(|l| std::cmp::Reverse(l.updated_at));
    leads.truncate(200);
    let mut out = Vec::with_capacity(leads.len());
    for l in leads {
        let sla = crate::usecases::sla::of_lead(table, &l.lead_id).await?;
        let (clock, overdue) = match sla {
            Some(s) if s.status == crate::domain::sla::SlaStatus::Waiting => sla_clock(s.deadline, now),
            _ => ("—".to_string(), false),
        };
        out.push(Row {
            name: l.profile.name.clone().unwrap_or_else(|| "(no name)".into()),
            company: l.profile.company.clone().unwrap_or_default(),
            stage: format!("{} {}", l.stage.code(), l.stage.name()),
            score: l.score.map(|s| s.to_string()).unwrap_or_default(),
            sla: clock,
            overdue,
            assigned_user: l.assigned_user.clone().unwrap_or_default(),
            lead_id: l.lead_id,
        });
    }
    Ok(out)
}

/// A rep's home: its own open leads and their first-call clocks.
pub(super) async fn rep_home(portal: &Portal, visitor: &Visitor) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    let me = visitor.principal.user_id().unwrap_or_default().to_string();
    let leads = rows(portal, &id, |l| l.assigned_user.as_deref() == Some(me.as_str())).await?;
    Ok(render(
        "rep_home.html",
        "Home",
        Some(visitor),
        serde_json::json!({ "name": visitor.name, "leads": leads, "today": india_date(portal.clock.now()).to_string() }),
    ))
}

#[derive(Serialize)]
struct Person {
    user_id: String,
    name: String,
    role: &'static str,
}

#[utoipa::path(get, path = "/portal/assign", tag = "portal",
    params(Outcome),
    responses((status = 200, description = "the reseller's open leads with who works each, and a form to give each to one of its people (owners and managers; HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "a rep's or a staff session", content_type = "text/html", body = String)))]
pub(super) async fn assign_page(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    QueryParams(o): QueryParams<Outcome>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    let people: Vec<Person> = crate::usecases::people::team(portal.table.as_ref(), &id)
        .await?
        .into_iter()
        .filter(|u| u.status == PersonStatus::Active)
        .map(|u| Person {
            user_id: u.user_id,
            name: u.name,
            role: u.role.as_str(),
        })
        .collect();
    let mut leads = rows(&portal, &id, |_| true).await?;
    // unassigned first: they wait for someone
    leads.sort_by_key(|l| !l.assigned_user.is_empty());
    let notices = o.shown(&visitor);
    Ok(render(
        "assign.html",
        "Assign leads",
        Some(&visitor),
        serde_json::json!({ "leads": leads, "people": people, "done": notices.done, "error": notices.error,
            "reps": people_count(&people, ResellerRole::Rep) }),
    ))
}

fn people_count(people: &[Person], role: ResellerRole) -> usize {
    people.iter().filter(|p| p.role == role.as_str()).count()
}

#[derive(Deserialize)]
pub(super) struct AssignForm {
    /// empty: nobody (back to the unassigned list)
    user_id: String,
}

#[utoipa::path(post, path = "/portal/leads/{id}/assign-user", tag = "portal",
    params(("id" = String, Path, description = "lead id")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `user_id` (empty: unassigned)"),
    responses((status = 303, description = "assigned (audited to the person who did it), or refused with the reason: back to the assignment view"),
        (status = 403, description = "no CSRF token of this session, or a rep's or staff session", content_type = "text/html", body = String)))]
pub(super) async fn assign_user(
    State(portal): State<Arc<Portal>>,
    Path(lead_id): Path<String>,
    CheckedForm { visitor, form: f }: CheckedForm<AssignForm>,
) -> Result<Response, PortalError> {
    const PAGE: &str = "/portal/assign";
    let to = Some(f.user_id.trim()).filter(|u| !u.is_empty());
    use crate::usecases::people::PeopleError;
    match crate::usecases::people::assign_lead(
        portal.table.as_ref(),
        portal.clock.as_ref(),
        &visitor.principal,
        &lead_id,
        to,
    )
    .await
    {
        Ok(_) => Ok(back_with(
            &visitor,
            PAGE,
            "done",
            &match to {
                Some(_) => "Assigned.".to_string(),
                None => "Back on the unassigned list.".to_string(),
            },
        )),
        Err(PeopleError::NotFound(_)) => Err(PortalError::NotFound),
        Err(PeopleError::Store(e)) => Err(e.into()),
        Err(PeopleError::Invalid(errors)) => Ok(back_with(&visitor, PAGE, "error", &super::field_errors(&errors))),
        Err(PeopleError::Conflict(m) | PeopleError::Forbidden(m)) => Ok(back_with(&visitor, PAGE, "error", &m)),
    }
}
