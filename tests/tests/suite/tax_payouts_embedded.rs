//! Tax-aware payouts (issue 15) through the local stack on the embedded adapters.

use e2e_tests::flows::Api;
use e2e_tests::{embedded_stack, embedded_stack_with, outbox_mail, tax_payouts};

#[tokio::test]
async fn a_taxed_month_paid_settled_and_reported() {
    let stack = embedded_stack().await;
    tax_payouts::tax_month(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn platform_in_karnataka_and_held_until_the_invoice() {
    let stack = embedded_stack_with(|o| {
        o.platform_gstin = "29AAACP0001Q1ZH".into();
        o.hold_until_invoice = true;
    })
    .await;
    tax_payouts::interstate_and_held(&Api::of(&stack)).await;
    e2e_tests::stop(stack).await;
}
