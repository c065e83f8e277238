//! The one place each function's handler is assembled: its configuration read from an `Env`
//! (the process environment in a Lambda; the local stack's own values over the process
//! environment locally) and the ports it runs on. The Lambda mains (`runtime.rs`) and the
//! local stack both build every handler through these functions, so a variable a Lambda
//! reads is read the same way locally.
//!
//! Each builder takes only the ports its function uses, so a Lambda binary links only the
//! SDK clients it needs. Problems are collected in `env`; the caller calls `env.finish()`.

use crate::config::Env;
use crate::handlers::billing_api::{BillingApi, BillingApiConfig};
use crate::handlers::commission::Commission;
use crate::handlers::import::{chunk_bytes, Importer};
use crate::handlers::lead_api::{LeadApi, LeadApiConfig};
use crate::handlers::partner_api::{PartnerApi, PartnerApiConfig};
use crate::handlers::payout::{finance_email, Payout};
use crate::handlers::proposals::{Proposals, ProposalsConfig};
use crate::handlers::renewal_scan::{mail_from, RenewalScan};
use crate::handlers::sales_api::{SalesApi, SalesApiConfig};
use crate::handlers::scoring::{roster_ttl, Scoring};
use crate::handlers::sequence_sender::Sequencer;
use crate::handlers::sla_watch::{admin_email, SlaWatch};
use crate::handlers::sqs::DeadLetters;
use crate::ports::{BlobWriter, Blobs, Clock, Mailer, Queue, QueueSender, Table};
use crate::usecases::score_route::RosterCache;
use std::sync::Arc;

/// lead-capture: forms, leads, resellers, registrations, referrals, tracking.
pub fn lead_api(env: &mut Env, table: Arc<dyn Table>, queue: Arc<dyn Queue>, clock: Arc<dyn Clock>) -> LeadApi {
    LeadApi {
        table,
        queue,
        clock,
        config: LeadApiConfig::read(env),
    }
}

/// scoring: the scoring queue's consumer.
pub fn scoring(env: &mut Env, table: Arc<dyn Table>, queue: Arc<dyn Queue>, clock: Arc<dyn Clock>) -> Scoring {
    Scoring {
        table,
        queue,
        clock,
        rules: env.rules(),
        roster: RosterCache::new(roster_ttl(env)),
        sequence_queue: env.required(crate::config::env::SEQUENCE_QUEUE_URL),
    }
}

/// order-commission: billing webhooks and the money reads.
pub fn billing_api(env: &mut Env, table: Arc<dyn Table>, queue: Arc<dyn Queue>, clock: Arc<dyn Clock>) -> BillingApi {
    BillingApi {
        table,
        queue,
        clock,
        config: BillingApiConfig::read(env),
    }
}

/// commission: the commission queue's consumer; permanent failures go to its DLQ.
pub fn commission(env: &mut Env, table: Arc<dyn Table>, queue: Arc<dyn Queue>, clock: Arc<dyn Clock>) -> Commission {
    Commission {
        table,
        clock,
        rules: env.rules(),
        dead_letters: Some(DeadLetters {
            queue,
            url: env.required(crate::config::env::DEAD_LETTER_QUEUE_URL),
        }),
    }
}

/// renewal-risk-scan: the nightly scan.
pub fn renewal_scan(
    env: &mut Env,
    table: Arc<dyn Table>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
) -> RenewalScan {
    RenewalScan {
        table,
        mailer,
        clock,
        rules: env.rules(),
        mail_from: mail_from(env),
    }
}

/// monthly-payout and payout-worker: the monthly run and its per-reseller worker.
pub fn payout(
    env: &mut Env,
    table: Arc<dyn Table>,
    queue: Arc<dyn Queue>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
) -> Payout {
    Payout {
        table,
        queue,
        mailer,
        clock,
        rules: env.rules(),
        payout_queue: env.required(crate::config::env::PAYOUT_QUEUE_URL),
        finance_email: finance_email(env),
        mail_from: mail_from(env),
        platform_gstin: crate::handlers::payout::platform_gstin(env),
        hold_until_invoice: crate::handlers::payout::hold_until_invoice(env),
    }
}

/// sequence-sender: nurture emails.
pub fn sequencer(env: &mut Env, table: Arc<dyn Table>, mailer: Arc<dyn Mailer>, clock: Arc<dyn Clock>) -> Sequencer {
    let (public_base_url, tracking_secret) = Sequencer::secrets(env);
    Sequencer {
        table,
        mailer,
        clock,
        rules: env.rules(),
        mail_from: mail_from(env),
        public_base_url,
        tracking_secret,
        admin_emails: env.list(crate::config::env::ADMIN_EMAILS),
    }
}

/// prospect-import: S3 uploads and their chunks.
pub fn importer(
    env: &mut Env,
    table: Arc<dyn Table>,
    blobs: Arc<dyn Blobs>,
    queue: Arc<dyn Queue>,
    clock: Arc<dyn Clock>,
) -> Importer {
    Importer {
        table,
        blobs,
        queue,
        clock,
        scoring_queue: env.required(crate::config::env::SCORING_QUEUE_URL),
        import_queue: env.required(crate::config::env::IMPORT_QUEUE_URL),
        chunk_bytes: chunk_bytes(env),
    }
}

/// sla-watch: the SLA sweep.
pub fn sla_watch(
    env: &mut Env,
    table: Arc<dyn Table>,
    mailer: Arc<dyn Mailer>,
    queue: Arc<dyn Queue>,
    clock: Arc<dyn Clock>,
) -> SlaWatch {
    SlaWatch {
        table,
        mailer,
        queue,
        clock,
        rules: env.rules(),
        mail_from: mail_from(env),
        admin_email: admin_email(env),
        scoring_queue: env.required(crate::config::env::SCORING_QUEUE_URL),
    }
}

/// sales-api: quotes, co-selling and support tickets.
pub fn sales_api(env: &mut Env, table: Arc<dyn Table>, mailer: Arc<dyn Mailer>, clock: Arc<dyn Clock>) -> SalesApi {
    SalesApi {
        table,
        mailer,
        clock,
        config: SalesApiConfig::read(env),
    }
}

/// proposals: a quote's white-labelled proposal, kept in the bucket.
pub fn proposals(env: &mut Env, table: Arc<dyn Table>, blobs: Arc<dyn BlobWriter>) -> Proposals {
    Proposals {
        table,
        blobs,
        config: ProposalsConfig::read(env),
    }
}

/// partner-api: reseller applications and their review.
pub fn partner_api(env: &mut Env, table: Arc<dyn Table>, mailer: Arc<dyn Mailer>, clock: Arc<dyn Clock>) -> PartnerApi {
    PartnerApi {
        table,
        mailer,
        clock,
        config: PartnerApiConfig::read(env),
    }
}

/// portal: the partner portal's pages.
pub fn portal(
    env: &mut Env,
    table: Arc<dyn Table>,
    mailer: Arc<dyn Mailer>,
    queue: Arc<dyn QueueSender>,
    clock: Arc<dyn Clock>,
) -> crate::handlers::portal::Portal {
    crate::handlers::portal::Portal {
        table,
        mailer,
        queue,
        clock,
        config: crate::handlers::portal::PortalConfig::read(env),
    }
}
