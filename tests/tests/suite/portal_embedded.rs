//! The portal over HTTP (issue 14) on the embedded stack: login by link, sessions, CSRF, a
//! reseller's pages and isolation.

use e2e_tests::flows::Api;
use e2e_tests::{embedded_stack, outbox_mail, portal};

#[tokio::test]
async fn login_by_a_one_time_link() {
    let stack = embedded_stack().await;
    portal::login(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_resellers_pages_and_nobody_elses() {
    let stack = embedded_stack().await;
    portal::reseller_pages(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn renewals_at_risk_on_the_home_page() {
    let stack = embedded_stack().await;
    e2e_tests::renewals::at_risk_on_the_portal(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn a_resellers_workspace() {
    let stack = embedded_stack().await;
    e2e_tests::portal_workspace::reseller_workspace(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}

#[tokio::test]
async fn the_admins_desk() {
    let stack = embedded_stack().await;
    e2e_tests::portal_workspace::admin_workspace(&Api::of(&stack), "emb", outbox_mail(&stack)).await;
    e2e_tests::stop(stack).await;
}
