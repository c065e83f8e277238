//! The tenant-isolation matrix (issue 16) on the embedded stack and on the AWS adapters.

use e2e_tests::flows::Api;
use e2e_tests::{embedded_stack, isolation, outbox_mail};

#[tokio::test]
async fn a_reseller_reaches_nothing_of_anothers_through_any_route() {
    let stack = embedded_stack().await;
    isolation::a_reseller_reaches_nothing_of_anothers(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_reseller_reaches_nothing_of_anothers_on_the_aws_adapters() {
    let endpoint = e2e_tests::emulator();
    let stack = e2e_tests::aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    isolation::a_reseller_reaches_nothing_of_anothers(&Api::of(&stack), &tag[..8], e2e_tests::emulator_mail(endpoint))
        .await;
    e2e_tests::stop(stack).await;
}
