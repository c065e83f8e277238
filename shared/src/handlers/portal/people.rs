//! A reseller's people, for its owners: invite someone (owner, manager or rep; an invitation
//! email with a sign-in link), change a role, remove someone (its sessions and keys end at once,
//! its open leads return to the unassigned list). The same use cases as `/resellers/{id}/users`.

use super::pages::render;
use super::CheckedForm;
use super::{back_with, field_errors, Outcome, Portal, PortalError, Visitor};
use crate::domain::people::{PersonStatus, UserIn};
use crate::domain::renewal::india_date;
use crate::handlers::http::QueryParams;
use crate::usecases::people::PeopleError;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

const PAGE: &str = "/portal/team";

#[derive(Serialize)]
struct PersonRow {
    user_id: String,
    name: String,
    email: String,
    role: &'static str,
    since: String,
    me: bool,
}

#[utoipa::path(get, path = "/portal/team", tag = "portal",
    params(Outcome),
    responses((status = 200, description = "the reseller's people with their roles, and the forms to invite, change a role and remove (owners; HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "a manager's, rep's or staff session", content_type = "text/html", body = String)))]
pub(super) async fn team_page(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    QueryParams(o): QueryParams<Outcome>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    let me = visitor.principal.user_id().unwrap_or_default();
    let people: Vec<PersonRow> = crate::usecases::people::team(portal.table.as_ref(), &id)
        .await?
        .into_iter()
        .filter(|u| u.status == PersonStatus::Active)
        .map(|u| PersonRow {
            me: u.user_id == me,
            role: u.role.as_str(),
            since: india_date(u.created_at).to_string(),
            user_id: u.user_id,
            name: u.name,
            email: u.email,
        })
        .collect();
    let notices = o.shown(&visitor);
    Ok(render(
        "team.html",
        "Team",
        Some(&visitor),
        serde_json::json!({ "people": people, "done": notices.done, "error": notices.error }),
    ))
}

fn refused(visitor: &Visitor, e: PeopleError) -> Result<Response, PortalError> {
    match e {
        PeopleError::NotFound(_) => Err(PortalError::NotFound),
        PeopleError::Store(s) => Err(s.into()),
        PeopleError::Invalid(errors) => Ok(back_with(visitor, PAGE, "error", &field_errors(&errors))),
        PeopleError::Conflict(m) | PeopleError::Forbidden(m) => Ok(back_with(visitor, PAGE, "error", &m)),
    }
}

#[derive(Deserialize)]
pub(super) struct InviteForm {
    email: String,
    name: String,
    role: String,
}

#[utoipa::path(post, path = "/portal/team", tag = "portal",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `email`, `name`, `role` (`owner`, `manager` or `rep`)"),
    responses((status = 303, description = "invited (an email with a sign-in link is on its way), or refused with the reason: back to the team"),
        (status = 403, description = "no CSRF token of this session, or not an owner", content_type = "text/html", body = String)))]
pub(super) async fn invite(
    State(portal): State<Arc<Portal>>,
    CheckedForm { visitor, form: f }: CheckedForm<InviteForm>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    let input = UserIn {
        email: Some(f.email),
        name: Some(f.name),
        role: Some(f.role),
    };
    match crate::usecases::people::invite(&portal.people_ports(), &visitor.principal, &id, &input).await {
        Ok(u) => Ok(back_with(
            &visitor,
            PAGE,
            "done",
            &format!(
                "Invited {} as {}: a sign-in link is on its way.",
                u.name,
                u.role.as_str()
            ),
        )),
        Err(e) => refused(&visitor, e),
    }
}

#[derive(Deserialize)]
pub(super) struct RoleForm {
    role: String,
}

#[utoipa::path(post, path = "/portal/team/{user_id}/role", tag = "portal",
    params(("user_id" = String, Path, description = "the person")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `role`"),
    responses((status = 303, description = "changed (a reseller keeps one owner), or refused with the reason: back to the team"),
        (status = 403, description = "no CSRF token of this session, or not an owner", content_type = "text/html", body = String),
        (status = 404, description = "nobody of this reseller by that id", content_type = "text/html", body = String)))]
pub(super) async fn change_role(
    State(portal): State<Arc<Portal>>,
    Path(user_id): Path<String>,
    CheckedForm { visitor, form: f }: CheckedForm<RoleForm>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    match crate::usecases::people::change_role(&portal.people_ports(), &visitor.principal, &id, &user_id, Some(&f.role))
        .await
    {
        Ok(u) => Ok(back_with(
            &visitor,
            PAGE,
            "done",
            &format!("{} is now {}.", u.name, u.role.as_str()),
        )),
        Err(e) => refused(&visitor, e),
    }
}

#[utoipa::path(post, path = "/portal/team/{user_id}/remove", tag = "portal",
    params(("user_id" = String, Path, description = "the person")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`"),
    responses((status = 303, description = "removed: its sessions and keys end at once and its open leads are unassigned (or refused with the reason): back to the team"),
        (status = 403, description = "no CSRF token of this session, or not an owner", content_type = "text/html", body = String),
        (status = 404, description = "nobody of this reseller by that id", content_type = "text/html", body = String)))]
pub(super) async fn remove(
    State(portal): State<Arc<Portal>>,
    Path(user_id): Path<String>,
    CheckedForm { visitor, form: _ }: CheckedForm<std::collections::HashMap<String, String>>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    match crate::usecases::people::remove(&portal.people_ports(), &visitor.principal, &id, &user_id).await {
        Ok(r) => Ok(back_with(
            &visitor,
            PAGE,
            "done",
            &format!(
                "Removed: {} key(s) revoked, {} open lead(s) back on the unassigned list.",
                r.keys_revoked,
                r.leads_unassigned.len()
            ),
        )),
        Err(e) => refused(&visitor, e),
    }
}
