//! Whole flows driven over HTTP, shared by the embedded and the AWS-backed stacks.

use crate::{base, client, ADMIN_KEY};
use local_stack::Running;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn of(r: &Running) -> Api {
        Api {
            base: base(r),
            http: client(),
        }
    }

    /// POSTs JSON, with a bearer key when given.
    pub async fn post_as(&self, path: &str, key: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.post_as(path, None, body).await
    }

    pub async fn admin_post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.post_as(path, Some(ADMIN_KEY), body).await
    }

    pub async fn get_as(&self, path: &str, key: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn admin_get(&self, path: &str) -> (StatusCode, Value) {
        self.get_as(path, Some(ADMIN_KEY)).await
    }

    /// DELETEs with a bearer key.
    pub async fn delete_as(&self, path: &str, key: &str) -> (StatusCode, Value) {
        let res = self
            .http
            .delete(format!("{}{path}", self.base))
            .bearer_auth(key)
            .send()
            .await
            .expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// How the audit trail names the programme admin whose key `ADMIN_KEY` is (`staff:<id>`).
    pub async fn admin_actor(&self) -> String {
        let (_, keys) = self.get_as("/staff", Some(ADMIN_KEY)).await;
        let first = keys["staff"]
            .as_array()
            .and_then(|s| s.iter().find(|p| p["created_by"] == "system:admin-emails"))
            .and_then(|p| p["staff_id"].as_str())
            .unwrap_or_else(|| panic!("the first programme admin in {keys}"))
            .to_string();
        format!("staff:{first}")
    }

    /// Makes `lead` the reseller's: by hand (`200`) unless routing already gave it to that
    /// reseller; either way it is then the reseller's.
    pub async fn hand_to(&self, lead: &str, reseller: &str) {
        let (_, before) = self.admin_get(&format!("/leads/{lead}")).await;
        if before["owner_reseller_id"].as_str() != Some(reseller) {
            let (s, b) = self
                .admin_post(&format!("/leads/{lead}/assign"), json!({ "reseller_id": reseller }))
                .await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }
        let (_, after) = self.admin_get(&format!("/leads/{lead}")).await;
        assert_eq!(after["owner_reseller_id"].as_str(), Some(reseller), "{after}");
    }

    /// Runs a scheduled job of the local stack at `now`; its report.
    pub async fn run_job(&self, name: &str, now: &str) -> Value {
        let res = self
            .http
            .post(format!("{}/_local/jobs/{name}", self.base))
            .json(&json!({ "now": now }))
            .send()
            .await
            .expect("job");
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.expect("json");
        body["report"].clone()
    }

    /// Puts an event on one of the stack's queues directly (as a redelivery, or a message
    /// written past the API, would arrive).
    pub async fn deliver(&self, queue: &str, event: shared::events::Event, id: &str) {
        let e = shared::events::Envelope::new(event.clone(), format!("{}-{id}", event.kind()), chrono::Utc::now(), id);
        let res = self
            .http
            .post(format!("{}/_local/queues/{queue}", self.base))
            .body(e.to_body().expect("envelope"))
            .send()
            .await
            .expect("enqueue");
        assert_eq!(res.status(), StatusCode::ACCEPTED);
    }

    pub async fn drain(&self) {
        self.drain_queues("").await
    }

    /// Waits for the named queues only (comma-separated; all when empty).
    pub async fn drain_queues(&self, queues: &str) {
        let query = if queues.is_empty() {
            String::new()
        } else {
            format!("?queues={queues}")
        };
        let res = self
            .http
            .post(format!("{}/_local/drain{query}", self.base))
            .send()
            .await
            .expect("drain");
        assert_eq!(res.status(), StatusCode::OK, "queues did not drain");
    }

    pub async fn reseller(
        &self,
        name: &str,
        regions: &[&str],
        industries: &[&str],
        tier: &str,
        capacity: u32,
    ) -> (String, String) {
        let (status, body) = self
            .admin_post(
                "/resellers",
                json!({"name": name, "email": format!("{}@resellers.example", name.to_lowercase().replace(' ', "")),
                       "regions": regions, "industries": industries, "tier": tier, "capacity": capacity}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (
            body["reseller_id"].as_str().expect("id").to_string(),
            body["api_key"].as_str().expect("key").to_string(),
        )
    }
}

/// A website lead becomes a scored, categorised, routed ticket at R002 with its audit trail.
pub async fn capture_score_route(api: &Api) {
    let (mumbai, mumbai_key) = api
        .reseller("Mumbai ERP", &["IN-MH"], &["manufacturing"], "gold", 10)
        .await;
    let (other, other_key) = api
        .reseller("Delhi Cloud", &["IN-DL"], &["retail"], "platinum", 10)
        .await;
    let (status, created) = api
        .post_json(
            "/leads",
            json!({"email": "Priya@ShreeTextiles.in", "name": "प्रिया 🚀", "company": "Shree Textile Industries",
                   "title": "CEO", "country": "India", "state": "Maharashtra", "employees": "120",
                   "budget": "₹5L+", "timeline": "next quarter", "utm_source": "google", "campaign": "diwali"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["lead_id"].as_str().expect("lead_id").to_string();
    api.drain().await;
    let (status, lead) = api.admin_get(&format!("/leads/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(lead["stage"], "R002");
    assert_eq!(lead["progress"], 15);
    assert_eq!(lead["score"], 75);
    assert_eq!(lead["band"], "hot");
    assert_eq!(lead["name"], "प्रिया 🚀");
    assert_eq!(lead["channel"], "website");
    assert_eq!(lead["attribution"]["utm_source"], "google");
    let factors: Vec<&str> = lead["score_reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r["factor"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(factors, ["budget", "timeline", "authority", "engagement"]);
    assert!(lead["score_reasons"][0]["evidence"]
        .as_str()
        .unwrap_or("")
        .contains("₹5,00,000"));
    assert_eq!(lead["category"]["erp_size"], "mid");
    assert_eq!(lead["category"]["industry"], "manufacturing");
    assert_eq!(lead["owner_reseller_id"], mumbai.as_str());
    assert_eq!(lead["routing"]["rule"], "platform");
    assert_eq!(lead["routing"]["match_level"], "region+industry");
    assert_eq!(lead["routing"]["candidates"].as_array().map(Vec::len), Some(2));
    let actions: Vec<&str> = lead["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(actions, ["lead.captured", "lead.qualified"]);
    // the owner sees it with its own key; another reseller cannot
    assert_eq!(
        api.get_as(&format!("/leads/{id}"), Some(&mumbai_key)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        api.get_as(&format!("/leads/{id}"), Some(&other_key)).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, own) = api.get_as("/leads", Some(&mumbai_key)).await;
    assert_eq!(own["leads"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        api.get_as(&format!("/leads?owner={mumbai}"), Some(&other_key)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api.get_as(&format!("/resellers/{mumbai}"), Some(&other_key)).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, me) = api.get_as(&format!("/resellers/{other}"), Some(&other_key)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(me.get("api_key").is_none(), "the key is shown once, at creation");
    let (_, mumbai_now) = api.admin_get(&format!("/resellers/{mumbai}")).await;
    assert_eq!(mumbai_now["open_leads"], 1);
    // listing by email (any case), stage and owner finds it
    for q in [
        "email=priya@shreetextiles.in",
        "stage=R002",
        &format!("owner={mumbai}"),
        &format!("email=PRIYA@shreetextiles.in&stage=R002&owner={mumbai}"),
    ] {
        let (status, list) = api.admin_get(&format!("/leads?{q}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list["leads"][0]["lead_id"], id.as_str(), "{q}");
        assert!(list["leads"][0]["audit"].is_array());
    }
    let (_, none) = api.admin_get("/leads?stage=R001").await;
    assert_eq!(none["leads"].as_array().map(Vec::len), Some(0));
}

/// Duplicates name the open lead; an Idempotency-Key replays; two racing posts make one lead.
pub async fn duplicates_idempotency_and_races(api: &Api) {
    let body = json!({"email": "dup@acme-retail.in", "name": "Dup"});
    let (s1, first) = api.post_json("/leads", body.clone()).await;
    assert_eq!(s1, StatusCode::CREATED);
    let id = first["lead_id"].as_str().expect("id").to_string();
    let (s2, second) = api.post_json("/leads", json!({"email": "DUP@acme-retail.in"})).await;
    assert_eq!(s2, StatusCode::OK);
    assert_eq!(second["lead_id"], id.as_str());
    assert_eq!(second["duplicate"], true);
    let (_, lead) = api.admin_get(&format!("/leads/{id}")).await;
    let actions: Vec<&str> = lead["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    assert!(actions.contains(&"lead.resubmitted"), "{actions:?}");

    let post_with_key = |key: &'static str, body: Value| {
        let http = api.http.clone();
        let url = format!("{}/leads", api.base);
        async move {
            let res = http
                .post(url)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .expect("request");
            let s = res.status();
            (s, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (s, a) = post_with_key("form-123", json!({"email": "idem@example.in"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, b) = post_with_key("form-123", json!({"email": "idem@example.in"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(a["lead_id"], b["lead_id"]);
    let (s, _) = post_with_key("form-123", json!({"email": "other@example.in"})).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // the same email posted at the same instant, many times: exactly one lead
    let posts = (0..8).map(|_| api.post_json("/leads", json!({"email": "race@example.in"})));
    let results = futures::future::join_all(posts).await;
    let created = results.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    assert_eq!(created, 1, "{results:?}");
    let ids: std::collections::HashSet<String> = results
        .iter()
        .map(|(_, b)| b["lead_id"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(ids.len(), 1, "every answer names the one lead: {results:?}");
    let (_, list) = api.admin_get("/leads?email=race@example.in").await;
    assert_eq!(list["leads"].as_array().map(Vec::len), Some(1), "{list}");
}

/// Resellers all at capacity: the lead goes to the admin queue, not lost.
pub async fn capacity_overflow_goes_to_admin_queue(api: &Api) {
    let (only, _) = api.reseller("Tiny Partner", &["IN"], &[], "gold", 1).await;
    let (_, a) = api
        .post_json("/leads", json!({"email": "first@example.in", "country": "IN"}))
        .await;
    api.drain().await;
    let (_, b) = api
        .post_json("/leads", json!({"email": "second@example.in", "country": "IN"}))
        .await;
    api.drain().await;
    let (_, first) = api
        .admin_get(&format!("/leads/{}", a["lead_id"].as_str().unwrap_or("")))
        .await;
    assert_eq!(first["owner_reseller_id"], only.as_str());
    let (_, second) = api
        .admin_get(&format!("/leads/{}", b["lead_id"].as_str().unwrap_or("")))
        .await;
    assert_eq!(second["stage"], "R002");
    assert_eq!(second["owner_reseller_id"], Value::Null);
    assert_eq!(second["queue"], "admin");
    assert_eq!(second["routing"]["rule"], "admin_queue");
    assert!(second["routing"]["candidates"][0]["note"]
        .as_str()
        .unwrap_or("")
        .contains("at capacity"));
    let (_, queue) = api.admin_get("/leads?owner=admin").await;
    assert_eq!(queue["leads"][0]["lead_id"], b["lead_id"]);
}
