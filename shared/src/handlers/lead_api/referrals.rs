//! Referral links (`GET /r/{code}`) and customer referral codes (`POST /referrals/customers`).

use super::*;

/// A referral link: records the click (known codes) and redirects to the landing page with the
/// code and click id, also kept for 90 days in a cookie. Unknown codes redirect, attributing
/// nothing.
#[utoipa::path(get, path = "/r/{code}", tag = "referrals",
    params(("code" = String, Path, description = "a referral code")),
    responses((status = 302, description = "to the landing page with `ref` and `click` (and a 90-day `ref` cookie)"),
        (status = 429, description = "too many clicks from this address this hour (`Retry-After`)", body = ErrorBody)))]
pub(super) async fn referral_link(
    State(api): State<Arc<LeadApi>>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    // a flood of clicks from one address would inflate the referrer's figures
    if let Err(e) = api
        .per_client(
            &headers,
            "clicks-client",
            api.config.public_limits.clicks_per_client_per_hour,
        )
        .await
    {
        return e.into_response();
    }
    let code = code.trim().to_uppercase();
    let valid = !code.is_empty() && code.len() <= 32 && code.chars().all(|c| c.is_ascii_alphanumeric());
    let click = if valid {
        match crate::usecases::referrals::record_click(api.table.as_ref(), &code, api.clock.now()).await {
            Ok(c) => c,
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else {
        None
    };
    let Some(click) = click else {
        return (
            StatusCode::FOUND,
            [(header::LOCATION, api.config.referral_landing_url.clone())],
        )
            .into_response();
    };
    let target = with_query(
        &api.config.referral_landing_url,
        &[
            ("ref".into(), click.code.clone()),
            ("click".into(), click.click_id.clone()),
        ],
    );
    let max_age = crate::usecases::referrals::ATTRIBUTION_DAYS * 24 * 3600;
    let cookie = crate::handlers::cookies::set(
        crate::domain::referral::COOKIE,
        &format!("{}.{}", click.code, click.click_id),
        "/",
        max_age,
        false,
        true,
    );
    (
        StatusCode::FOUND,
        [(header::LOCATION, target), (header::SET_COOKIE, cookie)],
    )
        .into_response()
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct CustomerCodeIn {
    name: Option<String>,
    email: Option<String>,
}

/// A customer asks for a referral code of its own (public).
#[utoipa::path(post, path = "/referrals/customers", tag = "referrals",
    request_body = CustomerCodeIn,
    responses((status = 201, description = "`{referral_code, link}`", body = Object),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody)))]
pub(super) async fn customer_referral_code(
    State(api): State<Arc<LeadApi>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let input: CustomerCodeIn = json_body(&headers, body, MAX_LEAD_BODY).await?;
    let email = input.email.unwrap_or_default();
    if !crate::domain::field::is_valid_email(email.trim()) {
        return Err(ApiError::Invalid(vec![FieldError {
            field: "email".into(),
            message: "is not a valid email address".into(),
        }]));
    }
    let name = text::optional("name", input.name.as_deref(), 200, Lines::Single)
        .map_err(|e| ApiError::Invalid(vec![e]))?
        .unwrap_or_default();
    let code =
        crate::usecases::referrals::customer_code(api.table.as_ref(), &name, email.trim(), api.clock.now()).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"referral_code": code, "link": format!("/r/{code}")})),
    )
        .into_response())
}
