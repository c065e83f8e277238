//! The first-response SLA through the local stack on the embedded adapters.

use e2e_tests::flows::Api;
use e2e_tests::{embedded_stack, outbox_mail, sla};

#[tokio::test]
async fn reassignment_then_admin_queue() {
    let stack = embedded_stack().await;
    sla::reassignment_then_admin_queue(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn first_response_and_escalation() {
    let stack = embedded_stack().await;
    sla::first_response_stops_the_clock_and_protected_leads_escalate(&Api::of(&stack), "emb", outbox_mail(&stack))
        .await;
    e2e_tests::stop(stack).await;
}
