//! Start-up for the Lambdas: JSON logs, then each function's handler assembled by `wiring`
//! on the AWS adapters, its configuration read once from the process environment (every
//! missing or invalid variable reported together). SDK clients are built once and only those
//! the function uses: the table's at start, the mailer's and the queues' on first use
//! (`adapters::aws::OnFirstUse`).

use crate::adapters::aws::{partitions, sdk_config, DynamoTable, S3Blobs, SesMailer, SqsQueue};
use crate::config::{env, ConfigError, Env};
use crate::handlers::billing_api::BillingApi;
use crate::handlers::commission::Commission;
use crate::handlers::import::Importer;
use crate::handlers::lead_api::LeadApi;
use crate::handlers::partner_api::PartnerApi;
use crate::handlers::payout::Payout;
use crate::handlers::proposals::Proposals;
use crate::handlers::renewal_scan::RenewalScan;
use crate::handlers::sales_api::SalesApi;
use crate::handlers::scoring::Scoring;
use crate::handlers::sequence_sender::Sequencer;
use crate::handlers::sla_watch::SlaWatch;
use crate::ports::clock::SystemClock;
use crate::ports::{Clock, Mailer, Table};
use crate::wiring;
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
    // A panic is logged as one JSON line like every other error, with the request id of the
    // span it happened in. In a function built to abort on a panic (one request per
    // invocation: its Cargo.toml) this line is all that is left: the process ends and Lambda
    // fails the invocation and starts a new process for the next one.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info.payload_as_str().unwrap_or("a panic without a message");
        tracing::error!(panic = message, location, "panicked");
    }));
}

/// The AWS side of a function: the SDK configuration and the table it works on.
struct Aws {
    sdk: aws_types::SdkConfig,
    table_name: String,
}

impl Aws {
    fn table(&self) -> Arc<dyn Table> {
        Arc::new(DynamoTable::new(&self.sdk, self.table_name.clone()))
    }
    /// The queues, as the `Queue` or the `QueueSender` the wiring asks for: coerced from the SQS
    /// adapter itself, so a function given a `QueueSender` links SQS's sends alone.
    fn queues(&self) -> Arc<SqsQueue> {
        Arc::new(SqsQueue::new(&self.sdk))
    }
    fn mailer(&self) -> Arc<dyn Mailer> {
        Arc::new(SesMailer::new(&self.sdk))
    }
    /// The bucket, as the `Blobs` or the `BlobWriter` the wiring asks for: coerced from the S3
    /// adapter itself, so a function given a `BlobWriter` links S3's put alone.
    fn bucket(&self, env: &mut Env) -> Arc<S3Blobs> {
        Arc::new(S3Blobs::new(&self.sdk, env.required(env::BUCKET_NAME)))
    }
}

fn clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// The long domain lists are read from the layer the template names: a function started
/// without them is misconfigured (the source tree they default to is not deployed).
fn domain_lists(env: &mut Env) {
    let dir = env.required(env::DOMAIN_LISTS_DIR);
    if dir.is_empty() {
        return;
    }
    if let Err(e) = crate::domain::company_domain::use_lists_in(std::path::Path::new(&dir)) {
        env.problem(format!("{}: {e}", env::DOMAIN_LISTS_DIR));
    }
}

/// Reads the environment, builds the handler with `build`, and fails with every problem found.
async fn from_env<T>(build: impl FnOnce(&mut Env, &Aws) -> T) -> Result<Arc<T>, ConfigError> {
    let mut env = Env::process();
    let table_name = env.required(env::TABLE_NAME);
    partitions::check(&mut env);
    domain_lists(&mut env);
    let aws = Aws {
        sdk: sdk_config().await,
        table_name,
    };
    let built = build(&mut env, &aws);
    env.finish()?;
    Ok(Arc::new(built))
}

pub async fn lead_api_from_env() -> Result<Arc<LeadApi>, ConfigError> {
    from_env(|env, aws| wiring::lead_api(env, aws.table(), aws.queues(), clock())).await
}

pub async fn scoring_from_env() -> Result<Arc<Scoring>, ConfigError> {
    from_env(|env, aws| wiring::scoring(env, aws.table(), aws.queues(), clock())).await
}

pub async fn billing_api_from_env() -> Result<Arc<BillingApi>, ConfigError> {
    from_env(|env, aws| wiring::billing_api(env, aws.table(), aws.queues(), clock())).await
}

pub async fn commission_from_env() -> Result<Arc<Commission>, ConfigError> {
    from_env(|env, aws| wiring::commission(env, aws.table(), aws.queues(), clock())).await
}

pub async fn renewal_scan_from_env() -> Result<Arc<RenewalScan>, ConfigError> {
    from_env(|env, aws| wiring::renewal_scan(env, aws.table(), aws.mailer(), clock())).await
}

pub async fn payout_from_env() -> Result<Arc<Payout>, ConfigError> {
    from_env(|env, aws| wiring::payout(env, aws.table(), aws.queues(), aws.mailer(), clock())).await
}

pub async fn sequencer_from_env() -> Result<Arc<Sequencer>, ConfigError> {
    from_env(|env, aws| wiring::sequencer(env, aws.table(), aws.mailer(), clock())).await
}

pub async fn importer_from_env() -> Result<Arc<Importer>, ConfigError> {
    from_env(|env, aws| {
        let blobs = aws.bucket(env);
        wiring::importer(env, aws.table(), blobs, aws.queues(), clock())
    })
    .await
}

pub async fn sla_watch_from_env() -> Result<Arc<SlaWatch>, ConfigError> {
    from_env(|env, aws| wiring::sla_watch(env, aws.table(), aws.mailer(), aws.queues(), clock())).await
}

pub async fn sales_api_from_env() -> Result<Arc<SalesApi>, ConfigError> {
    from_env(|env, aws| wiring::sales_api(env, aws.table(), aws.mailer(), clock())).await
}

pub async fn proposals_from_env() -> Result<Arc<Proposals>, ConfigError> {
    from_env(|env, aws| {
        let blobs = aws.bucket(env);
        wiring::proposals(env, aws.table(), blobs)
    })
    .await
}

pub async fn partner_api_from_env() -> Result<Arc<PartnerApi>, ConfigError> {
    from_env(|env, aws| wiring::partner_api(env, aws.table(), aws.mailer(), clock())).await
}

pub async fn portal_from_env() -> Result<Arc<crate::handlers::portal::Portal>, ConfigError> {
    from_env(|env, aws| wiring::portal(env, aws.table(), aws.mailer(), aws.queues(), clock())).await
}
