//! Issue 16 item 5: a message that can never be handled — not an event, or naming a payment
//! that does not exist — is moved to the dead-letter queue at once (not retried until the
//! redrive policy gives up); the documented redrive puts the dead letters back, and what can
//! now be handled is, once.

use crate::billing::{order, payment};
use crate::flows::Api;
use reqwest::StatusCode;
use serde_json::Value;

async fn dead_letters(api: &Api, queue: &str) -> u64 {
    let res = api
        .http
        .get(format!("{}/_local/queues", api.base))
        .send()
        .await
        .expect("queues");
    let body: Value = res.json().await.expect("json");
    body["depths"][format!("{queue}-dlq")]
        .as_u64()
        .unwrap_or_else(|| panic!("no {queue}-dlq depth in {body}"))
}

pub async fn poison_is_moved_aside_and_redriven(api: &Api, tag: &str) {
    let before = dead_letters(api, "commission").await;
    let res = api
        .http
        .post(format!("{}/_local/queues/commission", api.base))
        .body("this is not an event")
        .send()
        .await
        .expect("enqueue");
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let pay_id = format!("PAY-POISON-{tag}");
    let event = shared::events::Event::PaymentReceived(shared::events::PaymentReceived {
        payment_id: pay_id.clone(),
    });
    api.deliver("commission", event, &format!("poison-{tag}")).await;
    api.drain().await;
    assert_eq!(
        dead_letters(api, "commission").await,
        before + 2,
        "both moved aside at their first attempt"
    );

    // the payment arrives for real: handled as usual
    let (closer, _) = api.reseller(&format!("Poison {tag}"), &["IN"], &[], "gold", 10).await;
    let lead = api.scored_lead(&format!("poison-{tag}@example.in")).await;
    let order_id = format!("ORD-POISON-{tag}");
    assert_eq!(
        api.signed("/billing/orders", &order(&order_id, &lead, &closer, "100000", "20000"))
            .await
            .0,
        StatusCode::ACCEPTED
    );
    let p = payment(&pay_id, &order_id, "licence", "100000", "2026-10-05T10:00:00Z");
    assert_eq!(api.signed("/billing/payments", &p).await.0, StatusCode::ACCEPTED);
    api.drain().await;
    let entries = |l: &Value| l["entries"].as_array().map(Vec::len).unwrap_or(0);
    let ledger = api.ledger(&closer, "2026-10").await;
    assert!(entries(&ledger) > 0, "{ledger}");

    // the redrive puts both back: the event is now a duplicate (nothing more is earned), the
    // garbage goes straight back to the dead letters
    let res = api
        .http
        .post(format!("{}/_local/queues/commission/redrive", api.base))
        .send()
        .await
        .expect("redrive");
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["moved"].as_u64(), Some(before + 2), "{body}");
    api.drain().await;
    assert_eq!(
        dead_letters(api, "commission").await,
        1,
        "only the garbage is dead again"
    );
    assert_eq!(entries(&api.ledger(&closer, "2026-10").await), entries(&ledger));
    let res = api
        .http
        .post(format!("{}/_local/queues/nosuchqueue/redrive", api.base))
        .send()
        .await
        .expect("unknown");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
