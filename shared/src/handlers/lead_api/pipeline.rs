//! `POST /leads/{id}/stage`, `/reopen` and `/assign`: the middle of the funnel by hand.

use super::*;
use crate::domain::pipeline::{LostReason, Target};
use crate::usecases::pipeline::{self as pipeline_uc, MoveIn, PipelinePorts};

/// Bodies of the pipeline's writes are small.
const MAX_MOVE_BODY: usize = 8 * 1024;

fn ports(api: &LeadApi) -> PipelinePorts<'_> {
    PipelinePorts {
        table: api.table.as_ref(),
        clock: api.clock.as_ref(),
        rules: &api.config.pipeline,
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct StageMoveIn {
    /// `R003`, `R004`, `R007`, `R009` or `closed_lost`
    to: String,
    /// required with `closed_lost`: price, competitor, no_budget, no_decision, timing, other
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    note: Option<String>,
    /// an admin's move back or skip (recorded)
    #[serde(default)]
    force: bool,
}

/// A lead as a pipeline write leaves it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(super) struct StageView {
    lead_id: String,
    stage: &'static str,
    stage_name: &'static str,
    progress: u8,
    closed_lost: bool,
    /// why and when it was lost (while closed-lost)
    #[schema(value_type = Option<Object>)]
    lost: Option<crate::domain::pipeline::Lost>,
    owner_reseller_id: Option<String>,
    /// the person of its reseller who works it
    assigned_user: Option<String>,
    /// the moves its owner may make next
    allowed: Vec<&'static str>,
}

impl From<&lead::Lead> for StageView {
    fn from(l: &lead::Lead) -> StageView {
        StageView {
            lead_id: l.lead_id.clone(),
            stage: l.stage.code(),
            stage_name: l.stage.name(),
            progress: l.stage.progress(),
            closed_lost: l.closed_lost,
            lost: l.lost.clone(),
            owner_reseller_id: l.owner_reseller_id.clone(),
            assigned_user: l.assigned_user.clone(),
            allowed: crate::domain::pipeline::allowed_moves(l.stage, l.closed_lost)
                .into_iter()
                .map(|t| t.code())
                .collect(),
        }
    }
}

/// Moves a lead forward by hand (owner or admin), or closes it as lost with a reason.
#[utoipa::path(post, path = "/leads/{id}/stage", tag = "pipeline",
    params(("id" = String, Path, description = "lead id")),
    request_body = StageMoveIn,
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "moved", body = StageView),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "a reseller asked to force a move", body = ErrorBody),
        (status = 404, description = "no such lead (or another reseller's)", body = ErrorBody),
        (status = 409, description = "`illegal_move` (with `from`, `to`, `allowed`), a stage billing or payouts move, a closed-lost lead, or a concurrent move won", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields (closed-lost without a reason)", body = ErrorBody)))]
pub(super) async fn post_stage(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<StageView>, ApiError> {
    let input: StageMoveIn = json_body(&headers, body, MAX_MOVE_BODY).await?;
    let mut errors = Vec::new();
    let to = Target::parse(&input.to);
    if to.is_none() {
        errors.push(FieldError {
            field: "to".into(),
            message: "must be R003, R004, R007, R009 or closed_lost".into(),
        });
    }
    let reason = match input.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => {
            let parsed = LostReason::parse(r);
            if parsed.is_none() {
                errors.push(FieldError {
                    field: "reason".into(),
                    message: "must be price, competitor, no_budget, no_decision, timing or other".into(),
                });
            }
            parsed
        }
    };
    let note = note_of(input.note.as_deref(), &mut errors);
    let Some(to) = to.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    if input.force && !who.decides_for_programme() {
        return Err(ApiError::ForbiddenBecause(
            "only the programme (an admin or the reseller's channel manager) may force a move".into(),
        ));
    }
    let moved = pipeline_uc::move_stage(
        &ports(&api),
        &who,
        &id,
        MoveIn {
            to,
            note,
            reason,
            force: input.force,
        },
    )
    .await?;
    Ok(Json(StageView::from(&moved)))
}

/// Returns a closed-lost lead to the stage it was lost at (admin, or its owner within 90 days).
#[utoipa::path(post, path = "/leads/{id}/reopen", tag = "pipeline",
    params(("id" = String, Path, description = "lead id")),
    request_body(content = crate::handlers::http::NoteBody, description = "optional; an empty body is no note"),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "reopened at the stage it was lost at", body = StageView),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "the owner's reopening window has passed", body = ErrorBody),
        (status = 404, description = "no such lead (or another reseller's)", body = ErrorBody),
        (status = 409, description = "not closed-lost, or changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody)))]
pub(super) async fn post_reopen(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<StageView>, ApiError> {
    // an empty body is a reopening without a note
    let note = crate::handlers::http::optional_note(&headers, body, MAX_MOVE_BODY).await?;
    let reopened = pipeline_uc::reopen(&ports(&api), &who, &id, note).await?;
    Ok(Json(StageView::from(&reopened)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct AssignIn {
    reseller_id: String,
    #[serde(default)]
    note: Option<String>,
}

/// An admin gives a lead (from the admin queue, or another reseller's) to a reseller.
#[utoipa::path(post, path = "/leads/{id}/assign", tag = "pipeline",
    params(("id" = String, Path, description = "lead id")),
    request_body = AssignIn,
    security(("admin_key" = [])),
    responses((status = 200, description = "assigned", body = StageView),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 404, description = "no such lead", body = ErrorBody),
        (status = 409, description = "already that reseller's, or changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "no such active reseller", body = ErrorBody)))]
pub(super) async fn post_assign(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<StageView>, ApiError> {
    let input: AssignIn = json_body(&headers, body, MAX_MOVE_BODY).await?;
    let mut errors = Vec::new();
    let note = note_of(input.note.as_deref(), &mut errors);
    let reseller_id = input.reseller_id.trim();
    if reseller_id.is_empty() || reseller_id.len() > 64 {
        errors.push(FieldError {
            field: "reseller_id".into(),
            message: "required".into(),
        });
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let assigned = pipeline_uc::assign(&ports(&api), &who, &id, reseller_id, note).await?;
    Ok(Json(StageView::from(&assigned)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct BoardParams {
    /// an admin's view of one reseller's board
    reseller_id: Option<String>,
    /// leads shown per stage (1–100, default 20)
    limit: Option<usize>,
    /// one column only (`R001`…`R010` or `closed_lost`), to page through it
    stage: Option<String>,
    /// skip this many of the column's leads (a column's `next_offset`)
    offset: Option<usize>,
}

/// The kanban.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(super) struct Board {
    /// whose board: a reseller id, or `all`
    of: String,
    stages: Vec<pipeline_uc::Column>,
}

/// The kanban: per stage in order (then closed-lost) the count, the expected value and the
/// most recently updated leads. A reseller sees its own; an admin all, or one reseller's.
#[utoipa::path(get, path = "/pipeline", tag = "pipeline",
    params(BoardParams),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "the board", body = Board),
        (status = 400, description = "a bad query string", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "a reseller asked for another's board", body = ErrorBody),
        (status = 422, description = "an unknown stage", body = ErrorBody)))]
pub(super) async fn get_pipeline(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
    QueryParams(p): QueryParams<BoardParams>,
) -> Result<Json<Board>, ApiError> {
    let asked = p.reseller_id.filter(|r| !r.trim().is_empty());
    if let Some(other) = asked.as_deref() {
        require_sees_reseller(&who, other)?;
    }
    let owner = who.reseller_id().map(str::to_string).or(asked);
    let stage = p.stage.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if stage.is_some_and(|s| !s.eq_ignore_ascii_case("closed_lost") && crate::domain::stage::Stage::parse(s).is_none())
    {
        return Err(ApiError::Invalid(vec![FieldError {
            field: "stage".into(),
            message: "must be R001…R010 or closed_lost".into(),
        }]));
    }
    let page = pipeline_uc::BoardPage {
        stage,
        offset: p.offset.unwrap_or(0),
        limit: p.limit.unwrap_or(20).clamp(1, 100),
    };
    let stages = pipeline_uc::board(api.table.as_ref(), owner.as_deref(), &who, page).await?;
    Ok(Json(Board {
        of: owner.unwrap_or_else(|| "all".into()),
        stages,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct AssignUserIn {
    /// one of the owning reseller's active people; `null`: back to the unassigned list
    user_id: Option<String>,
}

/// Gives an open lead to one of its reseller's people (an owner or manager of the reseller, or
/// the programme): a rep sees only the leads given to it. Audited to the person who did it.
#[utoipa::path(post, path = "/leads/{id}/assign-user", tag = "pipeline",
    params(("id" = String, Path, description = "lead id")),
    request_body = AssignUserIn,
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "the lead's stage and owner", body = StageView),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "a rep, or a role that assigns nothing", body = ErrorBody),
        (status = 404, description = "no such lead (or another reseller's)", body = ErrorBody),
        (status = 409, description = "the lead has no reseller yet, is closed, or changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "not an active person of the lead's reseller", body = ErrorBody)))]
pub(super) async fn post_assign_user(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<StageView>, ApiError> {
    let input: AssignUserIn = json_body(&headers, body, MAX_MOVE_BODY).await?;
    let lead = crate::usecases::people::assign_lead(
        api.table.as_ref(),
        api.clock.as_ref(),
        &who,
        &id,
        input.user_id.as_deref().map(str::trim).filter(|u| !u.is_empty()),
    )
    .await?;
    Ok(Json(StageView::from(&lead)))
}
