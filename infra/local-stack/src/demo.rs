//! Demo resellers for a first run, so that a newcomer sees leads routed straight away.

use serde_json::Value;
use shared::ports::{Clock, Table};
use shared::usecases::resellers::active_resellers;
use shared::usecases::resellers::{self, NewReseller};

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

/// The first demo reseller's team beyond its owner (a manager and a rep, the rep given the
/// reseller's first lead when there is one) and two of the vendor's staff (finance, and a
/// channel manager looking after that reseller): whom to sign in as, with their roles.
pub async fn seed_people(
    api: &shared::handlers::partner_api::PartnerApi,
    reseller_id: &str,
) -> Result<Vec<(String, &'static str)>, String> {
    use shared::domain::people::{StaffIn, UserIn};
    use shared::usecases::people;
    let by = shared::access::Principal::system("demo");
    let ports = api.people_ports();
    let mut out = Vec::new();
    for (email, name, role) in [
        ("priya@mumbai-erp.example", "Priya Kulkarni", "manager"),
        ("arjun@mumbai-erp.example", "Arjun Shah", "rep"),
    ] {
        let input = UserIn {
            email: Some(email.into()),
            name: Some(name.into()),
            role: Some(role.into()),
        };
        people::invite(&ports, &by, reseller_id, &input)
            .await
            .map_err(|e| e.to_string())?;
        out.push((email.to_string(), if role == "rep" { "rep" } else { "manager" }));
    }
    let mut cm = None;
    for (email, name, role) in [
        ("farah@partners.example", "Farah Khan", "finance"),
        ("chandra@partners.example", "Chandra Rao", "channel_manager"),
    ] {
        let input = StaffIn {
            email: Some(email.into()),
            name: Some(name.into()),
            roles: Some(vec![role.into()]),
        };
        let s = people::create_staff(&ports, &by, &input)
            .await
            .map_err(|e| e.to_string())?;
        if role == "channel_manager" {
            cm = Some(s.staff_id);
        }
        out.push((
            email.to_string(),
            if role == "finance" {
                "finance"
            } else {
                "channel manager"
            },
        ));
    }
    people::set_channel_manager(ports.table, ports.clock, &by, reseller_id, cm.as_deref())
        .await
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// One pending reseller application, for the admin's review queue (through the real
/// submission code: the applicant's confirmation lands in the outbox). Its id.
pub async fn seed_application(api: &shared::handlers::partner_api::PartnerApi) -> Result<String, String> {
    let fields = serde_json::json!({
        "company": {"name": "Nagpur Digital Systems", "website": "https://nagpur-digital.example", "pan": "AABCN1234D"},
        "contact": {"name": "Rohit Deshmukh", "email": "rohit@nagpur-digital.example", "phone": "+91 98220 00000"},
        "regions": ["IN-MH"], "industries": ["manufacturing", "distribution"], "languages": ["English", "Marathi", "Hindi"],
        "expected_annual_revenue": "3500000.00", "products": ["ERP", "AI assistants"],
        "message": "We implement ERP for 30 SMEs around Nagpur and want to resell."
    });
    let input = shared::domain::application::validate(fields.as_object().ok_or("not an object")?, &[])
        .map_err(|e| format!("{e:?}"))?;
    let a = shared::usecases::applications::submit(&api.application_ports(), input)
        .await
        .map_err(|e| e.to_string())?;
    Ok(a.application_id)
}

/// Writes `total` contracts, `in_window` of them renewing within 60 days of `now` and the rest
/// later in the year (for the scan's tests and benchmark).
pub async fn seed_contracts(
    table: &dyn shared::ports::Table,
    now: chrono::DateTime<chrono::Utc>,
    total: usize,
    in_window: usize,
) {
    use shared::usecases::commission::Contract;
    let mut items = Vec::with_capacity(total);
    for i in 0..total {
        let days = if i < in_window {
            (i % 60) as i64
        } else {
            61 + (i % 300) as i64
        };
        let renewal = now + chrono::Duration::days(days);
        let c = Contract {
            contract_id: format!("C{i:07}"),
            order_id: format!("O{i:07}"),
            lead_id: format!("L{i:07}"),
            reseller_id: format!("R{}", i % 100),
            customer: shared::domain::billing::Customer {
                name: format!("Customer {i}"),
                domain: None,
            },
            amc_amount: rust_decimal::Decimal::from(200_000),
            currency: "INR".into(),
            start: renewal - chrono::Duration::days(365),
            renewal_date: renewal,
            signals: Default::default(),
            risk: None,
            version: 1,
        };
        items.push(shared::repo::item(&c).expect("item"));
    }
    table.batch_put(items).await.expect("seed");
}
