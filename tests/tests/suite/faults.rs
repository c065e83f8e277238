//! Every multi-step flow crashed before each of its writes, and failed at each once, then
//! recovered as production recovers; the guarantee docs/OPERATING.md states is checked after each run
//! (see `e2e_tests::faults`). Embedded adapters: the order of writes is the code's, not the
//! store's.

use e2e_tests::billing::{order, payment};
use e2e_tests::faults::{assert_mailed, at_every_write, monday, Flow, Harness, Swept};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn mailbox(name: &str) -> String {
    format!("{}@resellers.example", name.to_lowercase().replace(' ', ""))
}

async fn lead(h: &Harness, id: &str) -> Value {
    let (s, b) = h.api.admin_get(&format!("/leads/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

async fn reseller_email(h: &Harness, id: &str) -> String {
    let (s, b) = h.api.admin_get(&format!("/resellers/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["email"].as_str().expect("email").to_string()
}

fn report(name: &str, s: &Swept) {
    println!(
        "{name}: {} writes ({}), crashed at each: {}, failed at each once: {}",
        s.writes.len(),
        s.writes.join(" → "),
        s.crashes,
        s.failures
    );
}

// ---- capture → scoring → routing → enrolment and the hot-lead alert ----

struct Capture;

struct Captured {
    k: usize,
    body: Value,
    lead_id: Option<String>,
}

impl Flow for Capture {
    type Ctx = Captured;
    async fn setup(&self, h: &Harness, k: usize) -> Captured {
        h.api.reseller(&format!("Capture {k}"), &["IN"], &[], "gold", 500).await;
        h.api.set_clock(&monday(k, "10:00")).await;
        let body = json!({"email": format!("ceo-{k}@faults.example"), "name": format!("Anita Fault{k}x"), "title": "CEO",
                          "budget": "₹5L+", "timeline": "next quarter", "country": "IN"});
        Captured { k, body, lead_id: None }
    }
    async fn act(&self, h: &Harness, c: &mut Captured) {
        let (s, b) = h.api.post_json("/leads", c.body.clone()).await;
        if s.is_success() {
            c.lead_id = b["lead_id"].as_str().map(str::to_string);
        }
    }
    async fn recover(&self, h: &Harness, c: &mut Captured) {
        if c.lead_id.is_none() {
            // the form saw an error: the visitor sends it again
            let (s, b) = h.api.post_json("/leads", c.body.clone()).await;
            assert!(s.is_success(), "{s} {b}");
            c.lead_id = b["lead_id"].as_str().map(str::to_string);
        }
        h.api.drain().await;
        // the quarter-hourly watch: stuck leads back to scoring, owed letters sent
        h.api.run_job("sla-watch", &monday(c.k, "11:00")).await;
        h.api.drain().await;
    }
    async fn check(&self, h: &Harness, c: &Captured, resend: bool) {
        let id = c.lead_id.as_deref().expect("a lead id");
        let l = lead(h, id).await;
        assert_eq!(l["stage"], "R002", "{l}");
        assert_eq!(l["band"], "hot", "{l}");
        let owner = l["owner_reseller_id"].as_str().expect("routed");
        let mail = h.mail_to(&reseller_email(h, owner).await).await;
        let mine: Vec<_> = mail
            .into_iter()
            .filter(|m| m.subject.contains(&format!("Fault{}x", c.k)))
            .collect();
        assert_mailed(&mine, "call within 4 hours", resend);
        // the same form again is the same lead
        let (s, again) = h.api.post_json("/leads", c.body.clone()).await;
        assert!(s.is_success(), "{again}");
        assert_eq!(again["lead_id"], id);
    }
}

#[tokio::test]
async fn capture_scoring_routing_and_the_hot_alert() {
    let h = Harness::new().await;
    let s = at_every_write(&h, &Capture).await;
    report("capture", &s);
    assert!(s.crashes >= 5, "{s:?}");
    e2e_tests::stop(h.stack).await;
}

// ---- an order and its payment → commission ----

struct Billing;

struct Billed {
    k: usize,
    reseller: String,
    order: Value,
    payment: Value,
}

impl Flow for Billing {
    type Ctx = Billed;
    async fn setup(&self, h: &Harness, k: usize) -> Billed {
        let (reseller, _) = h
            .api
            .reseller(&format!("Billing {k}"), &["IN"], &[], "silver", 500)
            .await;
        let lead = h.api.scored_lead(&format!("bill-{k}@faults.example")).await;
        let order_id = format!("ORD-F-{k}");
        Billed {
            k,
            order: order(&order_id, &lead, &reseller, "290000", "20000"),
            payment: payment(
                &format!("PAY-F-{k}"),
                &order_id,
                "licence",
                "290000",
                "2026-10-10T12:00:00+05:30",
            ),
            reseller,
        }
    }
    async fn act(&self, h: &Harness, c: &mut Billed) {
        // a failed webhook is not followed by the payment: the billing system retries in order
        if h.api.signed("/billing/orders", &c.order).await.0 == StatusCode::ACCEPTED {
            h.api.signed("/billing/payments", &c.payment).await;
        }
    }
    async fn recover(&self, h: &Harness, c: &mut Billed) {
        // the billing system sends again whatever did not answer 202 (and a replay is harmless)
        for (path, body) in [("/billing/orders", &c.order), ("/billing/payments", &c.payment)] {
            let (s, b) = h.api.signed(path, body).await;
            // 202 accepted, or 200: already had it
            assert!(s == StatusCode::ACCEPTED || s == StatusCode::OK, "{path}: {s} {b}");
        }
        h.api.drain().await;
    }
    async fn check(&self, h: &Harness, c: &Billed, _resend: bool) {
        let ledger = h.api.ledger(&c.reseller, "2026-10").await;
        // 20% of the ₹2,90,000 licence (the tier for a deal that size), once
        assert_eq!(
            ledger["entries"].as_array().map(Vec::len),
            Some(1),
            "run {}: {ledger}",
            c.k
        );
        assert_eq!(ledger["totals"]["licence"], "58000.00", "run {}: {ledger}", c.k);
    }
}

#[tokio::test]
async fn order_payment_and_commission() {
    let h = Harness::new().await;
    let s = at_every_write(&h, &Billing).await;
    report("commission", &s);
    assert!(s.crashes >= 4, "{s:?}");
    e2e_tests::stop(h.stack).await;
}

// ---- the monthly payout: coordinator, worker, statement, finance's email ----

struct Payout;

struct Paid {
    k: usize,
    reseller: String,
    email: String,
    month: String,
    run_at: String,
    job_failed: bool,
}

/// The k-th month from January 2030, and the first of the month after it (when its payout runs).
fn month_of(k: usize) -> (String, String) {
    let (y, m) = (2030 + k / 12, k % 12 + 1);
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    (format!("{y}-{m:02}"), format!("{ny}-{nm:02}-01T02:30:00+05:30"))
}

impl Flow for Payout {
    type Ctx = Paid;
    async fn setup(&self, h: &Harness, k: usize) -> Paid {
        let name = format!("Payout {k}");
        let (reseller, _) = h.api.reseller(&name, &["IN"], &[], "silver", 500).await;
        let (month, run_at) = month_of(k);
        h.api.set_clock(&format!("{month}-10T12:00:00+05:30")).await;
        e2e_tests::payouts::deal(
            &h.api,
            &reseller,
            &format!("F{k}"),
            "INR",
            "290000",
            &format!("{month}-10T12:00:00+05:30"),
        )
        .await;
        Paid {
            k,
            email: mailbox(&name),
            reseller,
            month,
            run_at,
            job_failed: false,
        }
    }
    async fn act(&self, h: &Harness, c: &mut Paid) {
        let ok = h.try_job("monthly-payout", &c.run_at).await;
        c.job_failed = !ok;
    }
    async fn recover(&self, h: &Harness, c: &mut Paid) {
        // wherever the run stopped, the ticket never says its statement went before it did
        let (_, b) = h.api.admin_get(&format!("/payouts/{}", c.month)).await;
        let said = b["payouts"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["payee"] == c.reseller.as_str())
            .is_some_and(|p| p["statement_sent"] == true);
        let mailed = h
            .mail_to(&c.email)
            .await
            .iter()
            .any(|m| m.subject.contains("Your partner statement"));
        assert!(!said || mailed, "run {}: statement_sent before the statement went", c.k);
        if c.job_failed {
            // the scheduler retries a failed invocation
            h.api.run_job("monthly-payout", &c.run_at).await;
        }
        h.api.drain().await;
        // the quarter-hourly watch sends what is owed
        let later = c.run_at.replace("02:30", "03:00");
        h.api.run_job("sla-watch", &later).await;
    }
    async fn check(&self, h: &Harness, c: &Paid, resend: bool) {
        let (s, b) = h.api.admin_get(&format!("/payouts/{}", c.month)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let mine: Vec<&Value> = b["payouts"]
            .as_array()
            .expect("payouts")
            .iter()
            .filter(|p| p["payee"] == c.reseller.as_str())
            .collect();
        assert_eq!(mine.len(), 1, "run {}: one ticket: {b}", c.k);
        assert_eq!(mine[0]["status"], "issued", "{b}");
        assert_eq!(mine[0]["statement_sent"], true, "run {}: sent, and counted: {b}", c.k);
        // the deal's ₹58,000 once, its one entry settled by this ticket
        assert_eq!(mine[0]["entries_settled"], 1, "run {}: {b}", c.k);
        assert_eq!(mine[0]["lines"][0]["gross_payable"], "58000.00", "run {}: {b}", c.k);
        assert_mailed(&h.mail_to(&c.email).await, "Your partner statement", resend);
        let finance: Vec<_> = h.mail_to(e2e_tests::payouts::FINANCE).await.into_iter().collect();
        let first = chrono::NaiveDate::parse_from_str(&format!("{}-01", c.month), "%Y-%m-%d").expect("month");
        assert_mailed(
            &finance,
            &format!("Reseller payouts for {}", first.format("%B %Y")),
            resend,
        );
    }
}

#[tokio::test]
async fn monthly_payout_statement_and_finance_email() {
    let h = Harness::new().await;
    let s = at_every_write(&h, &Payout).await;
    report("payout", &s);
    assert!(s.crashes >= 8, "{s:?}");
    e2e_tests::stop(h.stack).await;
}

// ---- the first-response SLA: reassignment and its two emails ----

struct SlaFlow;

struct Overdue {
    k: usize,
    lead_id: String,
    first: String,
}

impl Overdue {
    /// The new owner calls: the lead's clock stops, so later runs' watches leave it alone.
    async fn answer(&self, h: &Harness) {
        let (s, b) = h
            .api
            .admin_post(&format!("/leads/{}/activities", self.lead_id), json!({"type": "call"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
}

impl Flow for SlaFlow {
    type Ctx = Overdue;
    async fn setup(&self, h: &Harness, k: usize) -> Overdue {
        for side in ["A", "B"] {
            h.api
                .reseller(&format!("Sla {side} {k}"), &["IN"], &[], "silver", 500)
                .await;
        }
        h.api.set_clock(&monday(k, "10:00")).await;
        let (s, b) = h
            .api
            .post_json("/leads", json!({"email": format!("sla-{k}@faults.example"), "name": format!("Ravi Fault{k}x"), "country": "India"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let lead_id = b["lead_id"].as_str().expect("id").to_string();
        h.api.drain().await;
        let first = lead(h, &lead_id).await["owner_reseller_id"]
            .as_str()
            .expect("routed")
            .to_string();
        Overdue { k, lead_id, first }
    }
    async fn act(&self, h: &Harness, c: &mut Overdue) {
        // 4 h 01 min after the assignment
        h.try_job("sla-watch", &monday(c.k, "14:01")).await;
    }
    async fn recover(&self, h: &Harness, c: &mut Overdue) {
        // the next quarter-hour's run
        h.api.run_job("sla-watch", &monday(c.k, "14:16")).await;
        h.api.drain().await;
    }
    async fn check(&self, h: &Harness, c: &Overdue, resend: bool) {
        let l = lead(h, &c.lead_id).await;
        let now = l["owner_reseller_id"].as_str().expect("an owner").to_string();
        assert_ne!(now, c.first, "reassigned: {l}");
        assert_eq!(l["sla"]["reassignments"], 1, "once: {l}");
        let about = |mail: Vec<shared::adapters::embedded::SentMail>| -> Vec<_> {
            mail.into_iter()
                .filter(|m| m.subject.contains(&format!("Fault{}x", c.k)))
                .collect()
        };
        assert_mailed(
            &about(h.mail_to(&reseller_email(h, &c.first).await).await),
            "Lead reassigned",
            resend,
        );
        assert_mailed(
            &about(h.mail_to(&reseller_email(h, &now).await).await),
            "New lead for you",
            resend,
        );
        c.answer(h).await;
    }
}

#[tokio::test]
async fn sla_reassignment_and_its_emails() {
    let h = Harness::new().await;
    let s = at_every_write(&h, &SlaFlow).await;
    report("sla", &s);
    assert!(s.crashes >= 5, "{s:?}");
    e2e_tests::stop(h.stack).await;
}

// ---- a sequence step ----

struct StepFlow;

struct Warm {
    k: usize,
    email: String,
}

impl Flow for StepFlow {
    type Ctx = Warm;
    async fn setup(&self, h: &Harness, k: usize) -> Warm {
        h.api.reseller(&format!("Step {k}"), &["IN"], &[], "gold", 500).await;
        h.api.set_clock(&monday(k, "10:00")).await;
        let email = format!("warm-{k}@faults.example");
        let (s, b) = h
            .api
            .post_json("/leads", json!({"email": email, "name": "Tom", "company": "Acme", "country": "IN", "budget": "3L", "timeline": "ASAP"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        h.api.drain().await;
        Warm { k, email }
    }
    async fn act(&self, h: &Harness, c: &mut Warm) {
        h.try_job("sequence-sender", &monday(c.k, "10:05")).await;
    }
    async fn recover(&self, h: &Harness, c: &mut Warm) {
        // the sender's next run, then the watch's outbox sweep
        h.api.run_job("sequence-sender", &monday(c.k, "10:10")).await;
        h.api.run_job("sla-watch", &monday(c.k, "10:15")).await;
    }
    async fn check(&self, h: &Harness, c: &Warm, resend: bool) {
        let mail = h.mail_to(&c.email).await;
        let n = mail.len();
        assert!(
            n == 1 || (resend && n == 2),
            "run {}: {n} step emails (resend allowed: {resend})",
            c.k
        );
    }
}

#[tokio::test]
async fn a_sequence_step() {
    let h = Harness::new().await;
    let s = at_every_write(&h, &StepFlow).await;
    report("sequence step", &s);
    assert!(s.crashes >= 2, "{s:?}");
    e2e_tests::stop(h.stack).await;
}

// ---- the nightly renewal-risk alert ----

struct Renewal;

struct AtRisk {
    k: usize,
    email: String,
    at: String,
}

impl Flow for Renewal {
    type Ctx = AtRisk;
    async fn setup(&self, h: &Harness, k: usize) -> AtRisk {
        let name = format!("Renewal {k}");
        let (reseller, _) = h.api.reseller(&name, &["IN"], &[], "silver", 500).await;
        // each run a day later: its contract renews 30 days after its scan
        let scan = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("date") + chrono::Duration::days(k as i64);
        let renewal = scan + chrono::Duration::days(30);
        h.api.set_clock(&format!("{scan}T01:00:00+05:30")).await;
        let contract = e2e_tests::renewals::contract(&h.api, &reseller, &format!("F{k}"), &renewal.to_string()).await;
        e2e_tests::renewals::troubled(&h.api, &contract).await;
        AtRisk {
            k,
            email: mailbox(&name),
            at: format!("{scan}T02:00:00+05:30"),
        }
    }
    async fn act(&self, h: &Harness, c: &mut AtRisk) {
        h.try_job("renewal-risk-scan", &c.at).await;
    }
    async fn recover(&self, h: &Harness, c: &mut AtRisk) {
        // the watch's sweep a quarter of an hour later, and the next night's scan
        h.api.run_job("sla-watch", &c.at.replace("02:00", "02:15")).await;
        h.api
            .run_job("renewal-risk-scan", &c.at.replace("02:00", "23:00"))
            .await;
    }
    async fn check(&self, h: &Harness, c: &AtRisk, resend: bool) {
        let mail = h.mail_to(&c.email).await;
        let n = mail.len();
        assert!(
            n == 1 || (resend && n == 2),
            "run {}: {n} alerts (resend allowed: {resend})",
            c.k
        );
    }
}

#[tokio::test]
async fn a_renewal_alert() {
    let h = Harness::new().await;
    let s = at_every_write(&h, &Renewal).await;
    report("renewal alert", &s);
    assert!(s.crashes >= 2, "{s:?}");
    e2e_tests::stop(h.stack).await;
}

// ---- a reseller application: received, approved ----

struct Application;

struct Applied {
    k: usize,
    body: Value,
    email: String,
    id: Option<String>,
    approved: bool,
}

impl Flow for Application {
    type Ctx = Applied;
    async fn setup(&self, _h: &Harness, k: usize) -> Applied {
        let email = format!("asha-{k}@fault{k}.example");
        Applied {
            k,
            body: e2e_tests::applications::application(
                &format!("Fault {k} Systems"),
                &format!("fault{k}.example"),
                &email,
            ),
            email,
            id: None,
            approved: false,
        }
    }
    async fn act(&self, h: &Harness, c: &mut Applied) {
        let (s, b) = h.api.apply(c.body.clone()).await;
        if s != StatusCode::CREATED {
            return;
        }
        let id = b["application_id"].as_str().expect("id").to_string();
        let (s, _) = h
            .api
            .admin_post(
                &format!("/reseller-applications/{id}/approve"),
                json!({"tier": "silver"}),
            )
            .await;
        c.approved = s.is_success();
        c.id = Some(id);
    }
    async fn recover(&self, h: &Harness, c: &mut Applied) {
        if c.id.is_none() {
            // the applicant sends the form again; if the first got through, it is still pending
            let (s, b) = h.api.apply(c.body.clone()).await;
            if s == StatusCode::CREATED {
                c.id = b["application_id"].as_str().map(str::to_string);
            } else {
                let (_, list) = h.api.admin_get("/reseller-applications?status=pending").await;
                c.id = list["applications"]
                    .as_array()
                    .and_then(|a| a.iter().find(|x| x["contact"]["email"] == c.email.as_str()))
                    .and_then(|x| x["application_id"].as_str().map(str::to_string));
            }
        }
        let id = c.id.clone().expect("an application");
        if !c.approved {
            // the admin presses approve again (a decided application answers 409)
            let (s, b) = h
                .api
                .admin_post(
                    &format!("/reseller-applications/{id}/approve"),
                    json!({"tier": "silver"}),
                )
                .await;
            assert!(s.is_success() || s == StatusCode::CONFLICT, "{s} {b}");
        }
        h.api.run_job("sla-watch", &monday(c.k + 1000, "10:00")).await;
    }
    async fn check(&self, h: &Harness, c: &Applied, resend: bool) {
        let id = c.id.as_deref().expect("an application");
        let (s, a) = h.api.admin_get(&format!("/reseller-applications/{id}")).await;
        assert_eq!(s, StatusCode::OK, "{a}");
        assert_eq!(a["status"], "approved", "{a}");
        let mail = h.mail_to(&c.email).await;
        assert_mailed(&mail, "was received", resend);
        assert_mailed(&mail, "Welcome", resend);
    }
}

#[tokio::test]
async fn an_application_received_and_approved() {
    let h = Harness::new().await;
    let s = at_every_write(&h, &Application).await;
    report("application", &s);
    assert!(s.crashes >= 4, "{s:?}");
    e2e_tests::stop(h.stack).await;
}

// ---- a prospect list from S3, in chunks ----

struct Import;

struct Listed {
    k: usize,
    key: String,
    emails: Vec<String>,
}

impl Flow for Import {
    type Ctx = Listed;
    async fn setup(&self, h: &Harness, k: usize) -> Listed {
        h.api.set_clock(&monday(k, "10:00")).await;
        let emails: Vec<String> = (0..6).map(|i| format!("row{i}-{k}@import{k}.example")).collect();
        Listed {
            k,
            key: format!("prospects/fault-{k}/list.csv"),
            emails,
        }
    }
    async fn act(&self, h: &Harness, c: &mut Listed) {
        // the upload is S3's (outside the functions); its event starts the import
        let mut csv = String::from("email,company\n");
        for (i, e) in c.emails.iter().enumerate() {
            csv.push_str(&format!("{e},Company {i} Textiles and Garments Private Limited\n"));
        }
        h.api.put_object(&c.key, csv.into_bytes()).await;
    }
    async fn recover(&self, h: &Harness, c: &mut Listed) {
        h.api.drain().await;
        // the quarter-hourly watch queues leads left unscored
        h.api.run_job("sla-watch", &monday(c.k, "11:00")).await;
        h.api.drain().await;
    }
    async fn check(&self, h: &Harness, c: &Listed, _resend: bool) {
        let summary = h.api.summary(&c.key).await;
        assert_eq!(summary["status"], "complete", "run {}: {summary}", c.k);
        assert!(summary["chunks"].as_u64().is_some_and(|n| n > 1), "{summary}");
        assert_eq!(summary["rows_read"], 6, "{summary}");
        assert_eq!(summary["created"], 6, "run {}: {summary}", c.k);
        for email in &c.emails {
            let leads = h.api.leads_with_email(email).await;
            assert_eq!(leads.len(), 1, "run {}: {email}", c.k);
            assert_eq!(leads[0]["stage"], "R002", "scored: {}", leads[0]);
        }
    }
}

#[tokio::test]
async fn a_prospect_list_in_chunks() {
    // chunks of about 256 bytes: the list of six rows is cut in two or three
    let h = Harness::with(|o| o.import_chunk_bytes = Some(256)).await;
    let s = at_every_write(&h, &Import).await;
    report("import", &s);
    assert!(s.crashes >= 4, "{s:?}");
    e2e_tests::stop(h.stack).await;
}
