//! monthly-payout: on the 1st (02:30 Asia/Kolkata) queues one payout request per payee for the
//! month before; the payout-worker settles each.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::runtime::init_tracing();
    let payout = shared::runtime::payout_from_env().await?;
    lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| {
        let payout = payout.clone();
        async move { payout.coordinate(None).await.map_err(Error::from) }
    }))
    .await
}
