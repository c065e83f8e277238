//! `POST /leads/{id}/activities`: calls, emails, meetings, notes, replies; the first stops the SLA clock.

use super::*;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct ActivityIn {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    note: Option<String>,
}

/// Sales activity on a lead (owning reseller or admin); a reply stops its sequences and
/// counts as engagement.
#[utoipa::path(post, path = "/leads/{id}/activities", tag = "leads",
    params(("id" = String, Path, description = "lead id")),
    request_body = ActivityIn,
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 201, description = "recorded (with `first_response` when it stopped the SLA clock)", body = Object), (status = 400, description = "malformed body or query", body = ErrorBody), (status = 401, description = "no valid key", body = ErrorBody),
        (status = 404, description = "no such lead (or another reseller's)", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody)))]
pub(super) async fn post_activity(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let leads_uc::LeadRecord { lead, sla, .. } = leads_uc::get_ticket(api.table.as_ref(), &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no lead {id}")))?;
    if !who.sees_lead(&lead) {
        return Err(ApiError::NotFound(format!("no lead {id}")));
    }
    let input: ActivityIn = json_body(&headers, body, MAX_LEAD_BODY).await?;
    let mut errors = Vec::new();
    if !crate::usecases::activities::KINDS.contains(&input.kind.as_str()) {
        errors.push(FieldError {
            field: "type".into(),
            message: "must be call, email, meeting, note, reply or webinar (attended)".into(),
        });
    }
    let note = note_of(input.note.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let audit = crate::usecases::activities::event(&who, &input.kind, note, api.clock.now());
    let first_response =
        crate::usecases::activities::record(api.table.as_ref(), &lead, &audit, &input.kind, sla).await?;
    if input.kind == "reply" || input.kind == "webinar" {
        engaged(&api, &id, &input.kind).await?;
    }
    let mut body = json!({"lead_id": id, "activity": input.kind});
    if let Some(sla) = first_response {
        body["first_response"] = json!({"at": sla.first_response_at, "minutes": sla.first_response_minutes});
    }
    Ok((StatusCode::CREATED, Json(body)).into_response())
}
