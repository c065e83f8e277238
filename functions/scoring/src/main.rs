//! scoring: scores, categorises and routes each captured lead (SQS, partial batch failures).

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::runtime::init_tracing();
    let scoring = shared::runtime::scoring_from_env().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let scoring = scoring.clone();
        async move { Ok::<SqsBatchResponse, Error>(scoring.handle_batch(event.payload).await) }
    }))
    .await
}
