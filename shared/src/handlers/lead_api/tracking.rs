//! Open and click tracking (`/t/o`, `/t/c`) and one-click unsubscribe (`/u`), by signed token.

use super::*;

/// A 1×1 transparent GIF.
pub(super) const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02,
    0x02, 0x44, 0x01, 0x00, 0x3b,
];

pub(super) fn not_found() -> Response {
    ApiError::NotFound("no such link".into()).into_response()
}

/// The unsubscribe pages are read by people: their 404 is a page too.
fn page_not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::response::Html(
            "<!doctype html><title>Link not valid</title><h1>This link is not valid</h1>\
             <p>It may have been changed or cut short. Use the unsubscribe link in the email itself.</p>",
        ),
    )
        .into_response()
}

pub(super) fn payload(api: &LeadApi, token: &str, kind: &str) -> Option<Vec<String>> {
    let p = crate::domain::token::verify(api.config.tracking_secret.all(), token)?;
    let parts: Vec<String> = p.split('|').map(str::to_string).collect();
    (parts.first().map(String::as_str) == Some(kind)).then_some(parts)
}

#[utoipa::path(get, path = "/t/o/{token}", tag = "tracking",
    params(("token" = String, Path, description = "a signed open-tracking token")),
    responses((status = 200, description = "a 1×1 GIF", content_type = "image/gif"),
        (status = 404, description = "an invalid token (nothing recorded)", body = ErrorBody)))]
pub(super) async fn track_open(State(api): State<Arc<LeadApi>>, Path(token): Path<String>) -> Response {
    let Some(p) = payload(&api, &token, "o") else {
        return not_found();
    };
    if let Err(e) = engaged(&api, &p[1], "open").await {
        return e.into_response();
    }
    (
        [(header::CONTENT_TYPE, "image/gif"), (header::CACHE_CONTROL, "no-store")],
        PIXEL,
    )
        .into_response()
}

/// Redirects only to a URL that was in that email: the step's own links, by index.
#[utoipa::path(get, path = "/t/c/{token}", tag = "tracking",
    params(("token" = String, Path, description = "a signed click-tracking token")),
    responses((status = 302, description = "to the link's target"),
        (status = 404, description = "an invalid token", body = ErrorBody)))]
pub(super) async fn track_click(State(api): State<Arc<LeadApi>>, Path(token): Path<String>) -> Response {
    let Some(p) = payload(&api, &token, "c") else {
        return not_found();
    };
    let (Some(lead), Some(sk), Some(index)) = (p.get(1), p.get(2), p.get(3).and_then(|i| i.parse::<usize>().ok()))
    else {
        return not_found();
    };
    let url = match crate::usecases::sequences::step_links(api.table.as_ref(), lead, sk).await {
        Ok(Some(links)) => links.get(index).cloned(),
        Ok(None) => None,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let Some(url) = url else { return not_found() };
    if let Err(e) = engaged(&api, lead, "click").await {
        return e.into_response();
    }
    (StatusCode::FOUND, [(header::LOCATION, url)]).into_response()
}

#[utoipa::path(get, path = "/u/{token}", tag = "tracking",
    params(("token" = String, Path, description = "a signed unsubscribe token")),
    responses((status = 200, description = "a page with a confirm button", content_type = "text/html"),
        (status = 404, description = "an invalid token", content_type = "text/html")))]
pub(super) async fn unsubscribe_page(State(api): State<Arc<LeadApi>>, Path(token): Path<String>) -> Response {
    if payload(&api, &token, "u").is_none() {
        return page_not_found();
    }
    axum::response::Html(format!(
        "<!doctype html><title>Unsubscribe</title><h1>Unsubscribe</h1><p>Stop all emails to this address?</p>\
         <form method=\"post\" action=\"/u/{token}\"><button>Unsubscribe</button></form>"
    ))
    .into_response()
}

/// RFC 8058 one-click (and the page's button): suppress the address and stop its sequences.
#[utoipa::path(post, path = "/u/{token}", tag = "tracking",
    params(("token" = String, Path, description = "a signed unsubscribe token")),
    responses((status = 200, description = "unsubscribed (RFC 8058 one-click too)", content_type = "text/html"),
        (status = 404, description = "an invalid token", content_type = "text/html"),
        (status = 503, description = "not recorded (the store is unavailable): use the link again", content_type = "text/html")))]
pub(super) async fn unsubscribe(State(api): State<Arc<LeadApi>>, Path(token): Path<String>) -> Response {
    let Some(p) = payload(&api, &token, "u") else {
        return page_not_found();
    };
    let (Some(lead_id), Some(email)) = (p.get(1), p.get(2)) else {
        return page_not_found();
    };
    match crate::usecases::sequences::unsubscribe(api.table.as_ref(), lead_id, email, api.clock.now()).await {
        Ok(()) => {}
        Err(e) => {
            tracing::warn!(error = %e, "unsubscribe not recorded");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::response::Html(
                    "<!doctype html><title>Try again</title><h1>We could not record that</h1>\
                     <p>You are not unsubscribed yet. Please use the link again in a minute.</p>",
                ),
            )
                .into_response();
        }
    }
    axum::response::Html("<!doctype html><title>Unsubscribed</title><h1>You are unsubscribed</h1><p>You will get no more emails from us.</p>").into_response()
}
