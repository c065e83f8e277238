//! Sequences over HTTP through the local stack: enrolment, business hours, the hot alert,
//! tracking, unsubscribe and bounces.

use crate::flows::Api;
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::adapters::embedded::SentMail;

impl Api {
    pub async fn set_clock(&self, now: &str) {
        let res = self
            .http
            .post(format!("{}/_local/clock", self.base))
            .json(&json!({ "now": now }))
            .send()
            .await
            .expect("clock");
        assert_eq!(res.status(), StatusCode::OK);
    }

    pub async fn run_sequences(&self, now: &str) -> Value {
        let res = self
            .http
            .post(format!("{}/_local/jobs/sequence-sender", self.base))
            .json(&json!({ "now": now }))
            .send()
            .await
            .expect("job");
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.expect("json");
        body["report"].clone()
    }

    pub async fn queue_message(&self, stack: &local_stack::Running, queue: &str, body: String) {
        stack.stack.queue.send(queue, body).await.expect("send");
    }
}

/// The links of a mail's HTML part that point at `prefix` (tracking, unsubscribe).
pub fn links(mail: &SentMail, prefix: &str) -> Vec<String> {
    mail.html
        .split("\"")
        .filter(|s| s.contains(prefix))
        .map(str::to_string)
        .collect()
}

pub fn header<'a>(mail: &'a SentMail, name: &str) -> Option<&'a str> {
    mail.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}
