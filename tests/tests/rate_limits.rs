//! Issue 16 item 3: per-client limits on the public routes — `POST /leads`, `GET /r/{code}`,
//! `POST /reseller-applications` — answer a burst from one address with `429` and
//! `Retry-After`, store nothing, and leave other addresses alone. (A binary of its own: it sets
//! RULES_JSON with small limits.)

use e2e_tests::applications::application;
use e2e_tests::embedded_stack;
use e2e_tests::flows::Api;
use reqwest::StatusCode;
use serde_json::json;

fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds")
}

#[tokio::test]
async fn a_burst_from_one_address_is_refused_with_retry_after() {
    std::env::set_var(
        "RULES_JSON",
        r#"{"public_limits": {"leads_per_client_per_hour": 5, "clicks_per_client_per_hour": 4},
            "applications": {"per_address_per_hour": 2}}"#,
    );
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let (reseller, _) = api.reseller("Burst Partner", &["IN"], &[], "gold", 100).await;
    // (the local stack appends its peer's address, as API Gateway does: every request here
    // comes from 127.0.0.1, whatever X-Forwarded-For the client sends)
    let post_lead = |n: usize| {
        api.http
            .post(format!("{}/leads", api.base))
            .header("x-forwarded-for", format!("203.0.113.{n}"))
            .json(&json!({"email": format!("burst{n}@example.in"), "country": "IN"}))
            .send()
    };
    for n in 0..5 {
        assert_eq!(post_lead(n).await.expect("post").status(), StatusCode::CREATED);
    }
    let refused = post_lead(5).await.expect("post");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&refused);
    assert!((1..=3600).contains(&wait), "{wait}");
    let body: serde_json::Value = refused.json().await.expect("json");
    assert_eq!(body["error"], "too_many_requests", "{body}");
    let (_, found) = api.admin_get("/leads?email=burst5@example.in").await;
    assert_eq!(
        found["leads"].as_array().map(Vec::len),
        Some(0),
        "nothing stored: {found}"
    );
    // another address is not affected (in-process, behind a proxy that saw 198.51.100.20)
    let app = local_stack::app(stack.stack.clone());
    let req = axum::http::Request::post("/leads")
        .header("content-type", "application/json")
        .header("x-forwarded-for", "198.51.100.20")
        .body(axum::body::Body::from(
            json!({"email": "other-address@example.in", "country": "IN"}).to_string(),
        ))
        .expect("request");
    let res = tower::ServiceExt::oneshot(app, req).await.expect("in-process");
    assert_eq!(res.status(), StatusCode::CREATED);
    // a browser form over the limit goes to the error page
    let res = api
        .http
        .post(format!("{}/leads", api.base))
        .header("x-forwarded-for", "203.0.113.5")
        .header("accept", "text/html")
        .form(&[("email", "form@example.in")])
        .send()
        .await
        .expect("form");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"].to_str().unwrap_or("").contains("error"));

    // referral clicks
    let (_, me) = api.admin_get(&format!("/resellers/{reseller}")).await;
    let code = me["referral_code"].as_str().expect("code").to_string();
    let click = || api.http.get(format!("{}/r/{code}", api.base)).send();
    for _ in 0..4 {
        assert_eq!(click().await.expect("click").status(), StatusCode::FOUND);
    }
    let refused = click().await.expect("click");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&refused) >= 1);
    let (_, dash) = api.admin_get(&format!("/resellers/{reseller}/dashboard")).await;
    assert_eq!(dash["referrals"]["clicks"], 4, "refused clicks are not counted: {dash}");

    // applications
    let apply = |n: usize| {
        api.http
            .post(format!("{}/reseller-applications", api.base))
            .json(&application(
                &format!("Burst Co {n}"),
                &format!("burst{n}.in"),
                &format!("a@burst{n}.in"),
            ))
            .send()
    };
    for n in 0..2 {
        assert_eq!(apply(n).await.expect("apply").status(), StatusCode::CREATED);
    }
    let refused = apply(2).await.expect("apply");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&refused) >= 1);
    e2e_tests::stop(stack).await;
}
