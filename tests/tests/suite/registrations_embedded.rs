//! Deal registration through the local stack on the embedded adapters.

use e2e_tests::flows::Api;
use e2e_tests::{embedded_stack, registrations};

#[tokio::test]
async fn registration_protects_and_conflicts() {
    let stack = embedded_stack().await;
    registrations::registration_protects_and_conflicts(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn referral_links() {
    let stack = embedded_stack().await;
    registrations::referral_links(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn public_domains_values_and_own_duplicates() {
    let stack = embedded_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    registrations::public_domains_values_and_own_duplicates(&Api::of(&stack), &tag).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn referral_names_round_trip() {
    let stack = embedded_stack().await;
    registrations::referral_names_round_trip(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}
