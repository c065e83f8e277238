//! The second probe's findings, each pinned on the embedded stack and (where the store or the
//! mailer matter) on the AWS adapters against the emulator.

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, defects, embedded_stack, emulator, emulator_mail, outbox_mail};

fn tag() -> String {
    shared::ids::random_id().to_lowercase()[..8].to_string()
}

#[tokio::test]
async fn a_deactivated_reseller_loses_its_session_and_keys_embedded() {
    let stack = embedded_stack().await;
    defects::deactivated_and_suspended(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    stack.stop().await;
}

#[tokio::test]
async fn a_deactivated_reseller_loses_its_session_and_keys_aws() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    defects::deactivated_and_suspended(&Api::of(&stack), &tag(), emulator_mail(endpoint)).await;
    stack.stop().await;
}

#[tokio::test]
async fn a_reseller_cannot_grant_itself_a_lower_deduction_embedded() {
    let stack = embedded_stack().await;
    defects::lower_deduction_only_by_staff(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    stack.stop().await;
}

#[tokio::test]
async fn a_reseller_cannot_grant_itself_a_lower_deduction_aws() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    defects::lower_deduction_only_by_staff(&Api::of(&stack), &tag(), emulator_mail(endpoint)).await;
    stack.stop().await;
}
