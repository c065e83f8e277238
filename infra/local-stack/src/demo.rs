//! Demo resellers for a first run, so that a newcomer sees leads routed straight away.

use serde_json::Value;
use shared::ports::{Clock, Table};
use shared::usecases::resellers::{self, NewReseller};
use shared::usecases::score_route::active_resellers;

fn new(name: &str, email: &str, regions: &[&str], industries: &[&str], tier: &str, win_rate: &str) -> NewReseller {
    NewReseller {
        name: Some(name.into()),
        email: Some(email.into()),
        regions: regions.iter().map(|s| s.to_string()).collect(),
        industries: industries.iter().map(|s| s.to_string()).collect(),
        tier: Some(tier.into()),
        capacity: Some(25),
        status: Some("active".into()),
        win_rate: Some(Value::String(win_rate.into())),
        plan: None,
        parent_reseller_id: None,
    }
}

/// Seeds three resellers unless some exist; returns (id, name, api key) of those created.
pub async fn seed(table: &dyn Table, clock: &dyn Clock) -> Result<Vec<(String, String, String)>, String> {
    if !active_resellers(table).await.map_err(|e| e.to_string())?.is_empty() {
        return Ok(vec![]);
    }
    let demo = [
        new(
            "Mumbai ERP Partners",
            "sales@mumbai-erp.example",
            &["IN-MH", "IN-GJ"],
            &["manufacturing", "distribution"],
            "gold",
            "0.35",
        ),
        new(
            "Bengaluru Cloud Resellers",
            "hello@blr-cloud.example",
            &["IN-KA", "IN-TN"],
            &["services", "retail"],
            "silver",
            "0.28",
        ),
        new(
            "Pan-India AI Solutions",
            "team@panindia-ai.example",
            &["IN"],
            &[],
            "registered",
            "0.20",
        ),
    ];
    let mut out = Vec::new();
    for d in &demo {
        let (r, key) = resellers::create(table, clock, d).await.map_err(|e| e.to_string())?;
        out.push((r.reseller_id, r.name, key));
    }
    Ok(out)
}
