//! The role matrix (issue 26): every operation of the description as every role.

use e2e_tests::flows::Api;
use e2e_tests::{embedded_stack, outbox_mail, roles};

#[tokio::test]
async fn every_operation_as_every_role() {
    let stack = embedded_stack().await;
    roles::every_operation_as_every_role(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}
