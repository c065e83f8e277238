//! The tenant-isolation matrix (issue 16) on the embedded stack.

use e2e_tests::flows::Api;
use e2e_tests::{embedded_stack, isolation, outbox_mail};

#[tokio::test]
async fn a_reseller_reaches_nothing_of_anothers_through_any_route() {
    let stack = embedded_stack().await;
    isolation::a_reseller_reaches_nothing_of_anothers(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    stack.stop().await;
}
