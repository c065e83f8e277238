//! Two opens and a click move a warm lead scored 66 to hot (66 + 2 + 2 + 4 = 74) and the hot
//! alert goes out once. (A binary of its own: it sets RULES_JSON, with manager at 11 points, to
//! make 66 reachable: 30 + 25 + 11.)

use e2e_tests::flows::Api;
use e2e_tests::sequences::links;
use e2e_tests::{embedded_stack, outbox_mail};
use serde_json::json;

#[tokio::test]
async fn two_opens_and_a_click_make_a_warm_lead_hot_and_alert_once() {
    std::env::set_var("RULES_JSON", r#"{"scoring": {"authority_manager": 11}}"#);
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let mail = outbox_mail(&stack);
    api.reseller("Crossing Partner", &["IN"], &[], "gold", 10).await;
    api.set_clock("2026-11-23T10:00:00+05:30").await;
    let (_, b) = api
        .post_json("/leads", json!({"email": "mgr@example.in", "title": "IT Manager", "budget": "₹5L+", "timeline": "immediately", "country": "IN"}))
        .await;
    let lead_id = b["lead_id"].as_str().expect("id").to_string();
    api.drain().await;
    let (_, lead) = api.admin_get(&format!("/leads/{lead_id}")).await;
    assert_eq!(
        (lead["score"].as_u64(), lead["band"].as_str()),
        (Some(66), Some("warm"))
    );
    api.run_sequences("2026-11-23T10:05:00+05:30").await;
    let m = mail("mgr@example.in".into()).await.pop().expect("first step");
    let open = links(&m, "/t/o/").pop().expect("pixel");
    let click = links(&m, "/t/c/").pop().expect("click");
    for url in [&open, &open, &click] {
        assert!(api.http.get(url).send().await.expect("track").status().is_success() || url == &click);
        api.drain().await;
    }
    let (_, lead) = api.admin_get(&format!("/leads/{lead_id}")).await;
    assert_eq!(
        (lead["score"].as_u64(), lead["band"].as_str()),
        (Some(74), Some("hot")),
        "{lead}"
    );
    assert_eq!(
        mail("crossingpartner@resellers.example".into()).await.len(),
        1,
        "one hot alert"
    );
    // more engagement keeps it hot without another alert
    api.http.get(&open).send().await.expect("open");
    api.drain().await;
    assert_eq!(mail("crossingpartner@resellers.example".into()).await.len(), 1);
    e2e_tests::stop(stack).await;
}
