//! What the first schemathesis runs (`scripts/fuzz`) found, each pinned: answers the
//! description did not list, and a page answering JSON where people read HTML.

use e2e_tests::embedded_stack;
use e2e_tests::flows::Api;
use reqwest::StatusCode;
use serde_json::Value;

fn described_statuses(doc: &Value, method: &str, path: &str) -> Vec<String> {
    doc["paths"][path][method]["responses"]
        .as_object()
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_answer_found_by_fuzzing_is_described() {
    let doc = serde_json::to_value(shared::handlers::openapi::description()).expect("json");
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let (_, reseller_key) = api.reseller("Fuzz Findings", &["IN"], &[], "gold", 10).await;

    // an open pixel with a bad token: 404, now described
    let res = api.http.get(format!("{}/t/o/0", api.base)).send().await.expect("pixel");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(described_statuses(&doc, "get", "/t/o/{token}").contains(&"404".to_string()));

    // the unsubscribe pages are read by people: a bad link is an HTML page, as described
    for method in ["GET", "POST"] {
        let res = api
            .http
            .request(method.parse().expect("method"), format!("{}/u/0", api.base))
            .send()
            .await
            .expect("unsubscribe");
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let ct = res.headers()["content-type"].to_str().unwrap_or("").to_string();
        assert!(ct.starts_with("text/html"), "{method}: {ct}");
    }

    // a reseller's key asking for another owner's leads, or posting renewal signals: 403
    let (s, _) = api.get_as("/leads?owner=SOMEONE-ELSE", Some(&reseller_key)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(described_statuses(&doc, "get", "/leads").contains(&"403".to_string()));
    let (s, _) = api
        .post_as("/contracts/0/signals", Some(&reseller_key), serde_json::json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(described_statuses(&doc, "post", "/contracts/{id}/signals").contains(&"403".to_string()));

    // settlements for a month that is not YYYY-MM: invalid fields, one of the two 422 shapes
    let (s, body) = api.admin_post("/payouts/0/settlements", serde_json::json!([])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"], "invalid_fields", "{body}");
    let schema = &doc["paths"]["/payouts/{month}/settlements"]["post"]["responses"]["422"]["content"]
        ["application/json"]["schema"];
    let name = schema["$ref"]
        .as_str()
        .and_then(|r| r.rsplit('/').next())
        .expect("a named schema");
    let one_of = doc["components"]["schemas"][name]["oneOf"].as_array().map(Vec::len);
    assert_eq!(one_of, Some(2), "the answer line by line, or invalid fields: {schema}");
    e2e_tests::stop(stack).await;
}
