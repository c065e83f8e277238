//! The vendor's staff pages, each for its role: a channel manager's partners (a programme
//! admin sees every reseller with its channel manager), support's queue of tickets escalated to
//! the vendor, and the programme admin's staff list with the form to add someone.

use super::pages::render;
use super::CheckedForm;
use super::{back_with, field_errors, Outcome, Portal, PortalError, Visitor};
use crate::domain::people::{PersonStatus, StaffIn};
use crate::domain::renewal::india_date;
use crate::domain::reseller::ResellerStatus;
use crate::handlers::http::QueryParams;
use crate::usecases::people::PeopleError;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

impl Portal {
    pub(super) fn people_ports(&self) -> crate::usecases::people::PeoplePorts<'_> {
        crate::usecases::people::PeoplePorts {
            table: self.table.as_ref(),
            clock: self.clock.as_ref(),
            mailer: self.mailer.as_ref(),
            mail_from: &self.config.mail_from,
            portal_url: &self.config.public_base_url,
        }
    }
}

#[derive(Serialize)]
struct PartnerRow {
    id: String,
    name: String,
    status: &'static str,
    tier: String,
    open_leads: u32,
    capacity: u32,
    channel_manager: String,
}

#[utoipa::path(get, path = "/portal/admin/partners", tag = "portal",
    responses((status = 200, description = "a channel manager's partners (a programme admin: every active or suspended reseller with its channel manager), with their load (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "not a channel manager or programme admin", content_type = "text/html", body = String)))]
pub(super) async fn partners(State(portal): State<Arc<Portal>>, visitor: Visitor) -> Result<Response, PortalError> {
    let table = portal.table.as_ref();
    let staff = crate::usecases::people::all_staff(table).await?;
    let name_of = |id: &str| {
        staff
            .iter()
            .find(|s| s.staff_id == id)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let rows: Vec<PartnerRow> =
        crate::usecases::resellers::by_status(table, &[ResellerStatus::Active, ResellerStatus::Suspended])
            .await?
            .into_iter()
            .filter(|r| visitor.principal.sees_reseller(&r.reseller_id))
            .map(|r| PartnerRow {
                status: r.status.as_str(),
                tier: serde_json::to_value(r.tier)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                open_leads: r.open_leads,
                capacity: r.capacity,
                channel_manager: r.channel_manager.as_deref().map(name_of).unwrap_or_default(),
                id: r.reseller_id,
                name: r.name,
            })
            .collect();
    Ok(render(
        "partners.html",
        "Partners",
        Some(&visitor),
        serde_json::json!({ "partners": rows }),
    ))
}

#[derive(Serialize)]
struct TicketRow {
    id: String,
    reseller_id: String,
    subject: String,
    severity: String,
    level: String,
    respond_by: String,
    overdue: bool,
}

#[utoipa::path(get, path = "/portal/admin/tickets", tag = "portal",
    responses((status = 200, description = "support tickets escalated to the vendor (L2/L3) and open, soonest deadline first (a channel manager: its partners'; HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "not support, a channel manager or a programme admin", content_type = "text/html", body = String)))]
pub(super) async fn tickets(State(portal): State<Arc<Portal>>, visitor: Visitor) -> Result<Response, PortalError> {
    let now = portal.clock.now();
    let rows: Vec<TicketRow> = crate::usecases::support::vendor_queue(portal.table.as_ref(), 200)
        .await?
        .into_iter()
        .filter(|t| visitor.principal.sees_reseller(&t.reseller_id))
        .map(|t| TicketRow {
            overdue: t.overdue(now),
            severity: format!("{:?}", t.severity).to_lowercase(),
            level: format!("L{}", t.level.number()),
            respond_by: t.respond_by.format("%Y-%m-%d %H:%M UTC").to_string(),
            id: t.ticket_id,
            reseller_id: t.reseller_id,
            subject: t.subject,
        })
        .collect();
    Ok(render(
        "tickets.html",
        "Tickets",
        Some(&visitor),
        serde_json::json!({ "tickets": rows }),
    ))
}

#[derive(Serialize)]
struct StaffRow {
    id: String,
    name: String,
    email: String,
    roles: String,
    since: String,
}

#[utoipa::path(get, path = "/portal/admin/staff", tag = "portal",
    params(Outcome),
    responses((status = 200, description = "the vendor's staff with their roles, and the form to add someone (programme admins; HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "not a programme admin", content_type = "text/html", body = String)))]
pub(super) async fn staff_page(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    QueryParams(o): QueryParams<Outcome>,
) -> Result<Response, PortalError> {
    let rows: Vec<StaffRow> = crate::usecases::people::all_staff(portal.table.as_ref())
        .await?
        .into_iter()
        .filter(|s| s.status == PersonStatus::Active)
        .map(|s| StaffRow {
            roles: s
                .roles
                .iter()
                .map(|r| r.as_str().replace('_', " "))
                .collect::<Vec<_>>()
                .join(", "),
            since: india_date(s.created_at).to_string(),
            id: s.staff_id,
            name: s.name,
            email: s.email,
        })
        .collect();
    let notices = o.shown(&visitor);
    Ok(render(
        "staff.html",
        "Staff",
        Some(&visitor),
        serde_json::json!({ "staff": rows, "done": notices.done, "error": notices.error,
            "roles": crate::domain::people::StaffRole::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>() }),
    ))
}

#[derive(Deserialize)]
pub(super) struct StaffForm {
    email: String,
    name: String,
    role: String,
}

#[utoipa::path(post, path = "/portal/admin/staff", tag = "portal",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `email`, `name`, `role`"),
    responses((status = 303, description = "added (a sign-in link is on its way), or refused with the reason: back to the staff"),
        (status = 403, description = "no CSRF token of this session, or not a programme admin", content_type = "text/html", body = String)))]
pub(super) async fn add_staff(
    State(portal): State<Arc<Portal>>,
    CheckedForm { visitor, form: f }: CheckedForm<StaffForm>,
) -> Result<Response, PortalError> {
    const PAGE: &str = "/portal/admin/staff";
    let input = StaffIn {
        email: Some(f.email),
        name: Some(f.name),
        roles: Some(vec![f.role]),
    };
    match crate::usecases::people::create_staff(&portal.people_ports(), &visitor.principal, &input).await {
        Ok(s) => Ok(back_with(
            &visitor,
            PAGE,
            "done",
            &format!("Added {}: a sign-in link is on its way.", s.name),
        )),
        Err(PeopleError::Invalid(errors)) => Ok(back_with(&visitor, PAGE, "error", &field_errors(&errors))),
        Err(PeopleError::Conflict(m) | PeopleError::Forbidden(m) | PeopleError::NotFound(m)) => {
            Ok(back_with(&visitor, PAGE, "error", &m))
        }
        Err(PeopleError::Store(e)) => Err(e.into()),
    }
}
