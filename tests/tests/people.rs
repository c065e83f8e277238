//! People and roles (issue 26): a reseller's team, the vendor's staff, one policy, every action
//! audited to a person — on the embedded stack and on the AWS adapters.

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, embedded_stack, emulator, emulator_mail, outbox_mail, people};

fn tag() -> String {
    shared::ids::random_id().to_lowercase()[..8].to_string()
}

#[tokio::test]
async fn a_rep_sees_its_own_leads_embedded() {
    let stack = embedded_stack().await;
    people::a_rep_sees_its_own_leads(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_rep_sees_its_own_leads_aws() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    people::a_rep_sees_its_own_leads(&Api::of(&stack), &tag(), emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn staff_work_within_their_roles_embedded() {
    let stack = embedded_stack().await;
    people::staff_work_within_their_roles(&Api::of(&stack), "emb").await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn staff_work_within_their_roles_aws() {
    emulator();
    let stack = aws_stack().await;
    people::staff_work_within_their_roles(&Api::of(&stack), &tag()).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn the_bootstrap_key_only_makes_staff_embedded() {
    let stack = embedded_stack().await;
    people::the_bootstrap_key_only_makes_staff(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn the_bootstrap_key_only_makes_staff_aws() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    people::the_bootstrap_key_only_makes_staff(&Api::of(&stack), &tag(), emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn bad_people_input_embedded() {
    let stack = embedded_stack().await;
    people::bad_people_input(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn bad_people_input_aws() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    people::bad_people_input(&Api::of(&stack), &tag(), emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_leads_mail_goes_to_whoever_works_it_embedded() {
    let stack = embedded_stack().await;
    people::a_leads_mail_goes_to_whoever_works_it(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_leads_mail_goes_to_whoever_works_it_aws() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    people::a_leads_mail_goes_to_whoever_works_it(&Api::of(&stack), &tag(), emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}
