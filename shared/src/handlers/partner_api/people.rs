//! People: a reseller's team (`/resellers/{id}/users`), the vendor's staff (`/staff`), who looks
//! after a reseller (`/resellers/{id}/channel-manager`), the audit trail by person (`/audit`)
//! and the backfill that gives resellers made before people were kept their first owner.

use super::*;
use crate::domain::people::{Staff, StaffIn, User, UserIn};
use crate::usecases::people::{self as people_uc, Removed};
use crate::usecases::resellers::KeyInfo;

impl PartnerApi {
    pub fn people_ports(&self) -> people_uc::PeoplePorts<'_> {
        people_uc::PeoplePorts {
            table: self.table.as_ref(),
            clock: self.clock.as_ref(),
            mailer: self.mailer.as_ref(),
            mail_from: &self.config.mail_from,
            portal_url: &self.config.public_base_url,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Invited {
    user_id: String,
    user: User,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Team {
    reseller_id: String,
    users: Vec<User>,
}

/// Invites a person into a reseller's team; an email with a sign-in link (valid 72 hours) goes
/// to it. One account per address across every reseller and the staff.
#[utoipa::path(post, path = "/resellers/{id}/users", tag = "people",
    params(("id" = String, Path, description = "reseller id")),
    request_body = UserIn,
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 201, description = "invited", body = Invited),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the reseller's owner or staff in its care", body = ErrorBody),
        (status = 404, description = "no such reseller", body = ErrorBody),
        (status = 409, description = "the address belongs to an account already, or the reseller is not active", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "an invalid email, name or role", body = ErrorBody)))]
pub(super) async fn post_user(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let input: UserIn = json_body(&headers, body, 8 * 1024).await?;
    let user = people_uc::invite(&api.people_ports(), &who, &id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(Invited {
            user_id: user.user_id.clone(),
            user,
        }),
    )
        .into_response())
}

/// The reseller's people (removed ones too, with `status`).
#[utoipa::path(get, path = "/resellers/{id}/users", tag = "people",
    params(("id" = String, Path, description = "reseller id")),
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "the team", body = Team),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller, or a rep", body = ErrorBody)))]
pub(super) async fn list_users(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<Team>, ApiError> {
    require_sees_reseller(&who, &id)?;
    Ok(Json(Team {
        users: people_uc::team(api.table.as_ref(), &id).await?,
        reseller_id: id,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct RoleIn {
    /// `owner` | `manager` | `rep`
    role: Option<String>,
}

/// Changes a person's role (a reseller keeps at least one owner).
#[utoipa::path(put, path = "/resellers/{id}/users/{user_id}", tag = "people",
    params(("id" = String, Path, description = "reseller id"), ("user_id" = String, Path, description = "the person")),
    request_body = RoleIn,
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "the person with its role", body = User),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the reseller's owner or staff in its care", body = ErrorBody),
        (status = 404, description = "nobody of this reseller by that id", body = ErrorBody),
        (status = 409, description = "the last owner, a removed person, or changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "an unknown role", body = ErrorBody)))]
pub(super) async fn put_user(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path((id, user_id)): Path<(String, String)>,
    body: Body,
) -> Result<Json<User>, ApiError> {
    let input: RoleIn = json_body(&headers, body, 4 * 1024).await?;
    Ok(Json(
        people_uc::change_role(&api.people_ports(), &who, &id, &user_id, input.role.as_deref()).await?,
    ))
}

/// Removes a person: its sessions end on their next request, its keys are revoked, its open
/// leads return to the reseller's unassigned list (each audited with the remover's id).
#[utoipa::path(delete, path = "/resellers/{id}/users/{user_id}", tag = "people",
    params(("id" = String, Path, description = "reseller id"), ("user_id" = String, Path, description = "the person")),
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "removed (removing again finishes what is left)", body = Removed),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the reseller's owner or staff in its care", body = ErrorBody),
        (status = 404, description = "nobody of this reseller by that id", body = ErrorBody),
        (status = 409, description = "the last owner", body = ErrorBody)))]
pub(super) async fn delete_user(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<Json<Removed>, ApiError> {
    Ok(Json(people_uc::remove(&api.people_ports(), &who, &id, &user_id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct ChannelManagerIn {
    /// a staff member with the `channel_manager` role; `null`: nobody
    staff_id: Option<String>,
}

/// Puts a reseller in a channel manager's care (or nobody's).
#[utoipa::path(put, path = "/resellers/{id}/channel-manager", tag = "people",
    params(("id" = String, Path, description = "reseller id")),
    request_body = ChannelManagerIn,
    security(("admin_key" = [])),
    responses((status = 200, description = "the reseller", body = crate::handlers::lead_api::ResellerView),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not a programme admin", body = ErrorBody),
        (status = 404, description = "no such reseller", body = ErrorBody),
        (status = 409, description = "changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "not an active channel manager", body = ErrorBody)))]
pub(super) async fn put_channel_manager(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<crate::handlers::lead_api::ResellerView>, ApiError> {
    let input: ChannelManagerIn = json_body(&headers, body, 4 * 1024).await?;
    let r = people_uc::set_channel_manager(
        api.table.as_ref(),
        api.clock.as_ref(),
        &who,
        &id,
        input.staff_id.as_deref().map(str::trim).filter(|s| !s.is_empty()),
    )
    .await?;
    Ok(Json(crate::handlers::lead_api::ResellerView::from(&r)))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct StaffAdded {
    staff_id: String,
    staff: Staff,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct StaffList {
    staff: Vec<Staff>,
}

/// Adds a member of the vendor's staff with its roles; an email with a sign-in link goes to it.
/// The bootstrap key (`ADMIN_API_KEY`) may do this, and is audited as `bootstrap`.
#[utoipa::path(post, path = "/staff", tag = "people",
    request_body = StaffIn,
    security(("admin_key" = [])),
    responses((status = 201, description = "added", body = StaffAdded),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not a programme admin or the bootstrap key", body = ErrorBody),
        (status = 409, description = "the address belongs to an account already", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "an invalid email, name or role", body = ErrorBody)))]
pub(super) async fn post_staff(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let input: StaffIn = json_body(&headers, body, 8 * 1024).await?;
    let staff = people_uc::create_staff(&api.people_ports(), &who, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(StaffAdded {
            staff_id: staff.staff_id.clone(),
            staff,
        }),
    )
        .into_response())
}

/// Every member of staff (removed ones too, with `status`).
#[utoipa::path(get, path = "/staff", tag = "people",
    security(("admin_key" = [])),
    responses((status = 200, description = "the staff", body = StaffList),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not a programme admin or the bootstrap key", body = ErrorBody)))]
pub(super) async fn list_staff(State(api): State<Arc<PartnerApi>>, _: Caller) -> Result<Json<StaffList>, ApiError> {
    Ok(Json(StaffList {
        staff: people_uc::all_staff(api.table.as_ref()).await?,
    }))
}

/// Changes a member of staff's name or roles (the programme keeps one programme admin).
#[utoipa::path(put, path = "/staff/{id}", tag = "people",
    params(("id" = String, Path, description = "staff id")),
    request_body = StaffIn,
    security(("admin_key" = [])),
    responses((status = 200, description = "changed", body = Staff),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not a programme admin", body = ErrorBody),
        (status = 404, description = "no such staff member", body = ErrorBody),
        (status = 409, description = "the last programme admin, or changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "an invalid name or role, or an email (not changeable)", body = ErrorBody)))]
pub(super) async fn put_staff(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<Staff>, ApiError> {
    let input: StaffIn = json_body(&headers, body, 8 * 1024).await?;
    Ok(Json(
        people_uc::update_staff(api.table.as_ref(), api.clock.as_ref(), &who, &id, &input).await?,
    ))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct StaffRemoved {
    staff_id: String,
    keys_revoked: usize,
}

/// Removes a member of staff: its keys revoked, its sessions end on their next request.
#[utoipa::path(delete, path = "/staff/{id}", tag = "people",
    params(("id" = String, Path, description = "staff id")),
    security(("admin_key" = [])),
    responses((status = 200, description = "removed", body = StaffRemoved),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not a programme admin", body = ErrorBody),
        (status = 404, description = "no such staff member", body = ErrorBody),
        (status = 409, description = "the last programme admin", body = ErrorBody)))]
pub(super) async fn delete_staff(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<StaffRemoved>, ApiError> {
    let keys_revoked = people_uc::remove_staff(api.table.as_ref(), api.clock.as_ref(), &who, &id).await?;
    Ok(Json(StaffRemoved {
        staff_id: id,
        keys_revoked,
    }))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct StaffKey {
    #[serde(flatten)]
    info: KeyInfo,
    api_key: String,
}

/// Issues a key to a member of staff (that person itself, a programme admin, or the bootstrap
/// key for the first programme admin); shown once. It acts with the person's roles.
#[utoipa::path(post, path = "/staff/{id}/keys", tag = "people",
    params(("id" = String, Path, description = "staff id")),
    security(("admin_key" = [])),
    responses((status = 201, description = "the key (`api_key` shown this once)", body = StaffKey),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another person's key, asked by someone who is not a programme admin", body = ErrorBody),
        (status = 404, description = "no such staff member", body = ErrorBody)))]
pub(super) async fn post_staff_key(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (info, api_key) = people_uc::issue_staff_key(api.table.as_ref(), api.clock.as_ref(), &who, &id).await?;
    Ok((StatusCode::CREATED, Json(StaffKey { info, api_key })).into_response())
}

/// Gives every reseller made before people were kept its first owner (its contact address) and
/// that owner its keys, and makes `ADMIN_EMAILS` programme admins. Safe to run again.
#[utoipa::path(post, path = "/people/backfill", tag = "people",
    security(("admin_key" = [])),
    responses((status = 200, description = "what was done", body = Object),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not a programme admin or the bootstrap key", body = ErrorBody)))]
pub(super) async fn post_backfill(
    State(api): State<Arc<PartnerApi>>,
    _: Caller,
) -> Result<Json<people_uc::Backfill>, ApiError> {
    Ok(Json(
        people_uc::backfill(api.table.as_ref(), api.clock.as_ref(), &api.config.admin_emails).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct AuditParams {
    /// the person: `user:<id>`, `staff:<id>`, `bootstrap`, `system:<name>`; without it, everyone
    /// over at most 31 days
    actor: Option<String>,
    /// RFC 3339 or YYYY-MM-DD (default: 7 days before `to`)
    from: Option<String>,
    /// RFC 3339 or YYYY-MM-DD, inclusive (default: now)
    to: Option<String>,
    /// at most 500 (default 100)
    limit: Option<u32>,
    cursor: Option<String>,
    /// `csv`: the page as CSV
    format: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct AuditPage {
    events: Vec<crate::usecases::audit::AuditRow>,
    cursor: Option<String>,
}

fn instant(field: &str, v: &str, end_of_day: bool) -> Result<chrono::DateTime<chrono::Utc>, ApiError> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    let d = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| ApiError::Invalid(vec![field_error(field, "must be RFC 3339 or YYYY-MM-DD")]))?;
    let t = if end_of_day {
        d.and_hms_opt(23, 59, 59)
    } else {
        d.and_hms_opt(0, 0, 0)
    };
    Ok(t.unwrap_or_default().and_utc())
}

/// The audit trail: who did what, when, to what — by person, or everyone's over a span.
#[utoipa::path(get, path = "/audit", tag = "people",
    params(AuditParams),
    security(("admin_key" = [])),
    responses((status = 200, description = "a page of audit events, oldest first, with the cursor to the next (or `text/csv` with `format=csv`: at, actor, role, action, subject, detail)", body = AuditPage),
        (status = 400, description = "a bad cursor", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not a programme admin", body = ErrorBody),
        (status = 422, description = "a bad date, a span over 31 days without an actor, or an unknown format", body = ErrorBody)))]
pub(super) async fn get_audit(
    State(api): State<Arc<PartnerApi>>,
    _: Caller,
    QueryParams(p): QueryParams<AuditParams>,
) -> Result<Response, ApiError> {
    let to = match p.to.as_deref() {
        Some(v) => instant("to", v, true)?,
        None => api.clock.now(),
    };
    let from = match p.from.as_deref() {
        Some(v) => instant("from", v, false)?,
        None => to - chrono::Duration::days(7),
    };
    let actor = p.actor.as_deref().map(str::trim).filter(|a| !a.is_empty());
    if from > to {
        return Err(ApiError::Invalid(vec![field_error("from", "is after to")]));
    }
    if actor.is_none() && (to - from).num_days() > crate::usecases::audit::MAX_DAYS_WITHOUT_ACTOR {
        return Err(ApiError::Invalid(vec![field_error(
            "to",
            "more than 31 days: name an actor, or ask for a shorter span",
        )]));
    }
    let csv = match p.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::Invalid(vec![field_error("format", "must be json or csv")])),
    };
    let (events, cursor) =
        crate::usecases::audit::page(api.table.as_ref(), actor, from, to, p.limit.unwrap_or(100), p.cursor).await?;
    if !csv {
        return Ok(Json(AuditPage { events, cursor }).into_response());
    }
    use crate::csv_out::{header, line, Cell};
    let mut out = header(&["at", "actor", "role", "action", "subject", "detail"]);
    for e in &events {
        let at = e.at.to_rfc3339();
        out.push_str(&line(&[
            Cell::Text(&at),
            Cell::Text(&e.actor),
            Cell::Text(e.role.as_deref().unwrap_or("")),
            Cell::Text(&e.action),
            Cell::Text(&e.subject),
            Cell::Text(&crate::domain::text::one_line(&e.detail)),
        ]));
    }
    let mut res = (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.csv\"",
            ),
        ],
        out,
    )
        .into_response();
    if let Some(c) = cursor.and_then(|c| axum::http::HeaderValue::from_str(&c).ok()) {
        res.headers_mut().insert("x-next-cursor", c);
    }
    Ok(res)
}
