//! The AWS adapters, over the official SDK crates. `AWS_ENDPOINT_URL` points them at an
//! emulator (moto) in tests and in the local stack's `--aws` mode.

pub mod dynamo;
pub mod s3;
pub mod ses;
pub mod sqs;

pub use dynamo::DynamoTable;
pub use s3::S3Blobs;
pub use ses::SesMailer;
pub use sqs::SqsQueue;

use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

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

/// Loads the shared SDK configuration once (region, credentials, endpoint override).
/// In Lambda the region and credentials are in the environment: taking them from there
/// directly skips building the default chains' instance-metadata providers.
pub async fn sdk_config() -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(http_client());
    if let Some(region) = env_var("AWS_REGION").or_else(|| env_var("AWS_DEFAULT_REGION")) {
        loader = loader.region(aws_config::Region::new(region));
    }
    if env_var("AWS_ACCESS_KEY_ID").is_some() && env_var("AWS_SECRET_ACCESS_KEY").is_some() {
        loader = loader.credentials_provider(aws_config::environment::EnvironmentVariableCredentialsProvider::new());
    }
    loader.load().await
}

/// An emulator on a custom endpoint serves S3 by path, not by virtual host.
pub fn uses_custom_endpoint() -> bool {
    env_var("AWS_ENDPOINT_URL").is_some()
}
