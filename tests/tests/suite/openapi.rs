//! The OpenAPI description is generated from the handlers and served at `GET /openapi.json`;
//! it names exactly the routes the functions serve (and template.yaml routes), and every
//! operation it describes is answered by a real handler, not the "no such route" fallback.

use e2e_tests::embedded_stack;
use e2e_tests::flows::Api;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;

fn described() -> BTreeSet<(String, String)> {
    shared::handlers::openapi::operations(&shared::handlers::openapi::description())
        .into_iter()
        .collect()
}

#[test]
fn the_description_names_exactly_the_routes_each_function_serves() {
    let routed: BTreeSet<(String, String)> = shared::handlers::HTTP_FUNCTIONS
        .iter()
        .flat_map(|(_, routes)| routes.iter())
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let described = described();
    let undescribed: Vec<_> = routed.difference(&described).collect();
    let unrouted: Vec<_> = described.difference(&routed).collect();
    assert!(undescribed.is_empty(), "served but not described: {undescribed:?}");
    assert!(
        unrouted.is_empty(),
        "described but not routed by template.yaml's list: {unrouted:?}"
    );
}

#[tokio::test]
async fn the_stack_serves_its_description_and_every_operation_in_it() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let res = api
        .http
        .get(format!("{}/openapi.json", api.base))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.expect("json");
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let schemes = doc["components"]["securitySchemes"].as_object().map(|m| m.len());
    assert_eq!(schemes, Some(3), "admin key, reseller key, webhook signature");
    assert!(
        doc["components"]["schemas"]["OrderIn"].is_object(),
        "request bodies have schemas"
    );
    for (method, path) in described() {
        let url = format!("{}{}", api.base, path.replace('{', "x").replace('}', ""));
        let res = api
            .http
            .request(method.parse().expect("method"), &url)
            .send()
            .await
            .expect("request");
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        let fallback = (status == StatusCode::NOT_FOUND && body["message"] == "no such route")
            || status == StatusCode::METHOD_NOT_ALLOWED;
        assert!(
            !fallback,
            "{method} {path} is described but not served: {status} {body}"
        );
    }
    e2e_tests::stop(stack).await;
}

/// Every `$ref` in the description names a schema it defines.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r.clone());
            }
            m.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[test]
fn response_bodies_are_typed_and_every_reference_resolves() {
    let doc = serde_json::to_value(shared::handlers::openapi::description()).expect("json");
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    for r in &found {
        let name = r.trim_start_matches("#/components/schemas/");
        assert!(doc["components"]["schemas"][name].is_object(), "{r} is not defined");
    }
    // the money reads and the reseller answer are typed: their fields are described
    for (path, method, schema, field) in [
        ("/orders/{id}", "get", "OrderView", "payments"),
        ("/resellers/{id}/ledger", "get", "LedgerView", "totals_by_currency"),
        ("/payouts/{month}", "get", "MonthPayoutsView", "payouts"),
        ("/resellers/{id}", "get", "ResellerView", "win_rate"),
    ] {
        let body = &doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(
            body["$ref"],
            format!("#/components/schemas/{schema}"),
            "{method} {path}"
        );
        assert!(
            doc["components"]["schemas"][schema]["properties"][field].is_object(),
            "{schema}.{field}"
        );
    }
}

#[test]
fn a_lead_may_carry_the_referral_redirects_names() {
    // `ref` and `click` are what `GET /r/{code}` hands the landing page: described as fields
    // of a lead so that a form forwarding them validates against the description
    let doc = serde_json::to_value(shared::handlers::openapi::description()).expect("json");
    let props = &doc["components"]["schemas"]["LeadSubmission"]["properties"];
    assert!(props.get("ref").is_some() && props.get("click").is_some(), "{props}");
    assert!(props.get("ref_").is_none(), "{props}");
}

/// `docs/openapi.json` — what the deployed API serves at `GET /openapi.json` — is the
/// description the handlers make today. After changing a handler's annotation, regenerate it:
/// `cargo run -p local-stack -- --print-openapi > docs/openapi.json`.
#[test]
fn the_committed_description_is_current() {
    let committed = shared::handlers::api_description::DESCRIPTION;
    let current = shared::handlers::openapi::description_json();
    assert!(
        committed.trim_end() == current.trim_end(),
        "docs/openapi.json is stale: run `cargo run -p local-stack -- --print-openapi > docs/openapi.json`"
    );
}
