//! commission: turns received payments and refunds into ledger entries (SQS, partial batch
//! failures).

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::runtime::init_tracing();
    let commission = shared::runtime::commission_from_env().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let commission = commission.clone();
        async move { Ok::<SqsBatchResponse, Error>(commission.handle_batch(event.payload).await) }
    }))
    .await
}
