//! payout-worker: settles one payee's month per `payout.requested` (SQS, partial batch
//! failures): ticket, carried balance, entries, R010, statement, and finance's email last.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::runtime::init_tracing();
    let payout = shared::runtime::payout_from_env().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let payout = payout.clone();
        async move { Ok::<SqsBatchResponse, Error>(payout.handle_batch(event.payload).await) }
    }))
    .await
}
