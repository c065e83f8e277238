//! Deal registration over HTTP: protection, conflicts, and two racing registrations.

use crate::flows::Api;
use reqwest::StatusCode;
use serde_json::{json, Value};

impl Api {
    pub async fn register(&self, key: &str, body: Value) -> (StatusCode, Value) {
        let res = self
            .http
            .post(format!("{}/registrations", self.base))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

fn registration(company: &str, domain: &str, email: &str) -> Value {
    json!({"company": {"name": company, "domain": domain}, "contact": {"name": "Ravi", "email": email, "title": "CFO"}, "expected_value": "12 lakh"})
}

pub async fn registration_protects_and_conflicts(api: &Api, tag: &str) {
    let (a, a_key) = api
        .reseller(&format!("Registrar A {tag}"), &["IN"], &[], "registered", 10)
        .await;
    let (b, b_key) = api
        .reseller(&format!("Registrar B {tag}"), &["IN"], &[], "platinum", 10)
        .await;
    let domain = format!("shree-{tag}.in");
    let (s, reg) = api
        .register(
            &a_key,
            registration("Shree Textile Industries Pvt. Ltd.", &domain, &format!("ravi@{domain}")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{reg}");
    let lead_id = reg["lead_id"].as_str().expect("a partner-owned lead").to_string();
    api.drain().await;
    let (_, lead) = api.admin_get(&format!("/leads/{lead_id}")).await;
    assert_eq!(
        lead["owner_reseller_id"],
        a.as_str(),
        "partner-owned, whoever ranks higher"
    );
    assert_eq!(lead["routing"]["rule"], "partner_owned");
    assert_eq!(lead["channel"], "partner_registration");
    // the same company by another reseller — by domain, or by name written differently
    let (s, body) = api
        .register(&b_key, registration("Shree Textile", &domain, "someone@gmail.com"))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["protected_until"], reg["protected_until"]);
    assert!(!body.to_string().contains(&a), "never names the other reseller");
    let (s, _) = api
        .register(
            &b_key,
            registration(
                "SHREE TEXTILE INDUSTRIES",
                &format!("other-{tag}.in"),
                &format!("x@other-{tag}.in"),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, conflicts) = api.admin_get("/registrations/conflicts").await;
    assert!(conflicts["conflicts"].as_array().is_some_and(|c| c
        .iter()
        .any(|t| t["claimed_by"] == b.as_str() && t["protected_for"] == a.as_str())));
    // each lists its own
    let (_, own) = api.get_as("/registrations", Some(&a_key)).await;
    assert_eq!(own["registrations"].as_array().map(Vec::len), Some(1));
    let (_, none) = api.get_as("/registrations", Some(&b_key)).await;
    assert_eq!(none["registrations"].as_array().map(Vec::len), Some(0));
    let (s, body) = api
        .register(&a_key, json!({"company": {"name": ""}, "contact": {"email": "bad"}}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // two resellers registering one new company at the same instant: one 201, one 409
    let race = format!("race-{tag}.in");
    let (x, y) = tokio::join!(
        api.register(&a_key, registration("Race Motors", &race, &format!("a@{race}"))),
        api.register(&b_key, registration("Race Motors", &race, &format!("b@{race}")))
    );
    let mut statuses = [x.0, y.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT], "{x:?} {y:?}");
}
