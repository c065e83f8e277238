//! The first-response SLA through the local stack on the AWS adapters (deadline index queries
//! and reassignment transactions against the emulator, mail read back from its SES).

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, emulator, emulator_mail, sla};

#[tokio::test]
async fn reassignment_then_admin_queue() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    sla::reassignment_then_admin_queue(&Api::of(&stack), &tag, emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn first_response_and_escalation() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    sla::first_response_stops_the_clock_and_protected_leads_escalate(&Api::of(&stack), &tag, emulator_mail(endpoint))
        .await;
    e2e_tests::stop(stack).await;
}
