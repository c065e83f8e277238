//! The portal in a real browser (issue 14): Debian's headless Chromium driven through its
//! ChromeDriver (installed by `scripts/browser`, which the test command runs) against the
//! embedded local stack. A reseller logs in through the link read from the outbox, sees the
//! worked example's ₹2,90,000.00 earned, moves a lead on the kanban and finds it in the next
//! column after a reload; the admin approves an application. Fails — never skips — when the
//! browser is missing. With `SCREENSHOT_DIR` set (`scripts/screenshots`), the pages are saved
//! there at desktop and phone widths.

use e2e_tests::applications::application;
use e2e_tests::flows::Api;
use e2e_tests::portal::{email_of, login_link};
use e2e_tests::tax_payouts::worked_example_in_october;
use e2e_tests::{embedded_stack, outbox_mail};
use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::StatusCode;
use serde_json::json;
use std::process::Stdio;
use std::time::Duration;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// ChromeDriver on a free loopback port, stopped when dropped.
struct Driver {
    child: tokio::process::Child,
    url: String,
}

async fn driver() -> Driver {
    assert!(
        std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists(),
        "Chromium and ChromeDriver are missing: run ./scripts/test (it installs Debian's chromium and chromium-driver)"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = tokio::process::Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromedriver starts");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Driver {
                child,
                url: format!("http://127.0.0.1:{port}"),
            };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on {port}");
}

async fn browser(d: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": CHROMIUM, "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-IN"]}),
    );
    // plain HTTP to the driver on loopback: no TLS stack needed
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&d.url)
        .await
        .expect("a browser session")
}

/// Saves the page when `SCREENSHOT_DIR` asks for screenshots, at desktop and phone widths.
/// Follows each (menu link, the page's heading, screenshot name): the page opens with its
/// heading, and is photographed.
async fn open_from_menu(c: &Client, pages: &[(&str, &str, &str)]) {
    for &(link, heading, shot) in pages {
        c.find(Locator::LinkText(link))
            .await
            .expect(link)
            .click()
            .await
            .expect("follow");
        assert_eq!(text_of(c, "main h1").await, heading);
        shoot(c, shot).await;
    }
}

async fn shoot(c: &Client, name: &str) {
    let Ok(dir) = std::env::var("SCREENSHOT_DIR") else {
        return;
    };
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    for (suffix, w, h) in [("desktop", 1280, 900), ("phone", 390, 844)] {
        c.set_window_size(w, h).await.expect("size");
        c.refresh().await.expect("reload");
        let png = c.screenshot().await.expect("screenshot");
        std::fs::write(format!("{dir}/{name}-{suffix}.png"), png).expect("write png");
    }
    c.set_window_size(1280, 900).await.expect("size");
}

/// The text of the element `css` finds, at most 10 s: found again when the page changed
/// between finding it and reading it (a form's redirect landing: a stale element).
async fn text_of(c: &Client, css: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let found = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        match found.text().await {
            Ok(text) => return text,
            Err(e) if std::time::Instant::now() >= deadline => panic!("{css}: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Loads `url` until `css` is on it (a form's redirect may still be on its way), at most 10 s.
async fn shown_after_reload(c: &Client, url: &str, css: &str) {
    for _ in 0..40 {
        c.goto(url).await.expect("page");
        if c.find(Locator::Css(css)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("{css} never shown on {url}");
}

/// Logs in through the form and the emailed link.
async fn log_in<F, Fut>(c: &Client, base: &str, sent_to: &F, email: &str)
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Vec<shared::adapters::embedded::SentMail>>,
{
    c.goto(&format!("{base}/portal/login")).await.expect("login page");
    c.find(Locator::Css("#email"))
        .await
        .expect("email field")
        .send_keys(email)
        .await
        .expect("type");
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("submit");
    assert!(text_of(c, "p[role=status]").await.contains("login link is on its way"));
    // the sequence sender mails the link, from the queue
    e2e_tests::flows::Api {
        base: base.to_string(),
        http: e2e_tests::client(),
    }
    .drain_queues("sequence")
    .await;
    let link = login_link(sent_to, email).await;
    c.goto(&link).await.expect("the emailed link");
}

#[tokio::test]
async fn a_reseller_and_the_admin_use_the_portal_in_chromium() {
    let stack = embedded_stack().await;
    let api = Api::of(&stack);
    let base = api.base.clone();
    let sent_to = outbox_mail(&stack);
    // a day in late October 2026, as the worked example's payments are dated
    api.set_clock("2026-10-25T10:00:00+05:30").await;
    // A earns the worked example in October; it has a lead waiting at R002
    let (a, a_key) = api.reseller("Kalyani ERP", &["IN"], &[], "gold", 10).await;
    worked_example_in_october(&api, &a, "browser").await;
    let (s, created) = api
        .post_json(
            "/leads",
            json!({"email": "meera@sahyadri-foods.in", "name": "Meera Kulkarni", "company": "Sahyadri Foods",
                   "country": "IN", "title": "CEO", "employees": "80"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    api.drain().await;
    let lead = created["lead_id"].as_str().expect("lead id").to_string();
    api.hand_to(&lead, &a).await;
    // a quoted deal at R003: the forecast's hatched bar
    let sku = api.product("ERP-PRO", "licence", "800000.00", "0").await;
    let (s, quoted) = api
        .post_json(
            "/leads",
            json!({"email": "vikram@konkan-pharma.in", "name": "Vikram Desai", "company": "Konkan Pharma",
                   "country": "IN", "title": "CFO", "employees": "300"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{quoted}");
    api.drain().await;
    let quoted = quoted["lead_id"].as_str().expect("lead id").to_string();
    api.hand_to(&quoted, &a).await;
    let (s, q) = api.quote(&a_key, &quoted, json!([{"sku": sku, "quantity": 1}])).await;
    assert_eq!(s, StatusCode::CREATED, "{q}");
    let (s, app) = api
        .apply(application(
            "Deccan Cloud Partners",
            "deccancloud.in",
            "asha@deccancloud.in",
        ))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{app}");
    let application_id = app["application_id"].as_str().expect("id").to_string();

    let d = driver().await;
    let c = browser(&d).await;

    // the reseller logs in through the link and sees what it earned
    log_in(&c, &base, &sent_to, &email_of("Kalyani ERP")).await;
    assert_eq!(text_of(&c, "[data-testid=earned-mtd]").await, "₹2,90,000.00");
    assert_eq!(text_of(&c, "[data-testid=earned-ytd]").await, "₹2,90,000.00");
    // the waiting lead shows its first-response clock
    let sla = text_of(&c, "[data-testid=sla]").await;
    assert!(sla.starts_with("due in") || sla.starts_with("overdue by"), "{sla}");
    // the quoted deal is forecast at 25% (R003) of what the quote's estimate says A earns
    let totals = c
        .find_all(Locator::Css("[data-testid=forecast-total]"))
        .await
        .expect("forecast rows");
    assert_eq!(totals.len(), 3, "the next three months");
    let mut shown = Vec::new();
    for t in &totals {
        shown.push(t.text().await.expect("text"));
    }
    let estimate: rust_decimal::Decimal = q["commission_estimate"]["licence"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("estimate");
    let expected = shared::domain::money::display(estimate * rust_decimal::Decimal::new(25, 2), "INR");
    assert!(shown.contains(&expected), "{expected} not in {shown:?}");
    shoot(&c, "portal-home").await;

    // the kanban: move the lead to the next stage; after a reload it is in that column
    c.goto(&format!("{base}/portal/pipeline")).await.expect("pipeline");
    let card = format!("[data-stage=R002] article[data-lead='{lead}']");
    text_of(&c, &card).await;
    shoot(&c, "portal-pipeline").await;
    c.find(Locator::Css(&format!("#to-{lead}")))
        .await
        .expect("move select")
        .select_by_value("R003")
        .await
        .expect("choose R003");
    c.find(Locator::Css(&format!("{card} button[type=submit]")))
        .await
        .expect("move button")
        .click()
        .await
        .expect("move");
    // the form posts and redirects; the board, loaded afresh, has the card at R003
    shown_after_reload(
        &c,
        &format!("{base}/portal/pipeline"),
        &format!("[data-stage=R003] article[data-lead='{lead}']"),
    )
    .await;
    assert!(c.find(Locator::Css(&card)).await.is_err(), "no longer at R002");
    let (_, moved) = api.get_as(&format!("/leads/{lead}"), Some(&a_key)).await;
    assert_eq!(moved["stage"], "R003");

    // the lead page and the ledger
    c.goto(&format!("{base}/portal/leads/{lead}")).await.expect("lead page");
    assert!(text_of(&c, "main").await.contains("Timeline"));
    // log the first call from the lead page: it stops the SLA clock
    c.find(Locator::Css("#activity-note"))
        .await
        .expect("note field")
        .send_keys("Called Meera: demo on Friday")
        .await
        .expect("type");
    c.find(Locator::Css("form[action$='/activities'] button"))
        .await
        .expect("log button")
        .click()
        .await
        .expect("log");
    assert!(text_of(&c, "p[role=status]").await.contains("your first response"));
    assert!(text_of(&c, "main").await.contains("Called Meera: demo on Friday"));
    shoot(&c, "portal-lead").await;
    // register a deal from its form
    c.goto(&format!("{base}/portal/registrations"))
        .await
        .expect("registrations");
    fill_and_submit(
        &c,
        &[
            ("#company_name", "Ratnagiri Castings"),
            ("#company_domain", "ratnagiricastings.in"),
            ("#contact_email", "ops@ratnagiricastings.in"),
            ("#expected_value", "1500000"),
        ],
        "main form button[type=submit]",
    )
    .await;
    assert!(text_of(&c, "p[role=status]")
        .await
        .contains("Registered Ratnagiri Castings"));
    assert!(text_of(&c, "main table").await.contains("₹15,00,000.00"));
    shoot(&c, "portal-registrations").await;
    // the other pages of a reseller's menu open from the header, each with its heading
    open_from_menu(
        &c,
        &[
            ("Referrals", "Referrals", "portal-referrals"),
            ("Sub-resellers", "Sub-resellers", "portal-sub-resellers"),
            ("Tax", "Tax", "portal-tax"),
            ("Brand", "Brand", "portal-brand"),
            ("API keys", "API keys", "portal-keys"),
        ],
    )
    .await;
    c.goto(&format!("{base}/portal/ledger?month=2026-10"))
        .await
        .expect("ledger");
    assert!(text_of(&c, "main").await.contains("₹2,50,000.00"));
    shoot(&c, "portal-ledger").await;

    // the owner invites a rep from the team page and gives it the quoted deal
    c.goto(&format!("{base}/portal/team")).await.expect("team");
    fill_and_submit(
        &c,
        &[
            ("#invite-name", "Arjun Shah"),
            ("#invite-email", "arjun@kalyani-erp.in"),
        ],
        "form[action='/portal/team'] button[type=submit]",
    )
    .await;
    assert!(text_of(&c, "p[role=status]")
        .await
        .contains("Invited Arjun Shah as rep"));
    assert!(text_of(&c, "[data-testid=team]").await.contains("arjun@kalyani-erp.in"));
    shoot(&c, "portal-team").await;
    let (_, team) = api.get_as(&format!("/resellers/{a}/users"), Some(&a_key)).await;
    let arjun = team["users"]
        .as_array()
        .and_then(|u| u.iter().find(|p| p["email"] == "arjun@kalyani-erp.in"))
        .and_then(|p| p["user_id"].as_str())
        .expect("Arjun")
        .to_string();
    c.goto(&format!("{base}/portal/assign")).await.expect("assign");
    c.find(Locator::Css(&format!("#user-{quoted}")))
        .await
        .expect("who works it")
        .select_by_value(&arjun)
        .await
        .expect("choose Arjun");
    c.find(Locator::Css(&format!(
        "form[action='/portal/leads/{quoted}/assign-user'] button"
    )))
    .await
    .expect("assign button")
    .click()
    .await
    .expect("assign");
    assert!(text_of(&c, "p[role=status]").await.contains("Assigned"));
    let (_, given) = api.get_as(&format!("/leads/{quoted}"), Some(&a_key)).await;
    assert_eq!(given["assigned_user"], arjun.as_str());
    shoot(&c, "portal-assign").await;
    c.find(Locator::Css("header form button"))
        .await
        .expect("log out")
        .click()
        .await
        .expect("click");
    // the logout's answer clears the cookie: wait for it before the next sign-in sets one
    assert!(text_of(&c, "p[role=status]").await.contains("logged out"));

    // the rep signs in by its invitation and sees its own lead only, and no money pages
    let invitation = sent_to("arjun@kalyani-erp.in".into())
        .await
        .into_iter()
        .rev()
        .find(|m| m.subject.contains("invitation"))
        .expect("the invitation");
    let at = invitation.text.find("http").expect("a link");
    let link = invitation.text[at..]
        .split_whitespace()
        .next()
        .expect("link")
        .to_string();
    c.goto(&link).await.expect("the invitation's link");
    let mine = text_of(&c, "[data-testid=my-leads]").await;
    assert!(mine.contains("Vikram Desai") && !mine.contains("Meera"), "{mine}");
    let menu = text_of(&c, "header nav").await;
    assert!(
        menu.contains("Pipeline") && !menu.contains("Commission") && !menu.contains("Tax"),
        "{menu}"
    );
    shoot(&c, "portal-rep-home").await;
    c.goto(&format!("{base}/portal/ledger")).await.expect("ledger");
    assert!(text_of(&c, "main").await.contains("cannot open this page"));
    log_in(&c, &base, &sent_to, &email_of("Kalyani ERP")).await;

    // log out; the admin logs in and approves the application
    c.find(Locator::Css("header form button"))
        .await
        .expect("log out")
        .click()
        .await
        .expect("click");
    assert!(text_of(&c, "p[role=status]").await.contains("logged out"));
    log_in(&c, &base, &sent_to, "partner-admin@partners.example").await;
    c.goto(&format!("{base}/portal/admin/applications"))
        .await
        .expect("applications");
    let section = format!("section[data-application='{application_id}']");
    assert!(text_of(&c, &section).await.contains("Deccan Cloud Partners"));
    shoot(&c, "portal-applications").await;
    c.find(Locator::Css(&format!("#tier-{application_id}")))
        .await
        .expect("tier")
        .select_by_value("gold")
        .await
        .expect("gold");
    c.find(Locator::Css(&format!("{section} form[action$='/approve'] button")))
        .await
        .expect("approve button")
        .click()
        .await
        .expect("approve");
    assert!(text_of(&c, "p[role=status]").await.starts_with("Approved"));
    assert!(c.find(Locator::Css(&section)).await.is_err());
    let (_, decided) = api.admin_get(&format!("/reseller-applications/{application_id}")).await;
    assert_eq!(decided["status"], "approved", "{decided}");
    c.goto(&format!("{base}/portal/admin/resellers"))
        .await
        .expect("resellers");
    assert!(text_of(&c, "main table").await.contains("Deccan Cloud Partners"));
    shoot(&c, "portal-resellers").await;
    open_from_menu(
        &c,
        &[
            ("Queue", "Admin queue", "portal-admin-queue"),
            ("Conflicts", "Registration conflicts", "portal-conflicts"),
            ("Co-sell", "Co-sell queue", "portal-cosell"),
            ("Partners", "Partners", "portal-partners"),
            ("Staff", "Staff", "portal-staff"),
        ],
    )
    .await;

    c.close().await.expect("close");
    drop(d.child);
    e2e_tests::stop(stack).await;
}

/// Types each value into its field, then clicks `submit`.
async fn fill_and_submit(c: &Client, fields: &[(&str, &str)], submit: &str) {
    for (field, value) in fields {
        c.find(Locator::Css(field))
            .await
            .expect(field)
            .send_keys(value)
            .await
            .expect("type");
    }
    c.find(Locator::Css(submit))
        .await
        .expect(submit)
        .click()
        .await
        .expect(submit);
}
