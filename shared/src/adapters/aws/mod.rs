//! The AWS adapters, over the official SDK crates. `AWS_ENDPOINT_URL` points them at an
//! emulator (moto) in tests and in the local stack's `--aws` mode.

pub mod dynamo;
pub mod partitions;
pub mod s3;
pub mod ses;
pub mod sqs;

pub use dynamo::DynamoTable;
pub use s3::S3Blobs;
pub use ses::SesMailer;
pub use sqs::SqsQueue;

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_sdk_dynamodb::config::BehaviorVersion;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_runtime::client::identity::IdentityCache;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::region::Region;
use aws_types::SdkConfig;
use std::time::Duration;

/// The roots AWS service endpoints chain to (Amazon Trust Services).
const AMAZON_ROOTS: [&[u8]; 5] = [
    include_bytes!("../../../certs/Amazon_Root_CA_1.pem"),
    include_bytes!("../../../certs/Amazon_Root_CA_2.pem"),
    include_bytes!("../../../certs/Amazon_Root_CA_3.pem"),
    include_bytes!("../../../certs/Amazon_Root_CA_4.pem"),
    include_bytes!("../../../certs/Starfield_Services_Root_Certificate_Authority_-_G2.pem"),
];

/// The HTTP client every SDK client shares: rustls on ring, trusting Amazon's roots only.
/// Reading the platform's whole certificate store was most of a function's init time (see
/// docs/BENCHMARKS.md); `AWS_TLS_NATIVE_ROOTS=true` brings it back, e.g. behind a
/// TLS-inspecting proxy.
fn http_client() -> SharedHttpClient {
    let native = env_var("AWS_TLS_NATIVE_ROOTS").is_some_and(|v| v == "true" || v == "1");
    let store = AMAZON_ROOTS
        .iter()
        .fold(TrustStore::empty().with_native_roots(native), |s, pem| {
            s.with_pem_certificate(*pem)
        });
    let builder = aws_smithy_http_client::Builder::new().tls_provider(tls::Provider::Rustls(CryptoMode::Ring));
    let client = match TlsContext::builder().with_trust_store(store).build() {
        Ok(ctx) => builder.tls_context(ctx).build_https(),
        Err(_) => builder.build_https(),
    };
    SharedHttpClient::new(ConnectOnFirstRequest(client))
}

/// The SDK's HTTP client, minus the connector it builds and throws away as each service client
/// is constructed (`validate_base_client_config`, there to load a platform certificate store
/// early): with our compiled-in roots that check parsed the five PEM roots once per client, a
/// ninth of every function's init (docs/BENCHMARKS.md). The connector is built, and cached by
/// the client, on the first request instead — as it already was.
#[derive(Debug)]
struct ConnectOnFirstRequest(SharedHttpClient);

impl HttpClient for ConnectOnFirstRequest {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The SDK configuration every client of a function shares: the region, the credentials and
/// the endpoint override from the environment, with the defaults `aws-config`'s loader would
/// give (standard retries, a 3.1 s connect timeout, a lazy identity cache; the clients add the
/// default sleep and time source).
///
/// Lambda always sets `AWS_REGION` and the function's temporary credentials
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), and so do the tests and
/// the local stack's `--aws` mode. `aws-config` and its profile, SSO, web-identity and STS
/// providers are therefore not linked: they were 0.4 MiB of every function (docs/BENCHMARKS.md).
/// Without credentials in the environment every request fails with the SDK's "no credentials"
/// error, and this says so once at start-up.
pub async fn sdk_config() -> SdkConfig {
    let region = env_var("AWS_REGION")
        .or_else(|| env_var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| "ap-south-1".to_string());
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .identity_cache(IdentityCache::lazy().build())
        .retry_config(RetryConfig::standard())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_millis(3100))
                .build(),
        )
        .http_client(http_client());
    match (env_var("AWS_ACCESS_KEY_ID"), env_var("AWS_SECRET_ACCESS_KEY")) {
        (Some(id), Some(secret)) => {
            let credentials = Credentials::new(id, secret, env_var("AWS_SESSION_TOKEN"), None, "Environment");
            builder = builder.credentials_provider(SharedCredentialsProvider::new(credentials));
        }
        _ => tracing::error!("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: every AWS request will fail"),
    }
    builder.set_endpoint_url(env_var("AWS_ENDPOINT_URL"));
    builder.build()
}

/// An emulator on a custom endpoint serves S3 by path, not by virtual host.
pub fn uses_custom_endpoint() -> bool {
    env_var("AWS_ENDPOINT_URL").is_some()
}

/// A service client built on its first use rather than at start. A function's mailer and
/// queues serve only some of its requests (the portal mails on a co-sell request or an
/// invitation, queues on a registration or a login request), and building an SDK client is
/// 0.1–0.2 M instructions, a sixth of a function's init (docs/BENCHMARKS.md): a process whose
/// requests never mail never builds the SES client. Built once, then shared by every request.
#[derive(Clone)]
pub(crate) struct OnFirstUse<C> {
    config: SdkConfig,
    build: fn(&SdkConfig) -> C,
    client: std::sync::OnceLock<C>,
}

impl<C> OnFirstUse<C> {
    pub(crate) fn new(config: &SdkConfig, build: fn(&SdkConfig) -> C) -> OnFirstUse<C> {
        OnFirstUse {
            config: config.clone(),
            build,
            client: std::sync::OnceLock::new(),
        }
    }

    pub(crate) fn get(&self) -> &C {
        self.client.get_or_init(|| (self.build)(&self.config))
    }

    /// Whether the client has been built (for the tests).
    #[cfg(test)]
    pub(crate) fn is_built(&self) -> bool {
        self.client.get().is_some()
    }
}

#[cfg(test)]
mod first_use_tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    static BUILT: AtomicU32 = AtomicU32::new(0);

    fn build(_: &SdkConfig) -> u32 {
        BUILT.fetch_add(1, Ordering::SeqCst) + 1
    }

    #[test]
    fn a_client_is_built_on_its_first_use_and_only_once() {
        let lazy = OnFirstUse::new(&SdkConfig::builder().build(), build);
        assert!(!lazy.is_built(), "nothing is built at start");
        assert_eq!(BUILT.load(Ordering::SeqCst), 0);
        let first = *lazy.get();
        assert!(lazy.is_built());
        assert_eq!(*lazy.get(), first, "the same client serves every later use");
        assert_eq!(BUILT.load(Ordering::SeqCst), 1);
    }
}
