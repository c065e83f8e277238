//! A reseller's own settings and team: its sub-resellers (and proposing one), its brand (what
//! proposals and sequence emails show), its API keys (issue one, shown once; revoke one). The
//! same use cases as the API's `/resellers/{id}/…` routes.

use super::pages::render;
use super::CheckedForm;
use super::Outcome;
use super::{back_with, field_errors, Portal, PortalError, Visitor};
use crate::domain::aggregates as agg;
use crate::domain::money::display;
use crate::domain::renewal::india_date;
use crate::domain::reseller::{validate_brand, BrandIn};
use crate::handlers::http::QueryParams;
use crate::usecases::resellers as uc;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Serialize)]
struct ChildRow {
    name: String,
    tier: String,
    status: String,
    since: String,
    earned: String,
}

#[utoipa::path(get, path = "/portal/sub-resellers", tag = "portal",
    params(Outcome),
    responses((status = 200, description = "the reseller's sub-resellers with this month's commission, and the form to propose one (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "an admin session", content_type = "text/html", body = String)))]
pub(super) async fn sub_resellers(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    QueryParams(o): QueryParams<Outcome>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    let table = portal.table.as_ref();
    let month = agg::month_of(india_date(portal.clock.now()));
    let mut rows = Vec::new();
    for c in uc::children(table, &id).await? {
        // each child's month from its counters: one read per child
        let counted = crate::usecases::dashboard::counters(table, &c.reseller_id, std::slice::from_ref(&month)).await?;
        let earned = counted
            .get(&month)
            .map(|k| k.commission_total("INR"))
            .unwrap_or_default();
        rows.push(ChildRow {
            tier: serde_json::to_value(c.tier)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            status: c.status.as_str().to_string(),
            since: india_date(c.created_at).to_string(),
            earned: display(earned, "INR"),
            name: c.name,
        });
    }
    Ok(render(
        "sub_resellers.html",
        "Sub-resellers",
        Some(&visitor),
        serde_json::json!({ "children": rows, "done": o.shown(&visitor).done, "error": o.shown(&visitor).error,
            "month_name": crate::mail::month_name(&month) }),
    ))
}

#[utoipa::path(post, path = "/portal/sub-resellers", tag = "portal",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `company_name`, `company_domain`, `contact_name`, `contact_email`, `regions`, `industries` (the application's fields)"),
    responses((status = 303, description = "proposed (or refused with the reason): back to the page"),
        (status = 403, description = "no CSRF token of this session, or an admin session", content_type = "text/html", body = String)))]
pub(super) async fn propose(
    State(portal): State<Arc<Portal>>,
    CheckedForm { visitor, form: fields }: CheckedForm<Vec<(String, String)>>,
) -> Result<Response, PortalError> {
    use crate::usecases::applications::{propose_sub_reseller, ApplicationError};
    let id = visitor.reseller()?;
    let map: serde_json::Map<String, serde_json::Value> = fields
        .into_iter()
        .filter(|(k, _)| k != "csrf")
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    const PAGE: &str = "/portal/sub-resellers";
    let input = match crate::domain::application::validate(&map, &portal.config.rules.routing.extra_free_mail_domains) {
        Ok(i) => i,
        Err(errors) => return Ok(back_with(&visitor, PAGE, "error", &field_errors(&errors))),
    };
    match propose_sub_reseller(&portal.application_ports(), &id, input).await {
        Ok((a, None)) => Ok(back_with(
            &visitor,
            PAGE,
            "done",
            &format!("Proposed {}: the programme reviews it.", a.company.name),
        )),
        Ok((a, Some(_))) => Ok(back_with(
            &visitor,
            PAGE,
            "done",
            &format!(
                "{} is your sub-reseller; its welcome email is on its way.",
                a.company.name
            ),
        )),
        Err(ApplicationError::Store(e)) => Err(e.into()),
        Err(ApplicationError::Invalid(errors)) => Ok(back_with(&visitor, PAGE, "error", &field_errors(&errors))),
        Err(e) => Ok(back_with(&visitor, PAGE, "error", &e.to_string())),
    }
}

#[utoipa::path(get, path = "/portal/brand", tag = "portal",
    params(Outcome),
    responses((status = 200, description = "the reseller's brand: display name, logo, colours, signature, reply-to (HTML form)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "an admin session", content_type = "text/html", body = String)))]
pub(super) async fn brand(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    QueryParams(o): QueryParams<Outcome>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    let reseller = uc::get(portal.table.as_ref(), &id)
        .await?
        .ok_or(PortalError::NotFound)?;
    Ok(render(
        "brand.html",
        "Brand",
        Some(&visitor),
        serde_json::json!({ "brand": reseller.brand.unwrap_or_default(), "done": o.shown(&visitor).done, "error": o.shown(&visitor).error }),
    ))
}

#[utoipa::path(post, path = "/portal/brand", tag = "portal",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`, `display_name`, `logo_url`, `primary_colour`, `accent_colour`, `signature`, `reply_to`"),
    responses((status = 303, description = "saved (or refused with the reason): back to the page"),
        (status = 403, description = "no CSRF token of this session, or an admin session", content_type = "text/html", body = String)))]
pub(super) async fn save_brand(
    State(portal): State<Arc<Portal>>,
    CheckedForm { visitor, form: input }: CheckedForm<BrandIn>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    const PAGE: &str = "/portal/brand";
    let brand = match validate_brand(&input) {
        Ok(b) => b,
        Err(errors) => return Ok(back_with(&visitor, PAGE, "error", &field_errors(&errors))),
    };
    uc::set_brand(portal.table.as_ref(), &id, brand)
        .await?
        .ok_or(PortalError::NotFound)?;
    Ok(back_with(
        &visitor,
        PAGE,
        "done",
        "Saved: proposals and emails use it from now on.",
    ))
}

#[derive(Serialize)]
struct KeyRow {
    key_id: String,
    prefix: String,
    created: String,
    last_used: String,
}

async fn keys_page(
    portal: &Portal,
    visitor: &super::Visitor,
    id: &str,
    new_key: Option<String>,
    o: Outcome,
) -> Result<Response, PortalError> {
    let keys: Vec<KeyRow> = uc::keys(portal.table.as_ref(), id)
        .await?
        .into_iter()
        .map(|k| KeyRow {
            prefix: k
                .prefix
                .map(|p| format!("{p}…"))
                .unwrap_or_else(|| "(original key)".into()),
            created: k.created_at.map(|t| india_date(t).to_string()).unwrap_or_default(),
            last_used: k
                .last_used_at
                .map(|t| india_date(t).to_string())
                .unwrap_or_else(|| "—".into()),
            key_id: k.key_id,
        })
        .collect();
    Ok(render(
        "keys.html",
        "API keys",
        Some(visitor),
        serde_json::json!({ "keys": keys, "new_key": new_key, "done": o.shown(visitor).done, "error": o.shown(visitor).error }),
    ))
}

#[utoipa::path(get, path = "/portal/keys", tag = "portal",
    params(Outcome),
    responses((status = 200, description = "the reseller's API keys (never the keys themselves) with forms to issue and revoke (HTML)", content_type = "text/html", body = String),
        (status = 303, description = "no session: to the login page"),
        (status = 403, description = "an admin session", content_type = "text/html", body = String)))]
pub(super) async fn keys(
    State(portal): State<Arc<Portal>>,
    visitor: Visitor,
    QueryParams(o): QueryParams<Outcome>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    keys_page(&portal, &visitor, &id, None, o).await
}

#[derive(Deserialize)]
pub(super) struct Nothing {}

#[utoipa::path(post, path = "/portal/keys", tag = "portal",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`"),
    responses((status = 200, description = "a new key, shown this once, with the list (HTML; not cached)", content_type = "text/html", body = String),
        (status = 403, description = "no CSRF token of this session, or an admin session", content_type = "text/html", body = String)))]
pub(super) async fn issue_key(
    State(portal): State<Arc<Portal>>,
    CheckedForm { visitor, form: _ }: CheckedForm<Nothing>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    use crate::usecases::people::PeopleError;
    let (_, key) = crate::usecases::people::issue_user_key(
        portal.table.as_ref(),
        portal.clock.as_ref(),
        &visitor.principal,
        &id,
        None,
    )
    .await
    .map_err(|e| match e {
        PeopleError::Conflict(_) => PortalError::ReadOnly,
        PeopleError::NotFound(_) => PortalError::NotFound,
        other => PortalError::Internal(other.to_string()),
    })?;
    keys_page(&portal, &visitor, &id, Some(key), Outcome::none()).await
}

#[utoipa::path(post, path = "/portal/keys/{key_id}/revoke", tag = "portal",
    params(("key_id" = String, Path, description = "the key's id")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "`csrf`"),
    responses((status = 303, description = "revoked: back to the keys"),
        (status = 403, description = "no CSRF token of this session, or an admin session", content_type = "text/html", body = String),
        (status = 404, description = "no such key of this reseller", content_type = "text/html", body = String)))]
pub(super) async fn revoke_key(
    State(portal): State<Arc<Portal>>,
    Path(key_id): Path<String>,
    CheckedForm { visitor, form: _ }: CheckedForm<Nothing>,
) -> Result<Response, PortalError> {
    let id = visitor.reseller()?;
    if !uc::revoke_key(portal.table.as_ref(), &id, &key_id).await? {
        return Err(PortalError::NotFound);
    }
    Ok(back_with(
        &visitor,
        "/portal/keys",
        "done",
        "Revoked: that key no longer works.",
    ))
}
