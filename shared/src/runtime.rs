//! Start-up wiring for the Lambdas: JSON logs, configuration from the environment (read once),
//! SDK clients built once outside the handler.

use crate::adapters::aws::{sdk_config, DynamoTable, SqsQueue};
use crate::config::{env, Rules};
use crate::handlers::lead_api::{LeadApi, LeadApiConfig};
use crate::handlers::scoring::{roster_ttl_from_env, Scoring};
use crate::ports::clock::SystemClock;
use crate::usecases::score_route::RosterCache;
use std::sync::Arc;

/// JSON logs, one object per line, with the current span's fields (the request id).
/// `RUST_LOG` sets the level: error, warn, info (default), debug or trace. (A plain level, not
/// an env-filter: the filter's regex engine cost start-up time and binary size.)
pub fn init_tracing() {
    let level = std::env::var("RUST_LOG")
        .ok()
        .and_then(|l| l.trim().parse::<tracing_subscriber::filter::LevelFilter>().ok())
        .unwrap_or(tracing_subscriber::filter::LevelFilter::INFO);
    let _ = tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_current_span(true)
        .with_span_list(true)
        .with_target(false)
        .without_time()
        .try_init();
}

fn required(name: &str) -> Result<String, String> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("{name} is not set"))
}

pub async fn lead_api_from_env() -> Result<Arc<LeadApi>, String> {
    let config = LeadApiConfig::from_env()?;
    let table_name = required(env::TABLE_NAME)?;
    let sdk = sdk_config().await;
    Ok(Arc::new(LeadApi {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        queue: Arc::new(SqsQueue::new(&sdk)),
        clock: Arc::new(SystemClock),
        config,
    }))
}

pub async fn scoring_from_env() -> Result<Arc<Scoring>, String> {
    let rules = Rules::from_env()?;
    let table_name = required(env::TABLE_NAME)?;
    let sequence_queue = Scoring::sequence_queue_from_env()?;
    let sdk = sdk_config().await;
    Ok(Arc::new(Scoring {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        queue: Arc::new(SqsQueue::new(&sdk)),
        clock: Arc::new(SystemClock),
        rules,
        roster: RosterCache::new(roster_ttl_from_env()),
        sequence_queue,
    }))
}

pub async fn billing_api_from_env() -> Result<Arc<crate::handlers::billing_api::BillingApi>, String> {
    let config = crate::handlers::billing_api::BillingApiConfig::from_env()?;
    let table_name = required(env::TABLE_NAME)?;
    let sdk = sdk_config().await;
    Ok(Arc::new(crate::handlers::billing_api::BillingApi {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        queue: Arc::new(SqsQueue::new(&sdk)),
        clock: Arc::new(SystemClock),
        config,
    }))
}

pub async fn commission_from_env() -> Result<Arc<crate::handlers::commission::Commission>, String> {
    let rules = Rules::from_env()?;
    let table_name = required(env::TABLE_NAME)?;
    let dead_letter_url = required(env::DEAD_LETTER_QUEUE_URL)?;
    let sdk = sdk_config().await;
    Ok(Arc::new(crate::handlers::commission::Commission {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        clock: Arc::new(SystemClock),
        rules,
        dead_letters: Some(crate::handlers::sqs::DeadLetters {
            queue: Arc::new(SqsQueue::new(&sdk)),
            url: dead_letter_url,
        }),
    }))
}

pub async fn renewal_scan_from_env() -> Result<Arc<crate::handlers::renewal_scan::RenewalScan>, String> {
    let rules = Rules::from_env()?;
    let table_name = required(env::TABLE_NAME)?;
    let sdk = sdk_config().await;
    Ok(Arc::new(crate::handlers::renewal_scan::RenewalScan {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        mailer: Arc::new(crate::adapters::aws::SesMailer::new(&sdk)),
        clock: Arc::new(SystemClock),
        rules,
        mail_from: crate::handlers::renewal_scan::mail_from_env(),
    }))
}

pub async fn payout_from_env() -> Result<Arc<crate::handlers::payout::Payout>, String> {
    let rules = Rules::from_env()?;
    let table_name = required(env::TABLE_NAME)?;
    let payout_queue = required(env::PAYOUT_QUEUE_URL)?;
    let finance_email = crate::handlers::payout::finance_email_from_env()?;
    let sdk = sdk_config().await;
    Ok(Arc::new(crate::handlers::payout::Payout {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        queue: Arc::new(SqsQueue::new(&sdk)),
        mailer: Arc::new(crate::adapters::aws::SesMailer::new(&sdk)),
        clock: Arc::new(SystemClock),
        rules,
        payout_queue,
        mail_from: crate::handlers::renewal_scan::mail_from_env(),
        finance_email,
    }))
}

pub async fn sequencer_from_env() -> Result<Arc<crate::handlers::sequence_sender::Sequencer>, String> {
    let rules = Rules::from_env()?;
    let table_name = required(env::TABLE_NAME)?;
    let (public_base_url, tracking_secret) = crate::handlers::sequence_sender::Sequencer::secrets_from_env()?;
    let sdk = sdk_config().await;
    Ok(Arc::new(crate::handlers::sequence_sender::Sequencer {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        mailer: Arc::new(crate::adapters::aws::SesMailer::new(&sdk)),
        clock: Arc::new(SystemClock),
        rules,
        mail_from: crate::handlers::renewal_scan::mail_from_env(),
        public_base_url,
        tracking_secret,
    }))
}

pub async fn importer_from_env() -> Result<Arc<crate::handlers::import::Importer>, String> {
    let table_name = required(env::TABLE_NAME)?;
    let bucket = required(env::BUCKET_NAME)?;
    let scoring_queue = required(env::SCORING_QUEUE_URL)?;
    let import_queue = required(env::IMPORT_QUEUE_URL)?;
    let chunk_bytes = crate::handlers::import::chunk_bytes_from_env()?;
    let sdk = sdk_config().await;
    Ok(Arc::new(crate::handlers::import::Importer {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        blobs: Arc::new(crate::adapters::aws::S3Blobs::new(&sdk, bucket)),
        queue: Arc::new(SqsQueue::new(&sdk)),
        clock: Arc::new(SystemClock),
        scoring_queue,
        import_queue,
        chunk_bytes,
    }))
}

pub async fn sla_watch_from_env() -> Result<Arc<crate::handlers::sla_watch::SlaWatch>, String> {
    let rules = Rules::from_env()?;
    let table_name = required(env::TABLE_NAME)?;
    let admin_email = crate::handlers::sla_watch::admin_email_from_env()?;
    let sdk = sdk_config().await;
    Ok(Arc::new(crate::handlers::sla_watch::SlaWatch {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        mailer: Arc::new(crate::adapters::aws::SesMailer::new(&sdk)),
        clock: Arc::new(SystemClock),
        rules,
        mail_from: crate::handlers::renewal_scan::mail_from_env(),
        admin_email,
    }))
}
