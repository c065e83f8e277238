//! Start-up wiring for the Lambdas: JSON logs, configuration from the environment (read once,
//! through one `config::Env`, every missing or invalid variable reported together), SDK
//! clients built once outside the handler.

use crate::adapters::aws::{sdk_config, DynamoTable, SqsQueue};
use crate::config::{env, ConfigError, Env};
use crate::handlers::lead_api::{LeadApi, LeadApiConfig};
use crate::handlers::renewal_scan::mail_from;
use crate::handlers::scoring::{roster_ttl, Scoring};
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

pub async fn lead_api_from_env() -> Result<Arc<LeadApi>, ConfigError> {
    let mut env = Env::process();
    let config = LeadApiConfig::read(&mut env);
    let table_name = env.required(env::TABLE_NAME);
    env.finish()?;
    let sdk = sdk_config().await;
    Ok(Arc::new(LeadApi {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        queue: Arc::new(SqsQueue::new(&sdk)),
        clock: Arc::new(SystemClock),
        config,
    }))
}

pub async fn scoring_from_env() -> Result<Arc<Scoring>, ConfigError> {
    let mut env = Env::process();
    let rules = env.rules();
    let table_name = env.required(env::TABLE_NAME);
    let sequence_queue = env.required(env::SEQUENCE_QUEUE_URL);
    let ttl = roster_ttl(&mut env);
    env.finish()?;
    let sdk = sdk_config().await;
    Ok(Arc::new(Scoring {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        queue: Arc::new(SqsQueue::new(&sdk)),
        clock: Arc::new(SystemClock),
        rules,
        roster: RosterCache::new(ttl),
        sequence_queue,
    }))
}

pub async fn billing_api_from_env() -> Result<Arc<crate::handlers::billing_api::BillingApi>, ConfigError> {
    let mut env = Env::process();
    let config = crate::handlers::billing_api::BillingApiConfig::read(&mut env);
    let table_name = env.required(env::TABLE_NAME);
    env.finish()?;
    let sdk = sdk_config().await;
    Ok(Arc::new(crate::handlers::billing_api::BillingApi {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        queue: Arc::new(SqsQueue::new(&sdk)),
        clock: Arc::new(SystemClock),
        config,
    }))
}

pub async fn commission_from_env() -> Result<Arc<crate::handlers::commission::Commission>, ConfigError> {
    let mut env = Env::process();
    let rules = env.rules();
    let table_name = env.required(env::TABLE_NAME);
    let dead_letter_url = env.required(env::DEAD_LETTER_QUEUE_URL);
    env.finish()?;
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

pub async fn renewal_scan_from_env() -> Result<Arc<crate::handlers::renewal_scan::RenewalScan>, ConfigError> {
    let mut env = Env::process();
    let rules = env.rules();
    let table_name = env.required(env::TABLE_NAME);
    let mail_from = mail_from(&mut env);
    env.finish()?;
    let sdk = sdk_config().await;
    Ok(Arc::new(crate::handlers::renewal_scan::RenewalScan {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        mailer: Arc::new(crate::adapters::aws::SesMailer::new(&sdk)),
        clock: Arc::new(SystemClock),
        rules,
        mail_from,
    }))
}

pub async fn payout_from_env() -> Result<Arc<crate::handlers::payout::Payout>, ConfigError> {
    let mut env = Env::process();
    let rules = env.rules();
    let table_name = env.required(env::TABLE_NAME);
    let payout_queue = env.required(env::PAYOUT_QUEUE_URL);
    let finance_email = crate::handlers::payout::finance_email(&mut env);
    let mail_from = mail_from(&mut env);
    env.finish()?;
    let sdk = sdk_config().await;
    Ok(Arc::new(crate::handlers::payout::Payout {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        queue: Arc::new(SqsQueue::new(&sdk)),
        mailer: Arc::new(crate::adapters::aws::SesMailer::new(&sdk)),
        clock: Arc::new(SystemClock),
        rules,
        payout_queue,
        mail_from,
        finance_email,
    }))
}

pub async fn sequencer_from_env() -> Result<Arc<crate::handlers::sequence_sender::Sequencer>, ConfigError> {
    let mut env = Env::process();
    let rules = env.rules();
    let table_name = env.required(env::TABLE_NAME);
    let (public_base_url, tracking_secret) = crate::handlers::sequence_sender::Sequencer::secrets(&mut env);
    let mail_from = mail_from(&mut env);
    env.finish()?;
    let sdk = sdk_config().await;
    Ok(Arc::new(crate::handlers::sequence_sender::Sequencer {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        mailer: Arc::new(crate::adapters::aws::SesMailer::new(&sdk)),
        clock: Arc::new(SystemClock),
        rules,
        mail_from,
        public_base_url,
        tracking_secret,
    }))
}

pub async fn importer_from_env() -> Result<Arc<crate::handlers::import::Importer>, ConfigError> {
    let mut env = Env::process();
    let table_name = env.required(env::TABLE_NAME);
    let bucket = env.required(env::BUCKET_NAME);
    let scoring_queue = env.required(env::SCORING_QUEUE_URL);
    let import_queue = env.required(env::IMPORT_QUEUE_URL);
    let chunk_bytes = crate::handlers::import::chunk_bytes(&mut env);
    env.finish()?;
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

pub async fn sla_watch_from_env() -> Result<Arc<crate::handlers::sla_watch::SlaWatch>, ConfigError> {
    let mut env = Env::process();
    let rules = env.rules();
    let table_name = env.required(env::TABLE_NAME);
    let admin_email = crate::handlers::sla_watch::admin_email(&mut env);
    let mail_from = mail_from(&mut env);
    env.finish()?;
    let sdk = sdk_config().await;
    Ok(Arc::new(crate::handlers::sla_watch::SlaWatch {
        table: Arc::new(DynamoTable::new(&sdk, table_name)),
        mailer: Arc::new(crate::adapters::aws::SesMailer::new(&sdk)),
        clock: Arc::new(SystemClock),
        rules,
        mail_from,
        admin_email,
    }))
}
