//! The portal's login and sessions on the AWS adapters (the emulator's DynamoDB and SES).

use e2e_tests::flows::Api;
use e2e_tests::{aws_stack, emulator, emulator_mail, portal};

#[tokio::test]
async fn login_by_a_one_time_link() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    portal::login(&Api::of(&stack), &tag[..8], emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_resellers_workspace() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    e2e_tests::portal_workspace::reseller_workspace(&Api::of(&stack), &tag[..8], emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn the_admins_desk() {
    let endpoint = emulator();
    let stack = aws_stack().await;
    let tag = shared::ids::random_id().to_lowercase();
    e2e_tests::portal_workspace::admin_workspace(&Api::of(&stack), &tag[..8], emulator_mail(endpoint)).await;
    e2e_tests::stop(stack).await;
}
