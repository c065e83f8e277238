//! sla-watch: every 15 minutes, the leads past their first-response deadline are reassigned,
//! escalated or sent to the admin queue, and leads stuck at R001 are queued for scoring again
//! (EventBridge Scheduler).

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::runtime::init_tracing();
    let watch = shared::runtime::sla_watch_from_env().await?;
    lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| {
        let watch = watch.clone();
        async move {
            let report = watch.run(None).await.map_err(Error::from)?;
            Ok::<Value, Error>(serde_json::to_value(report)?)
        }
    }))
    .await
}
