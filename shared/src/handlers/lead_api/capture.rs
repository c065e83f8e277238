//! `POST /leads`: website forms (urlencoded, with browser redirects) and scripts (JSON).

use super::*;

/// A lead as a website form or a script sends it (every field but `email` optional).
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct LeadSubmission {
    /// required
    email: String,
    name: Option<String>,
    company: Option<String>,
    phone: Option<String>,
    title: Option<String>,
    country: Option<String>,
    state: Option<String>,
    industry: Option<String>,
    employees: Option<String>,
    /// text ("5-10 lakh") or a number
    budget: Option<String>,
    timeline: Option<String>,
    message: Option<String>,
    /// website (default), event, webinar, partner_registration, prospect_list, referral…
    channel: Option<String>,
    campaign: Option<String>,
    utm_source: Option<String>,
    utm_medium: Option<String>,
    utm_campaign: Option<String>,
    referral_code: Option<String>,
    referral_click: Option<String>,
    /// alias of `referral_code`: the name the referral redirect (`GET /r/{code}`) uses, so a
    /// landing page can forward its query unchanged
    #[schema(rename = "ref")]
    ref_: Option<String>,
    /// alias of `referral_click`
    click: Option<String>,
    /// the honeypot: must stay empty
    website: Option<String>,
    /// where a browser form goes after (an allowed host)
    redirect: Option<String>,
}

/// The answer to a lead post.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct LeadCreated {
    lead_id: String,
    /// true when an open lead with that email exists
    duplicate: Option<bool>,
}

#[utoipa::path(post, path = "/leads", tag = "leads",
    request_body(description = "JSON, or a plain HTML form (urlencoded; browsers get 303 redirects)",
        content((LeadSubmission = "application/json"), (LeadSubmission = "application/x-www-form-urlencoded"))),
    params(("Idempotency-Key" = Option<String>, Header, description = "replays get the first answer")),
    responses(
        (status = 201, description = "a new lead", body = LeadCreated),
        (status = 200, description = "a duplicate (open lead with that email) or a replay", body = LeadCreated),
        (status = 303, description = "a browser form: to the thank-you or error page"),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 409, description = "an Idempotency-Key reused with another body", body = ErrorBody),
        (status = 413, description = "over 64 KiB", body = ErrorBody),
        (status = 415, description = "another content type", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody),
        (status = 429, description = "too many leads from this address this hour (`Retry-After`)", body = ErrorBody)))]
pub(super) async fn post_lead(
    State(api): State<Arc<LeadApi>>,
    Extension(rid): Extension<RequestId>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let browser = is_browser_form(&headers);
    match capture(&api, &headers, body, &rid).await {
        Ok((_, _, redirect)) if browser => thank_you(redirect, &api.config.redirect_hosts, &api.config.thank_you_url),
        Ok((status, body, _)) => (status, Json(body)).into_response(),
        Err(e) if browser => form_error(&e, &api.config.error_url, "error"),
        Err(e) => e.into_response(),
    }
}

pub(super) async fn capture(
    api: &LeadApi,
    headers: &HeaderMap,
    body: Body,
    rid: &RequestId,
) -> Result<(StatusCode, Value, Option<String>), ApiError> {
    // one client address may post so many leads an hour (counted before anything is read)
    api.per_client(
        headers,
        "leads-client",
        api.config.public_limits.leads_per_client_per_hour,
    )
    .await?;
    // the type is checked before reading, so a wrong type is 415 whatever its size
    if !matches!(
        media_type(headers).as_deref(),
        Some("application/json") | Some("application/x-www-form-urlencoded")
    ) {
        return Err(parse_submission(headers, b"")
            .err()
            .unwrap_or(ApiError::BadRequest("unsupported".into())));
    }
    let bytes = read_body(headers, body, MAX_LEAD_BODY).await?;
    let fields = parse_submission(headers, &bytes)?;
    let mut input = lead::validate(&fields).map_err(ApiError::Invalid)?;
    // a form without a referral code: the `ref` cookie the referral link set, if any
    if input.attribution.referral_code.is_none() {
        let click = crate::handlers::cookies::read(headers, crate::domain::referral::COOKIE);
        if let Some((code, click)) = click.as_deref().and_then(crate::domain::referral::click_of) {
            input.attribution.referral_code = Some(code);
            input.attribution.referral_click = Some(click);
        }
    }
    let idem = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(k)) if !k.trim().is_empty() && k.len() <= 255 => Some(Idempotency {
            key_hash: sha256_hex(k.trim()),
            request_hash: sha256_hex(&format!(
                "{}\n{}",
                media_type(headers).unwrap_or_default(),
                String::from_utf8_lossy(&bytes)
            )),
        }),
        Some(_) => {
            return Err(ApiError::Invalid(vec![FieldError {
                field: "Idempotency-Key".into(),
                message: "must be 1 to 255 visible characters".into(),
            }]))
        }
    };
    let ports = CapturePorts {
        table: api.table.as_ref(),
        queue: api.queue.as_ref(),
        clock: api.clock.as_ref(),
        scoring_queue: &api.config.scoring_queue,
    };
    let outcome = capture_lead(&ports, &input, idem.as_ref(), &rid.0)
        .await
        .map_err(|e| match e {
            CaptureError::IdempotencyMismatch => ApiError::Conflict(e.to_string()),
            CaptureError::Store(s) => ApiError::from(s),
        })?;
    let (status, body) = match outcome {
        Captured::Created { lead_id } => (StatusCode::CREATED, json!({ "lead_id": lead_id })),
        Captured::Duplicate { lead_id } => (StatusCode::OK, json!({ "lead_id": lead_id, "duplicate": true })),
        Captured::Replayed { body } => (StatusCode::OK, body),
    };
    Ok((status, body, input.redirect))
}
