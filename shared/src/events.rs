//! Versioned event envelopes carried between steps over SQS.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const LEAD_CAPTURED: &str = "lead.captured";
pub const LEAD_QUALIFIED: &str = "lead.qualified";
pub const LEAD_ENGAGED: &str = "lead.engaged";

/// Everything the platform puts on its queues, tagged by `type` with its `payload` (the wire
/// form every consumer and the local stack's `/_local/queues` speak). A message of a type not
/// listed here cannot be read: it is a permanent failure, moved aside.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum Event {
    /// a new lead, to be scored and routed
    #[serde(rename = "lead.captured")]
    LeadCaptured(LeadCaptured),
    /// a scored and routed lead, for its sequences
    #[serde(rename = "lead.qualified")]
    LeadQualified(LeadQualified),
    /// an open, click, reply or webinar, to be scored
    #[serde(rename = "lead.engaged")]
    LeadEngaged(LeadEngaged),
    /// a payment recorded, for the commission step
    #[serde(rename = "payment.received")]
    PaymentReceived(PaymentReceived),
    /// a refund recorded, for the commission step
    #[serde(rename = "refund.received")]
    RefundReceived(RefundReceived),
    /// one payee's month, for the payout worker
    #[serde(rename = "payout.requested")]
    PayoutRequested(PayoutRequested),
    /// a byte range of a prospect list, for the importer
    #[serde(rename = "import.chunk")]
    ImportChunk(crate::domain::prospects::Chunk),
    /// someone asked the portal for a login link: the sequence sender mails one if the address
    /// belongs to someone (the portal answers the same, in the same time, either way)
    #[serde(rename = "portal.login_requested")]
    LoginRequested(LoginRequested),
}

impl Event {
    /// The `type` it travels under.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::LeadCaptured(_) => LEAD_CAPTURED,
            Event::LeadQualified(_) => LEAD_QUALIFIED,
            Event::LeadEngaged(_) => LEAD_ENGAGED,
            Event::PaymentReceived(_) => PAYMENT_RECEIVED,
            Event::RefundReceived(_) => REFUND_RECEIVED,
            Event::PayoutRequested(_) => PAYOUT_REQUESTED,
            Event::ImportChunk(_) => IMPORT_CHUNK,
            Event::LoginRequested(_) => LOGIN_REQUESTED,
        }
    }
}

pub const PAYMENT_RECEIVED: &str = "payment.received";
pub const REFUND_RECEIVED: &str = "refund.received";
pub const PAYOUT_REQUESTED: &str = "payout.requested";
pub const IMPORT_CHUNK: &str = "import.chunk";
pub const LOGIN_REQUESTED: &str = "portal.login_requested";

/// An event with its id (for deduplication), time, correlation id and schema version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    #[serde(flatten)]
    pub event: Event,
    pub version: u32,
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    pub correlation_id: String,
}

impl Envelope {
    pub fn new(event: Event, id: String, occurred_at: DateTime<Utc>, correlation_id: &str) -> Envelope {
        Envelope {
            event,
            version: 1,
            id,
            occurred_at,
            correlation_id: correlation_id.to_string(),
        }
    }

    /// The `type` it travels under.
    pub fn kind(&self) -> &'static str {
        self.event.kind()
    }

    /// A new lead for scoring (one id per lead, so that scoring recognises redeliveries).
    pub fn lead_captured(lead_id: &str, occurred_at: DateTime<Utc>, correlation_id: &str) -> Envelope {
        Envelope::new(
            Event::LeadCaptured(LeadCaptured {
                lead_id: lead_id.to_string(),
            }),
            format!("captured-{lead_id}"),
            occurred_at,
            correlation_id,
        )
    }

    /// As the JSON text a queue carries.
    pub fn to_body(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadCaptured {
    pub lead_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadQualified {
    pub lead_id: String,
    /// what the consumer may read again from the lead itself (the sequencer does)
    #[serde(default)]
    pub band: String,
    #[serde(default)]
    pub score: u32,
    #[serde(default)]
    pub owner_reseller_id: Option<String>,
    #[serde(default)]
    pub queue: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadEngaged {
    pub lead_id: String,
    /// open | click | reply | webinar
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentReceived {
    pub payment_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundReceived {
    pub refund_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginRequested {
    /// the address as typed (trimmed, lower-cased); never logged
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayoutRequested {
    pub payee: String,
    pub month: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_travel_tagged_by_type_with_their_payload() {
        let e = Envelope::new(
            Event::PaymentReceived(PaymentReceived {
                payment_id: "PAY-1".into(),
            }),
            "payment.received-PAY-1".into(),
            DateTime::<Utc>::MIN_UTC,
            "PAY-1",
        );
        let wire: serde_json::Value = serde_json::to_value(&e).unwrap_or_default();
        assert_eq!(wire["type"], "payment.received");
        assert_eq!(wire["payload"]["payment_id"], "PAY-1");
        assert_eq!(wire["version"], 1);
        let back: Envelope = serde_json::from_value(wire).expect("reads back");
        assert_eq!(back, e);
        let unknown = r#"{"type":"lead.teleported","payload":{},"version":1,"id":"x","occurred_at":"2026-11-02T10:00:00Z","correlation_id":"c"}"#;
        assert!(
            serde_json::from_str::<Envelope>(unknown).is_err(),
            "an unknown type is not an event"
        );
        let missing = r#"{"type":"payment.received","payload":{},"version":1,"id":"x","occurred_at":"2026-11-02T10:00:00Z","correlation_id":"c"}"#;
        assert!(
            serde_json::from_str::<Envelope>(missing).is_err(),
            "a payload without its fields is not an event"
        );
    }
}
