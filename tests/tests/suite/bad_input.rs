//! Bad input gets a clear error and loses nothing (local stack, embedded adapters).

use e2e_tests::flows::Api;
use e2e_tests::{embedded_stack, ADMIN_KEY};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn post_raw(api: &Api, content_type: &str, body: Vec<u8>, accept: Option<&str>) -> reqwest::Response {
    let mut req = api
        .http
        .post(format!("{}/leads", api.base))
        .header("content-type", content_type)
        .body(body);
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    req.send().await.expect("request")
}

#[tokio::test]
async fn malformed_wrong_type_oversized_and_invalid_bodies() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let res = post_raw(&api, "application/json", b"{\"email\": \"a@b.co\",".to_vec(), None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.expect("json error");
    assert!(body["message"].as_str().unwrap_or("").contains("malformed JSON"));
    assert_eq!(
        post_raw(&api, "application/json", b"[1,2]".to_vec(), None)
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post_raw(&api, "text/plain", b"email=a@b.co".to_vec(), None)
            .await
            .status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        post_raw(&api, "multipart/form-data; boundary=x", b"--x--".to_vec(), None)
            .await
            .status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let huge = format!("{{\"email\":\"a@b.co\",\"message\":\"{}\"}}", "x".repeat(1024 * 1024));
    assert_eq!(
        post_raw(&api, "application/json", huge.into_bytes(), None)
            .await
            .status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let res = post_raw(
        &api,
        "application/json",
        br#"{"email":"not-an-email","channel":"fax","name":5}"#.to_vec(),
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.expect("json");
    let mut fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or(""))
        .collect();
    fields.sort();
    assert_eq!(fields, ["channel", "email", "name"]);
    assert!(body["errors"][0]["message"].is_string());
    // nothing of the refused submissions was stored
    let (_, list) = api.admin_get("/leads?email=a@b.co").await;
    assert_eq!(list["leads"].as_array().map(Vec::len), Some(0));
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn unicode_and_markup_are_stored_as_text() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let (s, created) = api
        .post_json("/leads", json!({"email": "उदाहरण@उदाहरण.भारत", "name": "सुनीता 😀 Devi", "company": "<script>alert('x')</script>", "message": "a & b < c"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, lead) = api
        .admin_get(&format!("/leads/{}", created["lead_id"].as_str().unwrap_or("")))
        .await;
    assert_eq!(lead["name"], "सुनीता 😀 Devi");
    assert_eq!(lead["company"], "<script>alert('x')</script>");
    assert_eq!(lead["message"], "a & b < c");
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn admin_key_and_unknown_ids() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    assert_eq!(api.get_as("/leads/01ABC", None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        api.get_as("/leads/01ABC", Some("wrong-key")).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api.get_as("/leads?stage=R001", Some("rk_forged")).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (s, body) = api.get_as("/leads/01ABC", Some(ADMIN_KEY)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
    assert_eq!(
        api.get_as("/resellers/nope", Some(ADMIN_KEY)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.get_as("/leads?stage=R999", Some(ADMIN_KEY)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // no filter: every lead for an admin (issue 12), no longer a 422
    let (s, all) = api.get_as("/leads", Some(ADMIN_KEY)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(all["leads"].is_array(), "{all}");
    assert_eq!(
        api.get_as("/leads?stage=R001&cursor=garbage", Some(ADMIN_KEY)).await.0,
        StatusCode::BAD_REQUEST
    );
    let res = api
        .http
        .post(format!("{}/resellers", api.base))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let (s, body) = api
        .admin_post(
            "/resellers",
            json!({"name": "", "email": "bad", "regions": ["Atlantis"], "tier": "diamond", "win_rate": 2}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(5), "{body}");
    // a reseller key may not create resellers
    let (_, created) = api
        .admin_post(
            "/resellers",
            json!({"name": "Ok Partner", "email": "ok@partner.example", "regions": ["IN"]}),
        )
        .await;
    let key = created["api_key"].as_str().expect("key");
    let res = api
        .http
        .post(format!("{}/resellers", api.base))
        .bearer_auth(key)
        .json(&json!({"name": "x", "email": "x@y.co"}))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(api.get_as("/nowhere", None).await.0, StatusCode::NOT_FOUND);
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn honeypot_is_accepted_but_stored_as_spam_and_never_routed() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    api.reseller("Any Partner", &["IN"], &[], "gold", 10).await;
    let (s, created) = api
        .post_json(
            "/leads",
            json!({"email": "bot@spam.example", "country": "IN", "website": "http://buy-now.example"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "the same answer as a real lead");
    api.drain().await;
    let id = created["lead_id"].as_str().expect("id");
    let (_, lead) = api.admin_get(&format!("/leads/{id}")).await;
    assert_eq!(lead["spam"], true);
    assert_eq!(lead["stage"], "R001");
    assert_eq!(lead["owner_reseller_id"], Value::Null);
    assert_eq!(lead["routing"], Value::Null);
    let (_, spam) = api.admin_get("/leads?stage=spam").await;
    assert_eq!(spam["leads"][0]["lead_id"], id);
    // spam does not claim the address: the real person can still submit
    let (s, real) = api.post_json("/leads", json!({"email": "bot@spam.example"})).await;
    assert_eq!(s, StatusCode::CREATED);
    api.drain().await;
    // only the real lead was qualified and joined a sequence
    let steps = |lead: String| {
        let table = stack.stack.table.clone();
        async move {
            shared::usecases::sequences::lead_steps(table.as_ref(), &lead)
                .await
                .expect("steps")
                .len()
        }
    };
    assert_eq!(steps(id.to_string()).await, 0);
    assert!(steps(real["lead_id"].as_str().expect("id").to_string()).await > 0);
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn browsers_get_redirects_and_scripts_get_json() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let form = "email=form%40example.in&name=Asha&timeline=this+quarter";
    let res = post_raw(
        &api,
        "application/x-www-form-urlencoded",
        form.into(),
        Some("text/html,application/xhtml+xml"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap_or("")
        .ends_with("/_local/thanks"));
    let res = post_raw(
        &api,
        "application/x-www-form-urlencoded",
        b"email=bad&name=Asha".to_vec(),
        Some("text/html"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = res.headers()["location"].to_str().unwrap_or("").to_string();
    assert!(loc.contains("/_local/form-error?error=email"), "{loc}");
    // a redirect to an allowed host is followed; elsewhere, never (no open redirect)
    let ok = "email=r1%40example.in&redirect=http%3A%2F%2Flocalhost%3A8080%2Fthanks-webinar";
    let res = post_raw(&api, "application/x-www-form-urlencoded", ok.into(), Some("text/html")).await;
    assert_eq!(res.headers()["location"], "http://localhost:8080/thanks-webinar");
    let evil = "email=r2%40example.in&redirect=https%3A%2F%2Fevil.example%2Fphish";
    let res = post_raw(
        &api,
        "application/x-www-form-urlencoded",
        evil.into(),
        Some("text/html"),
    )
    .await;
    assert!(res.headers()["location"]
        .to_str()
        .unwrap_or("")
        .ends_with("/_local/thanks"));
    // the same form from a script gets JSON
    let res = post_raw(
        &api,
        "application/x-www-form-urlencoded",
        b"email=script%40example.in".to_vec(),
        Some("application/json"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.expect("json");
    assert!(body["lead_id"].is_string());
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn cors_preflight_is_answered_for_allowed_origins_only() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let preflight = |origin: &'static str| {
        api.http
            .request(reqwest::Method::OPTIONS, format!("{}/leads", api.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = preflight("http://localhost:8080").await.expect("preflight");
    assert!(ok.status().is_success());
    assert_eq!(ok.headers()["access-control-allow-origin"], "http://localhost:8080");
    let no = preflight("https://evil.example").await.expect("preflight");
    assert!(no.headers().get("access-control-allow-origin").is_none());
    e2e_tests::stop(stack).await;
}
