//! `cargo run -p local-stack -- [--port N] [--bind ADDR] [--data-dir DIR] [--aws] [--no-demo]`

use local_stack::{demo, start, Options};
use std::path::PathBuf;

fn usage() -> ! {
    eprintln!("usage: local-stack [--port N] [--bind ADDR (default 127.0.0.1)] [--data-dir DIR] [--aws] [--no-demo]\n       local-stack --print-openapi   (the API description, as docs/openapi.json holds it)\n  PORT, ADMIN_API_KEY, TABLE_NAME, ALLOWED_ORIGINS and AWS_ENDPOINT_URL are read from the environment");
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    shared::runtime::init_tracing();
    let mut o = Options::defaults(PathBuf::from(".local-data"));
    if let Some(p) = std::env::var("PORT").ok().and_then(|p| p.parse().ok()) {
        o.port = p;
    }
    if let Ok(k) = std::env::var("ADMIN_API_KEY") {
        if !k.is_empty() {
            o.bootstrap_key = k;
        }
    }
    if let Ok(k) = std::env::var("LOCAL_ADMIN_KEY") {
        if !k.is_empty() {
            o.admin_key = k;
        }
    }
    if let Ok(s) = std::env::var("BILLING_WEBHOOK_SECRET") {
        if !s.is_empty() {
            o.webhook_secret = s;
        }
    }
    if let Ok(t) = std::env::var("TABLE_NAME") {
        o.table_name = t;
    }
    if let Ok(origins) = std::env::var("ALLOWED_ORIGINS") {
        o.allowed_origins = origins
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
    }
    let mut seed_demo = true;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => o.port = args.next().and_then(|p| p.parse().ok()).unwrap_or_else(|| usage()),
            "--bind" => o.bind = args.next().and_then(|a| a.parse().ok()).unwrap_or_else(|| usage()),
            "--data-dir" => o.data_dir = args.next().map(PathBuf::from).unwrap_or_else(|| usage()),
            "--aws" => o.aws = true,
            "--no-demo" => seed_demo = false,
            "--print-openapi" => {
                println!("{}", shared::handlers::openapi::description_json());
                return;
            }
            _ => usage(),
        }
    }
    let admin_key = o.admin_key.clone();
    let bootstrap_key = o.bootstrap_key.clone();
    let admin_email = o.admin_emails.split(',').next().unwrap_or_default().trim().to_string();
    let running = match start(o).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("local stack failed to start: {e}");
            std::process::exit(1)
        }
    };
    let base = format!("http://{}", running.addr);
    let mut seeded = vec![];
    if seed_demo {
        match demo::seed(running.stack.table.as_ref(), running.stack.clock.as_ref()).await {
            Ok(s) => seeded = s,
            Err(e) => eprintln!("could not seed demo resellers: {e}"),
        }
    }
    let mut people = vec![];
    if let Some((first, _, _)) = seeded.first() {
        match demo::seed_people(&running.stack.partner_api, first).await {
            Ok(p) => people = p,
            Err(e) => eprintln!("could not seed the demo people: {e}"),
        }
    }
    if !seeded.is_empty() {
        match demo::seed_application(&running.stack.partner_api).await {
            Ok(id) => println!("  demo reseller application {id} waits for review (GET /reseller-applications)"),
            Err(e) => eprintln!("could not seed the demo application: {e}"),
        }
    }
    println!(
        "\nLocal stack listening on {base} ({} adapters)",
        if running.stack.options.aws { "AWS" } else { "embedded" }
    );
    for (id, name, key) in &seeded {
        println!("  demo reseller {name}: id {id}, its owner's api key {key}");
    }
    for (email, role) in &people {
        println!("  demo {role}: sign in as {email}");
    }
    println!(
        r#"
Try it:
  open {base}/portal/login                     # the partner portal: log in as {admin_email} (a programme admin),
                                               # a demo reseller's owner, manager or rep, or the finance or channel-manager
                                               # staff above; the link is in {base}/_local/outbox
  # the programme admin's key below ({admin_key}); ADMIN_API_KEY ({bootstrap_key}) only creates staff
  open {base}/_local/form                      # the demo lead form (a plain HTML form)
  curl -s -X POST {base}/leads -H 'content-type: application/json' \
       -d '{{"email":"priya@shreetextiles.in","name":"Priya","company":"Shree Textile Industries","title":"CEO","country":"India","state":"Maharashtra","budget":"5-10 lakh","timeline":"next quarter"}}'
  curl -s -X POST {base}/_local/drain           # wait until scoring has run
  curl -s {base}/leads/LEAD_ID -H 'authorization: Bearer {admin_key}'
  curl -s '{base}/leads?stage=R002' -H 'authorization: Bearer {admin_key}'
  curl -s -X PUT --data-binary @tests/fixtures/prospects-edge.csv {base}/_local/objects/prospects/diwali/list.csv
  curl -s {base}/_local/objects/prospects/diwali/list.report.csv   # after a drain: rows not imported
"#
    );
    let _ = tokio::signal::ctrl_c().await;
    running.stop().await;
}
