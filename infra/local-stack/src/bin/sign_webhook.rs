//! Signs a billing webhook body for a test request:
//! `cargo run -q -p local-stack --bin sign-webhook < payment.json` prints the `X-Signature`
//! value for that exact body, now, with `BILLING_WEBHOOK_SECRET` (default: the local stack's
//! `local-webhook-secret`). The signature is valid for 5 minutes.

use std::io::Read;

fn main() {
    let secret = std::env::var("BILLING_WEBHOOK_SECRET")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "local-webhook-secret".into());
    let mut body = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut body) {
        eprintln!("could not read the body from stdin: {e}");
        std::process::exit(1);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    println!("{}", shared::handlers::signature::sign(&secret, now, &body));
}
