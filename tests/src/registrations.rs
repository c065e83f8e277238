//! Deal registration over HTTP: protection, conflicts, and two racing registrations.

use crate::flows::Api;
use reqwest::StatusCode;
use serde_json::{json, Value};

impl Api {
    pub async fn register(&self, key: &str, body: Value) -> (StatusCode, Value) {
        self.post_as("/registrations", Some(key), body).await
    }
}

fn registration(company: &str, domain: &str, email: &str) -> Value {
    json!({"company": {"name": company, "domain": domain}, "contact": {"name": "Ravi", "email": email, "title": "CFO"}, "expected_value": "1200000.00"})
}

pub async fn registration_protects_and_conflicts(api: &Api, tag: &str) {
    let (a, a_key) = api
        .reseller(&format!("Registrar A {tag}"), &["IN"], &[], "registered", 10)
        .await;
    let (b, b_key) = api
        .reseller(&format!("Registrar B {tag}"), &["IN"], &[], "platinum", 10)
        .await;
    let domain = format!("shree-{tag}.in");
    let (s, reg) = api
        .register(
            &a_key,
            registration("Shree Textile Industries Pvt. Ltd.", &domain, &format!("ravi@{domain}")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{reg}");
    let lead_id = reg["lead_id"].as_str().expect("a partner-owned lead").to_string();
    api.drain().await;
    let (_, lead) = api.admin_get(&format!("/leads/{lead_id}")).await;
    assert_eq!(
        lead["owner_reseller_id"],
        a.as_str(),
        "partner-owned, whoever ranks higher"
    );
    assert_eq!(lead["routing"]["rule"], "partner_owned");
    assert_eq!(lead["channel"], "partner_registration");
    // the same company by another reseller — by domain, or by name written differently
    let (s, body) = api
        .register(&b_key, registration("Shree Textile", &domain, "someone@gmail.com"))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["protected_until"], reg["protected_until"]);
    assert!(!body.to_string().contains(&a), "never names the other reseller");
    let (s, _) = api
        .register(
            &b_key,
            registration(
                "SHREE TEXTILE INDUSTRIES",
                &format!("other-{tag}.in"),
                &format!("x@other-{tag}.in"),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, conflicts) = api.admin_get("/registrations/conflicts").await;
    assert!(conflicts["conflicts"].as_array().is_some_and(|c| c
        .iter()
        .any(|t| t["claimed_by"] == b.as_str() && t["protected_for"] == a.as_str())));
    // each lists its own
    let (_, own) = api.get_as("/registrations", Some(&a_key)).await;
    assert_eq!(own["registrations"].as_array().map(Vec::len), Some(1));
    let (_, none) = api.get_as("/registrations", Some(&b_key)).await;
    assert_eq!(none["registrations"].as_array().map(Vec::len), Some(0));
    let (s, body) = api
        .register(&a_key, json!({"company": {"name": ""}, "contact": {"email": "bad"}}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // two resellers registering one new company at the same instant: one 201, one 409
    let race = format!("race-{tag}.in");
    let (x, y) = tokio::join!(
        api.register(&a_key, registration("Race Motors", &race, &format!("a@{race}"))),
        api.register(&b_key, registration("Race Motors", &race, &format!("b@{race}")))
    );
    let mut statuses = [x.0, y.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT], "{x:?} {y:?}");
}

/// Referral links: a click, then a lead with that code 30 days later → attributed; 91 days
/// later → not; the referrer's own domain → not a referral, the lead kept; unknown codes
/// still redirect.
impl Api {
    /// Follows a referral link as a browser would, without the redirect: the `302` answer.
    pub async fn click(&self, code: &str) -> reqwest::Response {
        let res = self
            .http
            .get(format!("{}/r/{code}", self.base))
            .send()
            .await
            .expect("click");
        assert_eq!(res.status(), StatusCode::FOUND);
        res
    }

    /// The click id a referral link's redirect hands to the landing page.
    pub async fn click_id(&self, code: &str) -> String {
        let res = self.click(code).await;
        let location = res.headers()["location"].to_str().unwrap_or("").to_string();
        location
            .split("click=")
            .nth(1)
            .and_then(|c| c.split('&').next())
            .expect("click id")
            .to_string()
    }
}

pub async fn referral_links(api: &Api, tag: &str) {
    let (referrer, _) = api
        .reseller(&format!("Referrer {tag}"), &["US"], &[], "registered", 10)
        .await;
    let (_, me) = api.admin_get(&format!("/resellers/{referrer}")).await;
    let code = me["referral_code"].as_str().expect("code").to_string();
    let click = |at: &'static str| {
        let code = code.clone();
        async move {
            api.set_clock(at).await;
            let res = api.click(&code).await;
            let cookie = res
                .headers()
                .get("set-cookie")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            assert!(cookie.contains("Max-Age=7776000"), "{cookie}");
            let location = res.headers()["location"].to_str().unwrap_or("").to_string();
            assert!(location.contains(&format!("ref={code}")), "{location}");
            location.split("click=").nth(1).expect("click id").to_string()
        }
    };
    let lead = |email: String, click_id: String, at: &'static str| {
        let code = code.clone();
        async move {
            api.set_clock(at).await;
            let (s, b) = api
                .post_json(
                    "/leads",
                    json!({"email": email, "country": "IN", "referral_code": code, "referral_click": click_id}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
            api.drain().await;
            let (_, l) = api
                .admin_get(&format!("/leads/{}", b["lead_id"].as_str().unwrap_or("")))
                .await;
            l
        }
    };
    let c1 = click("2026-09-01T10:00:00Z").await;
    let l1 = lead(format!("buyer-{tag}@custco.in"), c1, "2026-10-01T10:00:00Z").await;
    assert_eq!(l1["attribution"]["referral"], "attributed", "{l1}");
    assert_eq!(l1["owner_reseller_id"], referrer.as_str());
    assert_eq!(l1["routing"]["rule"], "referral");
    let c2 = click("2026-09-01T10:00:00Z").await;
    let l2 = lead(format!("late-{tag}@custco.in"), c2, "2026-12-01T10:00:00Z").await;
    assert_eq!(
        l2["attribution"]["referral"], "not_attributed",
        "91 days after the click"
    );
    assert_ne!(l2["routing"]["rule"], "referral");
    let c3 = click("2026-09-01T10:00:00Z").await;
    let own_domain = format!("self-{tag}@resellers.example");
    let l3 = lead(own_domain, c3, "2026-09-02T10:00:00Z").await;
    assert_eq!(l3["attribution"]["referral"], "self_referral");
    let res = api.click("NOSUCHCODE").await;
    assert!(!res.headers()["location"].to_str().unwrap_or("").contains("ref="));
    let (s, cust) = api
        .post_json(
            "/referrals/customers",
            json!({"name": "Happy Customer", "email": format!("happy-{tag}@client.in")}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let click = api.click_id(cust["referral_code"].as_str().unwrap_or("")).await;
    assert!(!click.is_empty());
}

/// Issue 10, high 2, medium 5 and low 12: public and shared domains never claim a company
/// (the registration is claimed by its name only, and says so), `expected_value` is a money
/// field, and registering a company one already holds answers with that registration.
pub async fn public_domains_values_and_own_duplicates(api: &Api, tag: &str) {
    let (_, a_key) = api
        .reseller(&format!("Squatter {tag}"), &["IN"], &[], "registered", 10)
        .await;
    let (_, b_key) = api
        .reseller(&format!("Honest {tag}"), &["IN"], &[], "registered", 10)
        .await;
    let squats = [
        "gmail.com",
        "hotmail.com",
        "yahoo.co.in",
        "in",
        "localhost",
        "a",
        "https://outlook.com/",
    ];
    for (i, domain) in squats.iter().enumerate() {
        let company = format!("Squat {i} {tag}");
        let (s, reg) = api
            .register(&a_key, registration(&company, domain, &format!("owner{i}@gmail.com")))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{domain}: {reg}");
        assert_eq!(reg["domain"], Value::Null, "{domain} claims nothing: {reg}");
        assert!(
            reg["domain_note"]
                .as_str()
                .is_some_and(|n| n.contains("claimed by its name only")),
            "{reg}"
        );
    }
    // another reseller's real customer on those providers is not blocked
    for (i, domain) in ["gmail.com", "yahoo.co.in", "outlook.com"].iter().enumerate() {
        let (s, reg) = api
            .register(
                &b_key,
                registration(&format!("Real Customer {i} {tag}"), domain, &format!("cfo{i}@{domain}")),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{domain}: {reg}");
    }
    // a URL is read for its host and claimed at its registrable domain
    let own = format!("kaveri-{tag}.co.in");
    let (s, reg) = api
        .register(
            &b_key,
            registration(
                &format!("Kaveri Agro {tag}"),
                &format!("https://www.{own}/about"),
                &format!("cfo@{own}"),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{reg}");
    assert_eq!(reg["domain"], own.as_str());
    let (s, _) = api
        .register(
            &a_key,
            registration(
                &format!("Another Name {tag}"),
                &format!("mail.{own}"),
                &format!("x@{own}"),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "the same registrable domain");

    // expected_value is a money field
    for bad in [
        json!("-5"),
        json!("NaN"),
        json!("1e30"),
        json!(""),
        json!(true),
        json!([]),
        json!({}),
        json!("1_000"),
        json!(1e30),
    ] {
        let mut body = registration(
            &format!("Valued {tag}"),
            &format!("valued-{tag}.in"),
            &format!("v@valued-{tag}.in"),
        );
        body["expected_value"] = bad.clone();
        let (s, err) = api.register(&a_key, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {err}");
        assert_eq!(err["errors"][0]["field"], "expected_value", "{bad}: {err}");
    }
    // a company name that is too long says so, and hidden characters are refused
    let mut body = registration(
        &"N".repeat(60_000),
        &format!("long-{tag}.in"),
        &format!("l@long-{tag}.in"),
    );
    let (s, err) = api.register(&a_key, body.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        err["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("at most 200"),
        "{err}"
    );
    body["company"]["name"] = json!("Evil\u{202E}Corp");
    let (s, _) = api.register(&a_key, body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // the same reseller registering a company whose name normalises to one it holds
    let mine = format!("mine-{tag}.in");
    let (s, first) = api
        .register(
            &a_key,
            registration(&format!("Mine Industries {tag}"), &mine, &format!("ceo@{mine}")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (s, again) = api
        .register(
            &a_key,
            registration(&format!("MINE INDUSTRIES PVT LTD {tag}"), &mine, &format!("cfo@{mine}")),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["registration_id"], first["registration_id"]);
    assert_eq!(again["duplicate"], true);
    let (_, conflicts) = api.admin_get("/registrations/conflicts").await;
    assert!(
        !conflicts.to_string().contains(&format!("Mine Industries {tag}")),
        "no conflict ticket against itself: {conflicts}"
    );
}

/// Issue 16 item 7: the names the referral redirect hands out (`ref`, `click`) come back
/// unchanged from a landing page — in JSON, in a form — and attribute the lead; a form with no
/// code at all is attributed from the `ref` cookie the link set.
pub async fn referral_names_round_trip(api: &Api, tag: &str) {
    let (referrer, _) = api
        .reseller(&format!("Round Trip {tag}"), &["US"], &[], "registered", 10)
        .await;
    let (_, me) = api.admin_get(&format!("/resellers/{referrer}")).await;
    let code = me["referral_code"].as_str().expect("code").to_string();
    let referrer = referrer.as_str();
    let attributed = |lead_id: String| async move {
        api.drain().await;
        let (_, l) = api.admin_get(&format!("/leads/{lead_id}")).await;
        assert_eq!(l["attribution"]["referral"], "attributed", "{l}");
        assert_eq!(l["owner_reseller_id"], referrer, "{l}");
    };
    // JSON with the redirect's names
    let click = api.click_id(&code).await;
    let (s, b) = api
        .post_json(
            "/leads",
            json!({"email": format!("json-{tag}@buyer.in"), "country": "IN", "ref": code, "click": click}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    attributed(b["lead_id"].as_str().expect("lead").to_string()).await;
    // a landing page's form forwarding its query string as hidden fields (the local stack's
    // demo landing page does exactly that)
    let res = api.click(&code).await;
    let landing = res.headers()["location"].to_str().unwrap_or("").to_string();
    let click = landing
        .split("click=")
        .nth(1)
        .and_then(|c| c.split('&').next())
        .expect("click id")
        .to_string();
    let form = api.http.get(&landing).send().await.expect("landing page");
    let form = form.text().await.unwrap_or_default();
    assert!(form.contains(&format!("name=\"ref\" value=\"{code}\"")), "{form}");
    assert!(form.contains(&format!("name=\"click\" value=\"{click}\"")), "{form}");
    let email = format!("form-{tag}@buyer.in");
    let res = api
        .http
        .post(format!("{}/leads", api.base))
        .header("accept", "application/json")
        .form(&[
            ("email", email.as_str()),
            ("country", "IN"),
            ("ref", &code),
            ("click", &click),
        ])
        .send()
        .await
        .expect("form");
    assert_eq!(res.status(), StatusCode::CREATED);
    let b: Value = res.json().await.expect("json");
    attributed(b["lead_id"].as_str().expect("lead").to_string()).await;
    // no code in the form: the link's cookie attributes it
    let res = api.click(&code).await;
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("the ref cookie")
        .to_string();
    let res = api
        .http
        .post(format!("{}/leads", api.base))
        .header("cookie", format!("other=1; {cookie}"))
        .json(&json!({"email": format!("cookie-{tag}@buyer.in"), "country": "IN"}))
        .send()
        .await
        .expect("cookie lead");
    assert_eq!(res.status(), StatusCode::CREATED);
    let b: Value = res.json().await.expect("json");
    attributed(b["lead_id"].as_str().expect("lead").to_string()).await;
    // a cookie naming a click that never happened attributes nothing
    let res = api
        .http
        .post(format!("{}/leads", api.base))
        .header("cookie", format!("ref={code}.NOSUCHCLICK"))
        .json(&json!({"email": format!("forged-{tag}@buyer.in"), "country": "IN"}))
        .send()
        .await
        .expect("forged");
    let b: Value = res.json().await.expect("json");
    api.drain().await;
    let (_, l) = api
        .admin_get(&format!("/leads/{}", b["lead_id"].as_str().unwrap_or("")))
        .await;
    assert_eq!(l["attribution"]["referral"], "not_attributed", "{l}");
}
