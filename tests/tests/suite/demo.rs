//! `scripts/demo`, the README's demo month, run as a newcomer runs it against a local stack:
//! it must finish, print the worked example's figures and put the clock back.

use e2e_tests::{base, embedded_stack, ADMIN_KEY};

#[tokio::test]
async fn the_demo_month_runs_as_written() {
    let stack = embedded_stack().await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = tokio::process::Command::new(root.join("scripts/demo"))
        .env("B", base(&stack))
        .env("LOCAL_ADMIN_KEY", ADMIN_KEY)
        .output()
        .await
        .expect("scripts/demo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "stage R002",
        "October ledger: amc_first_year ₹40000.00, licence ₹250000.00",
        "the lead is now at R006",
        "issued, gross ₹290000.00, TDS ₹58000.00, net payable ₹232000.00",
        "Your partner statement for October 2026",
        "Reseller payouts for October 2026 [payouts-2026-10.csv]",
        "clock restored",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}");
    }
    // back to real time
    let now = shared::ports::Clock::now(stack.stack.clock.as_ref());
    let skew = (now - chrono::Utc::now()).num_seconds().abs();
    assert!(skew < 60, "the clock is {skew} s away from now");
    e2e_tests::stop(stack).await;
}

/// The README's walk-through, taken from the README and run as written (only the address and
/// the admin key are this stack's).
#[tokio::test]
async fn the_readme_walk_through_runs_as_written() {
    let stack = embedded_stack().await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    let section = readme.split("## A walk through").nth(1).expect("the walk-through");
    let script = section
        .split("```sh\n")
        .nth(1)
        .and_then(|s| s.split("\n```").next())
        .expect("its sh block")
        .replace("B=http://127.0.0.1:3000", &format!("B={}", base(&stack)))
        .replace("local-admin-key", ADMIN_KEY);
    let out = tokio::process::Command::new("bash")
        .args(["-e", "-c", &script])
        .output()
        .await
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lead_id = stdout.lines().next().unwrap_or_default();
    assert_eq!(lead_id.len(), 26, "a ULID first: {stdout}");
    assert!(stdout.contains(&format!("\"lead_id\":\"{lead_id}\"")), "{stdout}");
    assert!(stdout.contains("\"stage\":\"R002\""), "{stdout}");
    assert!(
        stdout.ends_with("[]}") || stdout.contains("\"leads\":[]"),
        "the new reseller sees no leads: {stdout}"
    );
    e2e_tests::stop(stack).await;
}
