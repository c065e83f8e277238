//! renewal-risk-scan: nightly, scores the contracts renewing in the next 60 days and alerts
//! owning resellers of those at risk (EventBridge Scheduler, 02:00 Asia/Kolkata).

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::runtime::init_tracing();
    let scan = shared::runtime::renewal_scan_from_env().await?;
    lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| {
        let scan = scan.clone();
        async move {
            let report = scan.run(None).await.map_err(Error::from)?;
            Ok::<Value, Error>(serde_json::to_value(report)?)
        }
    }))
    .await
}
