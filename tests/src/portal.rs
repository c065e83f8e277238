//! The portal over HTTP (issue 14): passwordless login through the link read back from the
//! mail a stack sent, the session cookie's attributes, single-use and expiring links, CSRF on
//! every form, a reseller's pages and another reseller's data refused. The browser tests
//! (`tests/tests/suite/portal_browser.rs`) drive the same pages in Chromium.

use crate::flows::Api;
use crate::tax_payouts::worked_example_in_october;
use reqwest::StatusCode;
use shared::adapters::embedded::SentMail;
use std::future::Future;

/// A client that shows redirects instead of following them, and keeps no cookies.
pub fn browserless() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The login link in the newest login email sent to `to`.
pub async fn login_link<F, Fut>(sent_to: &F, to: &str) -> String
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let mails = sent_to(to.to_string()).await;
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.subject.contains("login link"))
        .unwrap_or_else(|| panic!("no login email to {to}"));
    let start = mail.text.find("http").expect("a link in the email");
    mail.text[start..].split_whitespace().next().expect("link").to_string()
}

/// Asks for a link for `email` and follows it: the session cookie's value.
pub async fn log_in<F, Fut>(api: &Api, sent_to: &F, email: &str) -> String
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let http = browserless();
    let res = http
        .post(format!("{}/portal/login", api.base))
        .form(&[("email", email)])
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // the sequence sender mails the link, from the queue
    api.drain_queues("sequence").await;
    let link = login_link(sent_to, email).await;
    let res = http.get(&link).send().await.expect("auth");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{link}");
    cookie_of(&res).expect("a session cookie")
}

fn cookie_of(res: &reqwest::Response) -> Option<String> {
    let set = res.headers().get("set-cookie")?.to_str().ok()?;
    let value = set.split(';').next()?.strip_prefix("pp_session=")?;
    (!value.is_empty()).then(|| value.to_string())
}

/// A page as the session sees it: status, location (for redirects), body.
pub async fn page(api: &Api, cookie: Option<&str>, path: &str) -> (StatusCode, String, String) {
    let mut req = browserless().get(format!("{}{path}", api.base));
    if let Some(c) = cookie {
        req = req.header("cookie", format!("pp_session={c}"));
    }
    let res = req.send().await.expect("page");
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, location, res.text().await.unwrap_or_default())
}

/// The CSRF token on a page (its forms' hidden field).
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field on the page");
    html[at + 19..].split('"').next().unwrap_or("").to_string()
}

pub async fn post_form(api: &Api, cookie: &str, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let (status, location, _) = post_form_page(api, cookie, path, fields).await;
    (status, location)
}

/// A form POST's status, location and the page it answers with.
pub async fn post_form_page(
    api: &Api,
    cookie: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let res = browserless()
        .post(format!("{}{path}", api.base))
        .header("cookie", format!("pp_session={cookie}"))
        .form(fields)
        .send()
        .await
        .expect("post");
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, location, res.text().await.unwrap_or_default())
}

pub fn email_of(name: &str) -> String {
    format!("{}@resellers.example", name.to_lowercase().replace(' ', ""))
}

/// Login, the cookie, single use, expiry, tampering, the same answer for unknown addresses.
pub async fn login<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let name = format!("Portal Login {tag}");
    api.reseller(&name, &["IN"], &[], "gold", 10).await;
    let email = email_of(&name);
    // no session: to the login page
    let (s, to, _) = page(api, None, "/portal").await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/portal/login"));
    let (s, _, form) = page(api, None, "/portal/login").await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("<label for=\"email\">"), "labelled field");

    // an unknown address gets the same answer, and no mail
    let http = browserless();
    let ask = |e: &'static str| {
        http.post(format!("{}/portal/login", api.base))
            .form(&[("email", e)])
            .send()
    };
    let unknown = ask("nobody@nowhere.example").await.expect("post");
    assert_eq!(
        (
            unknown.status(),
            unknown.headers().get("location").and_then(|v| v.to_str().ok())
        ),
        (StatusCode::SEE_OTHER, Some("/portal/login?m=sent"))
    );
    api.drain_queues("sequence").await;
    assert!(sent_to("nobody@nowhere.example".into()).await.is_empty());

    // the link works once, and sets an HttpOnly, SameSite=Lax cookie for 12 hours
    let res = http
        .post(format!("{}/portal/login", api.base))
        .form(&[("email", email.to_uppercase())])
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    api.drain_queues("sequence").await;
    let link = login_link(&sent_to, &email).await;
    assert!(link.starts_with(&format!("{}/portal/auth/", api.base)), "{link}");
    let res = http.get(&link).send().await.expect("auth");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/portal")
    );
    let set = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/portal", "Max-Age=43200"] {
        assert!(set.contains(attr), "{attr} missing: {set}");
    }
    assert!(!set.contains("Secure"), "the local stack is plain HTTP: {set}");
    let cookie = cookie_of(&res).expect("cookie");
    let (s, _, home) = page(api, Some(&cookie), "/portal").await;
    assert_eq!(s, StatusCode::OK);
    assert!(home.contains(&name), "{home}");
    let again = http.get(&link).send().await.expect("again");
    assert_eq!(
        again.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/portal/login?m=invalid")
    );
    assert!(cookie_of(&again).is_none());

    // a tampered link: no session
    let mut tampered = link.clone();
    let last = tampered.pop().expect("char");
    tampered.push(if last == '0' { '1' } else { '0' });
    let res = http.get(&tampered).send().await.expect("tampered");
    assert_eq!((res.status(), cookie_of(&res)), (StatusCode::SEE_OTHER, None));

    // an expired link: 16 minutes later, no session
    ask_link(api, &email).await;
    let stale = login_link(&sent_to, &email).await;
    let later = (chrono::Utc::now() + chrono::Duration::minutes(16)).to_rfc3339();
    api.set_clock(&later).await;
    let res = http.get(&stale).send().await.expect("stale");
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/portal/login?m=invalid")
    );
    assert!(cookie_of(&res).is_none());

    // logging out needs the CSRF token, and ends the session
    let (_, _, home) = page(api, Some(&cookie), "/portal").await;
    let (s, _) = post_form(api, &cookie, "/portal/logout", &[]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, to) = post_form(api, &cookie, "/portal/logout", &[("csrf", &csrf_of(&home))]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/portal/login?m=out"));
    let (s, to, _) = page(api, Some(&cookie), "/portal").await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/portal/login"));
}

async fn ask_link(api: &Api, email: &str) {
    let res = browserless()
        .post(format!("{}/portal/login", api.base))
        .form(&[("email", email)])
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    api.drain_queues("sequence").await;
}

/// A reseller's pages: earned this month after the worked example, the board and a move (with
/// and without CSRF), and another reseller's lead refused by URL and by form.
pub async fn reseller_pages<F, Fut>(api: &Api, tag: &str, sent_to: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Vec<SentMail>>,
{
    let a_name = format!("Portal A {tag}");
    let b_name = format!("Portal B {tag}");
    let (a, _) = api.reseller(&a_name, &["IN"], &[], "gold", 10).await;
    let (b, b_key) = api.reseller(&b_name, &["IN"], &[], "gold", 10).await;
    worked_example_in_october(api, &a, &format!("portal-{tag}")).await;
    // B's lead, at R002
    let lead_b = api.scored_lead(&format!("portal-b-{tag}@example.in")).await;
    api.hand_to(&lead_b, &b).await;
    let (_, lead) = api.get_as(&format!("/leads/{lead_b}"), Some(&b_key)).await;
    assert_eq!(
        (lead["owner_reseller_id"].as_str(), lead["stage"].as_str()),
        (Some(b.as_str()), Some("R002")),
        "{lead}"
    );
    api.set_clock("2026-10-25T10:00:00+05:30").await;
    let a_cookie = log_in(api, &sent_to, &email_of(&a_name)).await;
    let b_cookie = log_in(api, &sent_to, &email_of(&b_name)).await;

    // the worked example's ₹2,90,000.00 earned this month, quarter and year
    let (s, _, home) = page(api, Some(&a_cookie), "/portal").await;
    assert_eq!(s, StatusCode::OK);
    let figure = |id: &str| {
        let at = home.find(&format!("data-testid=\"{id}\">")).expect(id);
        home[at..]
            .split('>')
            .nth(1)
            .unwrap_or("")
            .split('<')
            .next()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(figure("earned-mtd"), "₹2,90,000.00", "{home}");
    assert_eq!(figure("earned-ytd"), "₹2,90,000.00");

    // A cannot open B's lead, by URL or by form
    let (s, _, _) = page(api, Some(&a_cookie), &format!("/portal/leads/{lead_b}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, _, board_a) = page(api, Some(&a_cookie), "/portal/pipeline").await;
    assert!(!board_a.contains(&lead_b));
    let (s, _) = post_form(
        api,
        &a_cookie,
        &format!("/portal/leads/{lead_b}/move"),
        &[("csrf", &csrf_of(&board_a)), ("to", "R003")],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // nor B's ledger: the portal's pages are the session's own
    let (_, _, ledger_a) = page(api, Some(&a_cookie), "/portal/ledger?month=2026-10").await;
    assert!(ledger_a.contains("₹2,50,000.00"));
    let (_, _, ledger_b) = page(api, Some(&b_cookie), "/portal/ledger?month=2026-10").await;
    assert!(!ledger_b.contains("₹2,50,000.00"));
    // a reseller is not the admin
    let (s, _, _) = page(api, Some(&b_cookie), "/portal/admin/applications").await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // B moves its lead: without the token nothing changes; with it, the lead moves
    let (_, _, board_b) = page(api, Some(&b_cookie), "/portal/pipeline").await;
    assert!(board_b.contains(&lead_b));
    // the funnel: B's one lead is the one bar with a count
    assert!(
        board_b.contains("<title id=\"f-title\">Pipeline funnel</title>"),
        "{board_b}"
    );
    assert_eq!(board_b.matches(": 1</title></rect>").count(), 1, "{board_b}");
    let (s, _) = post_form(
        api,
        &b_cookie,
        &format!("/portal/leads/{lead_b}/move"),
        &[("to", "R003")],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = post_form(
        api,
        &b_cookie,
        &format!("/portal/leads/{lead_b}/move"),
        &[("csrf", "0".repeat(48).as_str()), ("to", "R003")],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, lead) = api.get_as(&format!("/leads/{lead_b}"), Some(&b_key)).await;
    assert_eq!(lead["stage"], "R002", "nothing changed without the token: {lead}");
    let (s, to) = post_form(
        api,
        &b_cookie,
        &format!("/portal/leads/{lead_b}/move"),
        &[("csrf", &csrf_of(&board_b)), ("to", "R003")],
    )
    .await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/portal/pipeline"));
    let (_, lead) = api.get_as(&format!("/leads/{lead_b}"), Some(&b_key)).await;
    assert_eq!(lead["stage"], "R003");
    // October's payout: A reads its own statement; B has none for that month; the admin
    // sees the month and its finance CSV, which a reseller cannot open
    crate::payouts::run_payout(api, "2026-11-01T02:30:00+05:30").await;
    // (a week later by the stack's clock: the sessions have expired; log in again)
    let (s, to, _) = page(api, Some(&a_cookie), "/portal").await;
    assert_eq!(
        (s, to.as_str()),
        (StatusCode::SEE_OTHER, "/portal/login"),
        "12 hours at most"
    );
    let a_cookie = log_in(api, &sent_to, &email_of(&a_name)).await;
    let b_cookie = log_in(api, &sent_to, &email_of(&b_name)).await;
    let (s, _, st) = page(api, Some(&a_cookie), "/portal/payouts/2026-10/statement").await;
    assert_eq!(s, StatusCode::OK, "{st}");
    assert!(st.contains("₹2,90,000.00") && st.contains(&a_name), "{st}");
    let (s, _, _) = page(api, Some(&b_cookie), "/portal/payouts/2026-10/statement").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = page(api, Some(&a_cookie), "/portal/admin/payouts/2026-10/finance.csv").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let admin = log_in(api, &sent_to, "partner-admin@partners.example").await;
    let (s, _, month) = page(api, Some(&admin), "/portal/admin/payouts?month=2026-10").await;
    assert_eq!(s, StatusCode::OK);
    assert!(month.contains(&a_name), "{month}");
    let (s, _, csv) = page(api, Some(&admin), "/portal/admin/payouts/2026-10/finance.csv").await;
    assert_eq!(s, StatusCode::OK);
    assert!(csv.starts_with(shared::payout_docs::FINANCE_CSV_HEADER) && csv.contains(&a));

    // the lead page shows its timeline with the move
    let (s, _, page_b) = page(api, Some(&b_cookie), &format!("/portal/leads/{lead_b}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page_b.contains("lead.stage_changed") || page_b.contains("R003"),
        "{page_b}"
    );
}
