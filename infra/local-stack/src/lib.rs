//! The local stack: every function's real handler code in one process, on embedded adapters
//! (or, with `--aws`, on the AWS ones against `AWS_ENDPOINT_URL`), with queue consumers
//! in-process and a `/_local` control surface for demos and black-box tests.

pub mod consumers;
pub mod control;
pub mod demo;
pub mod server;

use shared::adapters::aws::{sdk_config, DynamoTable, S3Blobs, SesMailer, SqsQueue};
use shared::adapters::embedded::{DiskBlobs, EmbeddedQueue, EmbeddedTable, OutboxMailer};
use shared::config::Env;
use shared::handlers::billing_api::{self, BillingApi};
use shared::handlers::commission::Commission;
use shared::handlers::http::cors_layer;
use shared::handlers::import::Importer;
use shared::handlers::lead_api::{self, LeadApi};
use shared::handlers::partner_api::{self, PartnerApi};
use shared::handlers::payout::Payout;
use shared::handlers::proposals::{self, Proposals};
use shared::handlers::renewal_scan::{mail_from_env, RenewalScan};
use shared::handlers::sales_api::{self, SalesApi};
use shared::handlers::scoring::Scoring;
use shared::handlers::sequence_sender::Sequencer;
use shared::handlers::sla_watch::SlaWatch;
use shared::ports::clock::ShiftedClock;
use shared::ports::queue::dead_letter_queue_of;
use shared::ports::{Blobs, Mailer, Queue, QueueSender, Table};
use shared::wiring;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The logical queues, with the function that consumes each (`None`: no consumer yet).
pub const QUEUES: &[(&str, Option<&str>)] = &[
    ("scoring", Some("scoring")),
    ("sequence", Some("sequence")),
    ("commission", Some("commission")),
    ("payout", Some("payout")),
    ("import", Some("import")),
];

#[derive(Debug, Clone)]
pub struct Options {
    pub port: u16,
    /// the address to listen on: loopback unless asked (`--bind 0.0.0.0`)
    pub bind: std::net::IpAddr,
    /// how long a client has to send a request's head before the connection is closed
    pub header_timeout: Duration,
    pub data_dir: PathBuf,
    /// run on the AWS adapters (DynamoDB, SQS, SES, S3 at `AWS_ENDPOINT_URL` or a real account)
    pub aws: bool,
    pub table_name: String,
    pub bucket: String,
    /// a name prefix for the AWS queues, so that test runs do not share them
    pub queue_prefix: String,
    /// the first programme admin's development key (the first of `admin_emails`), registered at
    /// start so that `curl` works at once; never used in AWS
    pub admin_key: String,
    /// `ADMIN_API_KEY`: the bootstrap key, which only creates staff (and hands them a key)
    pub bootstrap_key: String,
    /// the secret billing webhooks are signed with
    pub webhook_secret: String,
    /// where the monthly payout email goes
    pub finance_email: String,
    pub allowed_origins: Vec<String>,
    /// how long a received message stays hidden before it is delivered again
    pub visibility: Duration,
    pub roster_cache: Duration,
    /// `ADMIN_EMAILS`: who logs in to the portal as the admin (comma-separated); the first hears
    /// of SLA escalations and of leads sent to the admin queue
    pub admin_emails: String,
    /// the vendor's presales team (co-sell requests)
    pub presales_email: String,
    /// prospect lists larger than this are split into chunks (unset: `IMPORT_CHUNK_BYTES`,
    /// else the default)
    pub import_chunk_bytes: Option<u64>,
    /// the platform's GSTIN (`PLATFORM_GSTIN`, else a Maharashtra demo GSTIN)
    pub platform_gstin: String,
    /// `HOLD_UNTIL_INVOICE`
    pub hold_until_invoice: bool,
    /// rule overrides for this stack (else `RULES_JSON` from the environment)
    pub rules_json: Option<String>,
    /// count the requests the functions make of the table and the queues (the load benchmark's
    /// cost estimate); embedded adapters only
    pub counts: Option<Arc<shared::adapters::counting::Counts>>,
    /// fail or crash the functions at their N-th write (the fault-injection tests); the local
    /// control routes and the queue consumers' receive and delete stay outside it
    pub faults: Option<Arc<shared::adapters::faults::Faults>>,
}

/// The local stack's platform GSTIN when `PLATFORM_GSTIN` is unset: Maharashtra (27).
pub const DEMO_PLATFORM_GSTIN: &str = "27AAACP0001Q1ZL";

impl Options {
    pub fn defaults(data_dir: PathBuf) -> Options {
        Options {
            port: 3000,
            bind: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            header_timeout: server::HEADER_TIMEOUT,
            data_dir,
            aws: false,
            table_name: "partner-platform-local".into(),
            bucket: "partner-platform-local".into(),
            queue_prefix: "partner-platform-local".into(),
            admin_key: "local-admin-key".into(),
            bootstrap_key: "local-bootstrap-key".into(),
            webhook_secret: "local-webhook-secret".into(),
            finance_email: std::env::var("FINANCE_EMAIL")
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "finance@partners.example".into()),
            allowed_origins: vec!["http://localhost:8080".into(), "http://127.0.0.1:8080".into()],
            visibility: Duration::from_millis(500),
            roster_cache: Duration::ZERO,
            import_chunk_bytes: None,
            admin_emails: std::env::var("ADMIN_EMAILS")
                .ok()
                .filter(|v| v.contains('@'))
                .unwrap_or_else(|| "partner-admin@partners.example".into()),
            presales_email: std::env::var("PRESALES_EMAIL")
                .ok()
                .filter(|v| v.contains('@'))
                .unwrap_or_else(|| "presales@partners.example".into()),
            platform_gstin: std::env::var("PLATFORM_GSTIN")
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| DEMO_PLATFORM_GSTIN.into()),
            hold_until_invoice: std::env::var("HOLD_UNTIL_INVOICE").is_ok_and(|v| v == "true"),
            rules_json: None,
            counts: None,
            faults: None,
        }
    }
}

/// Everything the running stack holds; the control surface reads it.
pub struct Stack {
    pub table: Arc<dyn Table>,
    pub queue: Arc<dyn Queue>,
    pub mailer: Arc<dyn Mailer>,
    pub blobs: Arc<dyn Blobs>,
    pub clock: Arc<ShiftedClock>,
    /// logical queue name → the name or URL the adapters use
    pub queue_ids: Vec<(String, String)>,
    pub outbox: Option<Arc<OutboxMailer>>,
    pub embedded_queue: Option<Arc<EmbeddedQueue>>,
    pub scoring: Arc<Scoring>,
    pub commission: Arc<Commission>,
    pub renewal_scan: Arc<RenewalScan>,
    pub payout: Arc<Payout>,
    pub sequencer: Arc<Sequencer>,
    pub importer: Arc<Importer>,
    pub sla_watch: Arc<SlaWatch>,
    pub lead_api: Arc<LeadApi>,
    pub billing_api: Arc<BillingApi>,
    pub sales_api: Arc<SalesApi>,
    pub proposals: Arc<Proposals>,
    pub partner_api: Arc<PartnerApi>,
    pub portal: Arc<shared::handlers::portal::Portal>,
    pub options: Options,
}

impl Stack {
    pub fn queue_id(&self, logical: &str) -> Option<&str> {
        self.queue_ids
            .iter()
            .find(|(l, _)| l == logical)
            .map(|(_, id)| id.as_str())
    }
}

/// The adapter set the stack runs on.
struct Adapters {
    table: Arc<dyn Table>,
    queue: Arc<dyn Queue>,
    mailer: Arc<dyn Mailer>,
    blobs: Arc<dyn Blobs>,
    queue_ids: Vec<(String, String)>,
    outbox: Option<Arc<OutboxMailer>>,
    embedded_queue: Option<Arc<EmbeddedQueue>>,
}

/// AWS adapters, creating the table, queues and bucket when they are missing.
async fn aws_adapters(options: &Options, names: &[&str]) -> Result<Adapters, String> {
    let sdk = sdk_config().await;
    let table = DynamoTable::new(&sdk, options.table_name.clone());
    table.ensure_table().await.map_err(|e| format!("creating table: {e}"))?;
    let sqs = SqsQueue::new(&sdk);
    let mut queue_ids = Vec::new();
    for n in names {
        let url = sqs
            .ensure_queue(&format!("{}-{n}", options.queue_prefix))
            .await
            .map_err(|e| format!("creating queue {n}: {e}"))?;
        queue_ids.push((n.to_string(), url));
    }
    let blobs = S3Blobs::new(&sdk, options.bucket.clone());
    blobs
        .ensure_bucket()
        .await
        .map_err(|e| format!("creating bucket: {e}"))?;
    let ses = SesMailer::new(&sdk);
    // SES (and the emulator) send only from verified identities
    let sender = shared::mail::address(&mail_from_env());
    if let Some((_, domain)) = sender.rsplit_once('@') {
        ses.verify_domain(domain)
            .await
            .map_err(|e| format!("verifying {domain} in SES: {e}"))?;
    }
    Ok(Adapters {
        table: Arc::new(table),
        queue: Arc::new(sqs),
        mailer: Arc::new(ses),
        blobs: Arc::new(blobs),
        queue_ids,
        outbox: None,
        embedded_queue: None,
    })
}

/// Embedded adapters, persisted under the data folder.
fn embedded_adapters(options: &Options, names: &[&str]) -> Result<Adapters, String> {
    let dir = &options.data_dir;
    let table = EmbeddedTable::open(&dir.join("table")).map_err(|e| format!("opening table: {e}"))?;
    let queue = Arc::new(
        EmbeddedQueue::new(names, options.visibility, 5, Some(dir.join("queues")))
            .map_err(|e| format!("opening queues: {e}"))?,
    );
    let outbox = Arc::new(OutboxMailer::open(dir.join("outbox")).map_err(|e| format!("opening outbox: {e}"))?);
    let blobs = DiskBlobs::open(dir.join("blobs")).map_err(|e| format!("opening blobs: {e}"))?;
    let (table, counted_queue): (Arc<dyn Table>, Arc<dyn Queue>) = match &options.counts {
        Some(counts) => (
            Arc::new(shared::adapters::counting::CountingTable {
                inner: table,
                counts: counts.clone(),
            }),
            Arc::new(shared::adapters::counting::CountingQueue {
                inner: SharedQueue(queue.clone()),
                counts: counts.clone(),
            }),
        ),
        None => (Arc::new(table), queue.clone()),
    };
    Ok(Adapters {
        table,
        queue: counted_queue,
        mailer: outbox.clone(),
        blobs: Arc::new(blobs),
        queue_ids: names.iter().map(|n| (n.to_string(), n.to_string())).collect(),
        outbox: Some(outbox),
        embedded_queue: Some(queue),
    })
}

/// The embedded queue shared by the stack and a counting wrapper.
struct SharedQueue(Arc<EmbeddedQueue>);

#[async_trait::async_trait]
impl QueueSender for SharedQueue {
    async fn send(&self, queue: &str, body: String) -> Result<String, shared::ports::queue::QueueError> {
        QueueSender::send(self.0.as_ref(), queue, body).await
    }
    async fn send_batch(&self, queue: &str, bodies: Vec<String>) -> Result<(), shared::ports::queue::QueueError> {
        QueueSender::send_batch(self.0.as_ref(), queue, bodies).await
    }
}

#[async_trait::async_trait]
impl Queue for SharedQueue {
    async fn receive(
        &self,
        queue: &str,
        max: u32,
        wait: u32,
    ) -> Result<Vec<shared::ports::queue::Received>, shared::ports::queue::QueueError> {
        Queue::receive(self.0.as_ref(), queue, max, wait).await
    }
    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), shared::ports::queue::QueueError> {
        Queue::delete(self.0.as_ref(), queue, receipt).await
    }
    async fn depth(&self, queue: &str) -> Result<u64, shared::ports::queue::QueueError> {
        Queue::depth(self.0.as_ref(), queue).await
    }
}

/// The secret tracking and unsubscribe links are signed with: `TRACKING_SECRET` if set, else
/// one generated for the data folder on first start and kept in it (never a fixed value).
fn tracking_secret(dir: &std::path::Path) -> Result<String, String> {
    if let Some(s) = std::env::var(shared::config::env::TRACKING_SECRET)
        .ok()
        .filter(|s| !s.is_empty())
    {
        return Ok(s);
    }
    let path = dir.join("tracking-secret");
    if let Ok(s) = std::fs::read_to_string(&path) {
        if s.trim().len() >= 32 {
            return Ok(s.trim().to_string());
        }
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("generating the tracking secret: {e}"))?;
    let secret = hex::encode(bytes);
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    std::fs::write(&path, &secret).map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(secret)
}

/// The variables the functions read, as the local stack sets them: its own values (queue ids,
/// keys, addresses on this port) over the process environment (`RULES_JSON`, `MAIL_FROM`,
/// `THANK_YOU_URL`… when set). Every handler is then assembled by `shared::wiring`, exactly
/// as the Lambdas assemble theirs from their environment.
fn local_env(options: &Options, base: &str, id_of: &dyn Fn(&str) -> String) -> Result<Env, String> {
    use shared::config::env::*;
    let process = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let mut vars: HashMap<&'static str, String> = HashMap::from([
        (SCORING_QUEUE_URL, id_of("scoring")),
        (SEQUENCE_QUEUE_URL, id_of("sequence")),
        (COMMISSION_QUEUE_URL, id_of("commission")),
        (PAYOUT_QUEUE_URL, id_of("payout")),
        (IMPORT_QUEUE_URL, id_of("import")),
        (DEAD_LETTER_QUEUE_URL, dead_letter_queue_of(&id_of("commission"))),
        (ADMIN_API_KEY, options.bootstrap_key.clone()),
        (BILLING_WEBHOOK_SECRET, options.webhook_secret.clone()),
        (REDIRECT_ALLOWED_HOSTS, "localhost,127.0.0.1".into()),
        (ALLOWED_ORIGINS, options.allowed_origins.join(",")),
        (TRACKING_SECRET, tracking_secret(&options.data_dir)?),
        (PUBLIC_BASE_URL, base.to_string()),
        (REFERRAL_LANDING_URL, format!("{base}/_local/form")),
        (FINANCE_EMAIL, options.finance_email.clone()),
        (PRESALES_EMAIL, options.presales_email.clone()),
        (ADMIN_EMAILS, options.admin_emails.clone()),
        (PLATFORM_GSTIN, options.platform_gstin.clone()),
        (HOLD_UNTIL_INVOICE, options.hold_until_invoice.to_string()),
        (ROSTER_CACHE_SECONDS, options.roster_cache.as_secs().to_string()),
    ]);
    if let Some(bytes) = options.import_chunk_bytes {
        vars.insert(IMPORT_CHUNK_BYTES, bytes.to_string());
    }
    if let Some(rules) = &options.rules_json {
        vars.insert(RULES_JSON, rules.clone());
    }
    vars.insert(
        THANK_YOU_URL,
        process(THANK_YOU_URL).unwrap_or_else(|| format!("{base}/_local/thanks")),
    );
    vars.insert(
        ERROR_URL,
        process(ERROR_URL).unwrap_or_else(|| format!("{base}/_local/form-error")),
    );
    Ok(Env::from_fn(move |name| {
        vars.get(name).cloned().or_else(|| process(name))
    }))
}

pub async fn build(options: Options) -> Result<Arc<Stack>, String> {
    let clock = Arc::new(ShiftedClock::default());
    let names: Vec<&str> = QUEUES.iter().map(|(n, _)| *n).collect();
    let Adapters {
        table,
        queue,
        mailer,
        blobs,
        queue_ids,
        outbox,
        embedded_queue,
    } = if options.aws {
        aws_adapters(&options, &names).await?
    } else {
        embedded_adapters(&options, &names)?
    };
    // what the functions are given: the adapters, behind the fault plan when there is one
    let (table, queue, mailer, blobs, control) = {
        let control = (table.clone(), queue.clone(), mailer.clone(), blobs.clone());
        match &options.faults {
            Some(faults) => {
                use shared::adapters::faults::Faulty;
                let f = || faults.clone();
                (
                    Arc::new(Faulty {
                        inner: table,
                        faults: f(),
                    }) as Arc<dyn Table>,
                    Arc::new(Faulty {
                        inner: queue,
                        faults: f(),
                    }) as Arc<dyn Queue>,
                    Arc::new(Faulty {
                        inner: mailer,
                        faults: f(),
                    }) as Arc<dyn Mailer>,
                    Arc::new(Faulty {
                        inner: blobs,
                        faults: f(),
                    }) as Arc<dyn Blobs>,
                    control,
                )
            }
            None => (table, queue, mailer, blobs, control),
        }
    };
    let id_of = |n: &str| {
        queue_ids
            .iter()
            .find(|(l, _)| l == n)
            .map(|(_, id)| id.clone())
            .unwrap_or_default()
    };
    let base = format!("http://127.0.0.1:{}", options.port);
    // the first programme admin, with its development key
    if let Some(email) = options.admin_emails.split(',').map(str::trim).find(|e| e.contains('@')) {
        shared::usecases::people::seed_staff_key(control.0.as_ref(), clock.as_ref(), email, &options.admin_key)
            .await
            .map_err(|e| format!("seeding the programme admin: {e}"))?;
    }
    let mut env = local_env(&options, &base, &id_of)?;
    let clock_port: Arc<dyn shared::ports::Clock> = clock.clone();
    let c = || clock_port.clone();
    let lead_api = Arc::new(wiring::lead_api(&mut env, table.clone(), queue.clone(), c()));
    let scoring = Arc::new(wiring::scoring(&mut env, table.clone(), queue.clone(), c()));
    let billing_api = Arc::new(wiring::billing_api(&mut env, table.clone(), queue.clone(), c()));
    let commission = Arc::new(wiring::commission(&mut env, table.clone(), queue.clone(), c()));
    let renewal_scan = Arc::new(wiring::renewal_scan(&mut env, table.clone(), mailer.clone(), c()));
    let payout = Arc::new(wiring::payout(
        &mut env,
        table.clone(),
        queue.clone(),
        mailer.clone(),
        c(),
    ));
    let sequencer = Arc::new(wiring::sequencer(&mut env, table.clone(), mailer.clone(), c()));
    let importer = Arc::new(wiring::importer(
        &mut env,
        table.clone(),
        blobs.clone(),
        queue.clone(),
        c(),
    ));
    let sla_watch = Arc::new(wiring::sla_watch(
        &mut env,
        table.clone(),
        mailer.clone(),
        queue.clone(),
        c(),
    ));
    let partner_api = Arc::new(wiring::partner_api(&mut env, table.clone(), mailer.clone(), c()));
    let portal = Arc::new(wiring::portal(
        &mut env,
        table.clone(),
        mailer.clone(),
        queue.clone(),
        c(),
    ));
    let sales_api = Arc::new(wiring::sales_api(&mut env, table.clone(), mailer.clone(), c()));
    let proposals = Arc::new(wiring::proposals(&mut env, table.clone(), blobs.clone()));
    env.finish().map_err(|e| e.to_string())?;
    Ok(Arc::new(Stack {
        sequencer,
        importer,
        sla_watch,
        sales_api,
        proposals,
        partner_api,
        portal,
        payout,
        commission,
        renewal_scan,
        billing_api,
        table: control.0,
        queue: control.1,
        mailer: control.2,
        blobs: control.3,
        clock,
        queue_ids,
        outbox,
        embedded_queue,
        scoring,
        lead_api,
        options,
    }))
}

/// The whole HTTP surface: the functions' routes plus `/_local`, with CORS answered locally.
pub fn app(stack: Arc<Stack>) -> axum::Router {
    let origins = stack.options.allowed_origins.clone();
    let routes = lead_api::router(stack.lead_api.clone())
        .merge(billing_api::router(stack.billing_api.clone()))
        .merge(sales_api::router(stack.sales_api.clone()))
        .merge(proposals::router(stack.proposals.clone()))
        .merge(partner_api::router(stack.partner_api.clone()))
        .merge(shared::handlers::portal::router(stack.portal.clone()))
        .merge(shared::handlers::portal::admin_pages::router(stack.portal.clone()))
        .merge(shared::handlers::api_description::router())
        .merge(control::router(stack));
    shared::handlers::http::served(routes).layer(cors_layer(&origins))
}

/// A running stack: where it listens, and how to stop it.
pub struct Running {
    pub addr: SocketAddr,
    pub stack: Arc<Stack>,
    shutdown: tokio::sync::watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
}

impl Running {
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.server.await;
    }
}

/// Binds (port 0 picks a free one), starts the consumers and serves until stopped.
pub async fn start(mut options: Options) -> Result<Running, String> {
    let listener = tokio::net::TcpListener::bind((options.bind, options.port))
        .await
        .map_err(|e| format!("binding {}:{}: {e}", options.bind, options.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    options.port = addr.port();
    let stack = build(options).await?;
    let (tx, rx) = tokio::sync::watch::channel(false);
    consumers::spawn(stack.clone(), rx.clone());
    let app = app(stack.clone());
    let server = tokio::spawn(server::serve(listener, app, stack.options.header_timeout, rx));
    Ok(Running {
        addr,
        stack,
        shutdown: tx,
        server,
    })
}
