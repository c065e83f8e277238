//! prospect-import: CSV prospect lists uploaded under `prospects/<campaign>/` become leads
//! (S3 notifications and its own chunk events, through one SQS queue; partial batch failures).

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::runtime::init_tracing();
    let importer = shared::runtime::importer_from_env().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let importer = importer.clone();
        async move { Ok::<SqsBatchResponse, Error>(importer.handle_batch(event.payload).await) }
    }))
    .await
}
