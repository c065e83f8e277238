//! The middle of the funnel over HTTP (issue 12): stage moves, closed-lost and reopening,
//! admin lists and assignment, and the win rate decided deals give. Shared by both stacks.

use crate::billing::{order, payment};
use crate::flows::Api;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn actions(lead: &Value) -> Vec<String> {
    lead["audit"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["action"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn stage(api: &Api, key: Option<&str>, lead: &str, body: Value) -> (StatusCode, Value) {
    api.post_as(&format!("/leads/{lead}/stage"), key, body).await
}

/// R002 → R003 → R004 by the owner; illegal and system moves refused with what is allowed;
/// another reseller sees nothing; closed-lost needs a reason; reopening returns it to R004;
/// an admin may force (recorded); of two concurrent moves exactly one wins.
pub async fn stage_moves_and_closed_lost(api: &Api) {
    let (owner, owner_key) = api.reseller("Pune Pipeline", &["IN"], &[], "gold", 10).await;
    let (_, other_key) = api
        .reseller("Other Pipeline", &["IN-KA"], &["retail"], "registered", 10)
        .await;
    let lead = api.scored_lead("pipeline@kalyanisteels.in").await;
    let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
    assert_eq!(
        (l["stage"].as_str(), l["owner_reseller_id"].as_str()),
        (Some("R002"), Some(owner.as_str()))
    );

    let (s, b) = stage(api, Some(&owner_key), &lead, json!({"to": "R003", "note": "demo done"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!((b["stage"].as_str(), b["progress"].as_u64()), (Some("R003"), Some(30)));
    assert_eq!(b["allowed"], json!(["R004", "closed_lost"]));
    let (s, b) = stage(api, Some(&owner_key), &lead, json!({"to": "R004"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // backwards: refused, naming the moves there are
    let (s, b) = stage(api, Some(&owner_key), &lead, json!({"to": "R003"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["error"], "illegal_move");
    assert_eq!((b["from"].as_str(), b["to"].as_str()), (Some("R004"), Some("R003")));
    assert_eq!(b["allowed"], json!(["closed_lost"]));
    // billing's stage, even by an admin
    let (s, b) = api
        .admin_post(&format!("/leads/{lead}/stage"), json!({"to": "R005", "force": true}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    // another reseller's key: as if there were no such lead
    let (s, _) = stage(
        api,
        Some(&other_key),
        &lead,
        json!({"to": "closed_lost", "reason": "price"}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // a reseller may not force
    let (s, _) = stage(api, Some(&owner_key), &lead, json!({"to": "R003", "force": true})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // bad input
    let (s, b) = stage(api, Some(&owner_key), &lead, json!({"to": "closed_lost"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["field"], "reason");
    let (s, _) = stage(api, Some(&owner_key), &lead, json!({"to": "R011"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = stage(
        api,
        Some(&owner_key),
        &lead,
        json!({"to": "closed_lost", "reason": "cheaper"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = stage(api, Some(&owner_key), "01NOSUCHLEAD", json!({"to": "R003"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // lost, then no moves until reopened
    let (s, b) = stage(
        api,
        Some(&owner_key),
        &lead,
        json!({"to": "closed_lost", "reason": "competitor", "note": "went with Tally"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["closed_lost"], true);
    assert_eq!(
        (b["lost"]["reason"].as_str(), b["lost"]["stage"].as_str()),
        (Some("competitor"), Some("R004"))
    );
    let (s, _) = stage(api, Some(&owner_key), &lead, json!({"to": "R007"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, listed) = api.admin_get("/leads?stage=closed_lost").await;
    assert!(listed["leads"]
        .as_array()
        .is_some_and(|l| l.iter().any(|x| x["lead_id"] == lead.as_str())));
    let (s, b) = api
        .post_as(
            &format!("/leads/{lead}/reopen"),
            Some(&owner_key),
            json!({"note": "they came back"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        (b["stage"].as_str(), b["closed_lost"].as_bool()),
        (Some("R004"), Some(false))
    );
    let (s, _) = api
        .post_as(&format!("/leads/{lead}/reopen"), Some(&owner_key), json!({}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "only a lost lead reopens");

    // an admin forces it back a step: recorded as forced
    let (s, b) = api
        .admin_post(&format!("/leads/{lead}/stage"), json!({"to": "R003", "force": true}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
    let forced = l["audit"]
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(forced["after"]["forced"], true, "{forced}");
    assert_eq!(
        forced["actor"],
        api.admin_actor().await.as_str(),
        "the person, not a shared admin"
    );
    assert_eq!(forced["role"], "programme_admin");
    assert_eq!(
        actions(&l)
            .iter()
            .filter(|a| a.starts_with("stage.") || ["lead.closed_lost", "lead.reopened"].contains(&a.as_str()))
            .cloned()
            .collect::<Vec<_>>(),
        [
            "stage.moved",
            "stage.moved",
            "lead.closed_lost",
            "lead.reopened",
            "stage.moved"
        ]
    );

    // the trail in pages of two: the same events in the same order, then nothing more; a
    // cursor the trail did not give is refused
    assert!(l["audit_next"].is_null(), "one page held it all: {}", l["audit_next"]);
    let whole = l["audit"].as_array().cloned().unwrap_or_default();
    assert!(whole.len() > 4, "{whole:?}");
    let mut paged = Vec::new();
    let mut next = String::new();
    for page in 0.. {
        let query = if page == 0 {
            "audit_limit=2".to_string()
        } else {
            format!("audit_limit=2&audit_cursor={next}")
        };
        let (s, p) = api.admin_get(&format!("/leads/{lead}?{query}")).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        let events = p["audit"].as_array().cloned().unwrap_or_default();
        assert!(events.len() <= 2, "{events:?}");
        paged.extend(events);
        match p["audit_next"].as_str() {
            Some(c) if page < 50 => next = c.to_string(),
            _ => break,
        }
    }
    assert_eq!(paged, whole);
    let (s, b) = api.admin_get(&format!("/leads/{lead}?audit_cursor=not-a-cursor")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");

    // the board: the owner's own, in stage order; another reseller may not read it
    let (s, board) = api.get_as("/pipeline", Some(&owner_key)).await;
    assert_eq!(s, StatusCode::OK, "{board}");
    let stages: Vec<&str> = board["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .filter_map(|c| c["stage"].as_str())
        .collect();
    assert_eq!(
        stages,
        [
            "R001",
            "R002",
            "R003",
            "R004",
            "R005",
            "R006",
            "R007",
            "R008",
            "R009",
            "R010",
            "closed_lost"
        ]
    );
    assert_eq!(board["stages"][2]["count"], 1, "{board}");
    assert_eq!(board["stages"][2]["progress"], 30);
    assert_eq!(board["stages"][2]["leads"][0]["lead_id"], lead.as_str());
    let (s, _) = api
        .get_as(&format!("/pipeline?reseller_id={owner}"), Some(&other_key))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, all) = api.admin_get("/pipeline").await;
    assert_eq!((s, all["of"].as_str()), (StatusCode::OK, Some("all")));

    // two moves at once from R003: exactly one wins
    let (a, b) = tokio::join!(
        stage(api, Some(&owner_key), &lead, json!({"to": "R004"})),
        stage(api, Some(&owner_key), &lead, json!({"to": "R004"})),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{} {}", a.1, b.1);
}

/// The admin lists every lead without a filter and assigns one from the admin queue.
pub async fn admin_lists_and_assigns(api: &Api) {
    // no reseller yet: the leads go to the admin queue
    let (s, b) = api
        .post_json("/leads", json!({"email": "queue@lonelyco.de", "country": "DE"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let lead = b["lead_id"].as_str().expect("id").to_string();
    let (s, b) = api
        .post_json("/leads", json!({"email": "second@lonelyco.de", "country": "DE"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let newer = b["lead_id"].as_str().expect("id").to_string();
    api.drain().await;
    let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
    assert_eq!(l["queue"], "admin", "{l}");
    let (taker, taker_key) = api.reseller("Queue Taker", &["IN-TN"], &["retail"], "silver", 5).await;
    // every lead, newest first, paged
    let (s, all) = api.admin_get("/leads?limit=1").await;
    assert_eq!(s, StatusCode::OK, "{all}");
    assert_eq!(all["leads"][0]["lead_id"], newer.as_str());
    let cursor = all["cursor"].as_str().expect("a next page");
    let (_, page2) = api.admin_get(&format!("/leads?limit=1&cursor={cursor}")).await;
    assert_eq!(page2["leads"][0]["lead_id"], lead.as_str());
    // a reseller's unfiltered list is its own
    let (_, own) = api.get_as("/leads", Some(&taker_key)).await;
    assert_eq!(own["leads"].as_array().map(Vec::len), Some(0));

    let (s, b) = api
        .admin_post(&format!("/leads/{lead}/assign"), json!({"reseller_id": "nobody"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, b) = api
        .post_as(
            &format!("/leads/{lead}/assign"),
            Some(&taker_key),
            json!({"reseller_id": taker}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = api
        .admin_post(
            &format!("/leads/{lead}/assign"),
            json!({"reseller_id": taker, "note": "speaks German"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["owner_reseller_id"], taker.as_str());
    let (_, own) = api.get_as("/leads", Some(&taker_key)).await;
    assert_eq!(own["leads"][0]["lead_id"], lead.as_str());
    let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
    assert!(actions(&l).contains(&"lead.assigned".to_string()));
    let (_, r) = api.admin_get(&format!("/resellers/{taker}")).await;
    assert_eq!(r["open_leads"], 1);
    let (s, _) = api
        .admin_post(&format!("/leads/{lead}/assign"), json!({"reseller_id": taker}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "already its lead");
}

async fn lose(api: &Api, key: &str, lead: &str) {
    let (s, b) = stage(
        api,
        Some(key),
        lead,
        json!({"to": "closed_lost", "reason": "no_budget"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

/// A win rate as the API sends it: a decimal string, compared exactly.
fn rate(v: &Value) -> Option<Decimal> {
    v.as_str().and_then(|s| s.parse().ok())
}

fn dec(s: &str) -> Option<Decimal> {
    s.parse().ok()
}

/// 3 won and 1 lost: below the threshold, routing uses the configured rate; the fifth decided
/// deal makes the computed 0.6 the one routing uses, and the next lead goes elsewhere.
pub async fn win_rate_from_outcomes(api: &Api) {
    let (winner, winner_key) = api.reseller_with_rate("Win Rate A", "0.9").await;
    let (runner_up, _) = api.reseller_with_rate("Win Rate B", "0.7").await;
    let mut leads = Vec::new();
    for i in 0..5 {
        let lead = api.scored_lead(&format!("buyer{i}@winrate{i}.in")).await;
        let (_, l) = api.admin_get(&format!("/leads/{lead}")).await;
        assert_eq!(l["owner_reseller_id"], winner.as_str(), "0.9 beats 0.7");
        leads.push(lead);
    }
    for (i, lead) in leads.iter().take(3).enumerate() {
        let o = format!("WR-ORD-{i}");
        let (s, b) = api
            .signed("/billing/orders", &order(&o, lead, &winner, "100000.00", "20000.00"))
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
        let p = payment(
            &format!("WR-PAY-{i}"),
            &o,
            "licence",
            "100000.00",
            &chrono::Utc::now().to_rfc3339(),
        );
        let (s, b) = api.signed("/billing/payments", &p).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    }
    api.drain().await;
    lose(api, &winner_key, &leads[3]).await;
    let (_, r) = api.admin_get(&format!("/resellers/{winner}")).await;
    assert_eq!(
        (r["outcomes"]["won"].as_u64(), r["outcomes"]["lost"].as_u64()),
        (Some(3), Some(1)),
        "{r}"
    );
    assert_eq!(r["outcomes"]["applies"], false);
    assert_eq!(rate(&r["outcomes"]["win_rate"]), dec("0.75"));
    assert_eq!(
        rate(&r["win_rate"]),
        dec("0.9"),
        "the configured rate below 5 decided deals"
    );
    let sixth = api.scored_lead("buyer5@winrate5.in").await;
    let (_, l) = api.admin_get(&format!("/leads/{sixth}")).await;
    assert_eq!(l["owner_reseller_id"], winner.as_str(), "routing still ranks by 0.9");

    lose(api, &winner_key, &leads[4]).await;
    let (_, r) = api.admin_get(&format!("/resellers/{winner}")).await;
    assert_eq!(r["outcomes"]["applies"], true, "{r}");
    assert_eq!(rate(&r["win_rate"]), dec("0.6"));
    assert_eq!(rate(&r["configured_win_rate"]), dec("0.9"));
    let next = api.scored_lead("buyer6@winrate6.in").await;
    let (_, l) = api.admin_get(&format!("/leads/{next}")).await;
    assert_eq!(
        l["owner_reseller_id"],
        runner_up.as_str(),
        "0.7 now beats the computed 0.6"
    );
    // reopening a lost deal takes it out of the count
    let (s, _) = api.admin_post(&format!("/leads/{}/reopen", leads[4]), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, r) = api.admin_get(&format!("/resellers/{winner}")).await;
    assert_eq!(
        (r["outcomes"]["lost"].as_u64(), r["outcomes"]["applies"].as_bool()),
        (Some(1), Some(false))
    );
}

impl Api {
    /// A gold reseller covering India with a configured win rate.
    pub async fn reseller_with_rate(&self, name: &str, win_rate: &str) -> (String, String) {
        let (status, body) = self
            .admin_post(
                "/resellers",
                json!({"name": name, "email": format!("{}@resellers.example", name.to_lowercase().replace(' ', "")),
                       "regions": ["IN"], "industries": [], "tier": "gold", "capacity": 50, "win_rate": win_rate}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (
            body["reseller_id"].as_str().expect("id").to_string(),
            body["api_key"].as_str().expect("key").to_string(),
        )
    }
}

/// The catalogue: admin writes, resellers read; bad prices, duplicates and unknown SKUs refused.
pub async fn product_catalogue(api: &Api) {
    let (_, reseller_key) = api.reseller("Catalogue Reader", &["IN"], &[], "silver", 5).await;
    let erp = json!({"sku": "ERP-ENT", "name": "ERP Enterprise", "kind": "licence",
                     "list_price": "1000000.00", "currency": "INR", "amc_percent": "20"});
    let (s, b) = api.admin_post("/products", erp.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(
        (
            b["list_price"].as_str(),
            b["amc_percent"].as_str(),
            b["active"].as_bool()
        ),
        (Some("1000000.00"), Some("20"), Some(true))
    );
    let (s, _) = api.admin_post("/products", erp.clone()).await;
    assert_eq!(s, StatusCode::CONFLICT, "the SKU exists");
    let (s, _) = api.post_as("/products", Some(&reseller_key), erp.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "resellers only read");
    let (s, b) = api
        .admin_post(
            "/products",
            json!({"sku": "IMPL", "name": "Implementation", "kind": "services", "list_price": "1500.005"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "three decimals: {b}");
    let (s, b) = api
        .admin_post(
            "/products",
            json!({"sku": "IMPL", "name": "Implementation", "kind": "services", "list_price": "150000.00"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // replace: a price change and a deactivation
    let res = api
        .http
        .put(format!("{}/products/IMPL", api.base))
        .bearer_auth(crate::ADMIN_KEY)
        .json(&json!({"name": "Implementation", "kind": "services", "list_price": "175000.00", "active": false}))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::OK);
    let res = api
        .http
        .put(format!("{}/products/NOPE", api.base))
        .bearer_auth(crate::ADMIN_KEY)
        .json(&json!({"name": "x", "kind": "amc", "list_price": "1.00"}))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (s, all) = api.get_as("/products", Some(&reseller_key)).await;
    assert_eq!(s, StatusCode::OK);
    let skus: Vec<&str> = all["products"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["sku"].as_str())
        .collect();
    assert_eq!(skus, ["ERP-ENT", "IMPL"]);
    assert_eq!(all["products"][1]["list_price"], "175000.00");
    let (_, active) = api.get_as("/products?active=true", Some(&reseller_key)).await;
    assert_eq!(active["products"].as_array().map(Vec::len), Some(1));
    let (s, _) = api.get_as("/products", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}
