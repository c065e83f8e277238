//! Whole flows through the local stack on the embedded adapters.

use e2e_tests::embedded_stack;
use e2e_tests::flows::{self, Api};

#[tokio::test]
async fn capture_score_route() {
    let stack = embedded_stack().await;
    flows::capture_score_route(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn duplicates_idempotency_and_races() {
    let stack = embedded_stack().await;
    flows::duplicates_idempotency_and_races(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn capacity_overflow_goes_to_admin_queue() {
    let stack = embedded_stack().await;
    flows::capacity_overflow_goes_to_admin_queue(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn poison_is_moved_aside_and_redriven() {
    let stack = e2e_tests::embedded_stack().await;
    e2e_tests::poison::poison_is_moved_aside_and_redriven(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn the_local_clock_goes_back_to_real_time() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let clock = |method: &'static str| {
        let api = &api;
        async move {
            let res = api
                .http
                .request(method.parse().expect("method"), format!("{}/_local/clock", api.base))
                .send()
                .await
                .expect("clock");
            let body: serde_json::Value = res.json().await.expect("json");
            chrono::DateTime::parse_from_rfc3339(body["now"].as_str().expect("now"))
                .expect("time")
                .to_utc()
        }
    };
    api.run_job("sla-watch", "2020-01-06T10:00:00Z").await;
    assert_eq!(
        chrono::Datelike::year(&clock("GET").await),
        2020,
        "a job with `now` leaves the clock there"
    );
    let back = clock("DELETE").await;
    assert!((chrono::Utc::now() - back).num_seconds().abs() < 60, "{back}");
    e2e_tests::stop(stack).await;
}
