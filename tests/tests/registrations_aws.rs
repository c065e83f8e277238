//! Deal registration through the local stack on the AWS adapters (claims are DynamoDB
//! transactions against the emulator).

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, registrations};

#[tokio::test]
async fn registration_protects_and_conflicts() {
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    registrations::registration_protects_and_conflicts(&Api::of(&stack), &tag).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn referral_links() {
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    registrations::referral_links(&Api::of(&stack), &tag).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn public_domains_values_and_own_duplicates() {
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    registrations::public_domains_values_and_own_duplicates(&Api::of(&stack), &tag).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn referral_names_round_trip() {
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    registrations::referral_names_round_trip(&Api::of(&stack), &tag[..8]).await;
    e2e_tests::stop(stack).await;
}
