//! Payouts under the law of their date of credit, abroad, in the partner's currency, to micro
//! enterprises and to e-invoicing partners — on the embedded stack and on the AWS adapters.

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, embedded_stack, emulator, emulator_mail, outbox_mail, payouts_abroad};

fn tag() -> String {
    shared::ids::random_id().to_lowercase()[..8].to_string()
}

#[tokio::test]
async fn the_law_by_date_of_credit_embedded() {
    let stack = embedded_stack().await;
    payouts_abroad::the_law_by_date_of_credit(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn the_law_by_date_of_credit_aws() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    payouts_abroad::the_law_by_date_of_credit(&Api::of(&stack), &tag(), emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_partner_in_dubai_embedded() {
    let stack = embedded_stack().await;
    payouts_abroad::a_partner_in_dubai(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_partner_in_dubai_aws() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    payouts_abroad::a_partner_in_dubai(&Api::of(&stack), &tag(), emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_micro_enterprise_is_paid_in_time_embedded() {
    let stack = embedded_stack().await;
    payouts_abroad::a_micro_enterprise_is_paid_in_time(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_micro_enterprise_is_paid_in_time_aws() {
    emulator();
    let stack = aws_stack().await;
    payouts_abroad::a_micro_enterprise_is_paid_in_time(&Api::of(&stack), &tag()).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn an_einvoicing_payee_needs_its_irn_embedded() {
    let stack = embedded_stack().await;
    payouts_abroad::an_einvoicing_payee_needs_its_irn(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn an_einvoicing_payee_needs_its_irn_aws() {
    emulator();
    let stack = aws_stack().await;
    payouts_abroad::an_einvoicing_payee_needs_its_irn(&Api::of(&stack), &tag()).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn bad_tax_input_is_named() {
    let stack = embedded_stack().await;
    payouts_abroad::bad_tax_input_is_named(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn razorpayx_round_trip() {
    let stack = e2e_tests::embedded_stack_with(|o| {
        o.rules_json =
            Some(r#"{"payout":{"bank_file":{"format":"razorpayx","account_number":"7878780080316316"}}}"#.into())
    })
    .await;
    payouts_abroad::razorpayx_round_trip(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}
