//! sequence-sender: SQS batches (`lead.qualified`, SES bounce/complaint notifications) and,
//! every 5 minutes, a scheduled run that sends the steps now due.

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::runtime::init_tracing();
    let sequencer = shared::runtime::sequencer_from_env().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let sequencer = sequencer.clone();
        async move {
            if event.payload.get("Records").is_some() {
                let batch: SqsEvent = serde_json::from_value(event.payload)?;
                Ok::<Value, Error>(serde_json::to_value(sequencer.handle_batch(batch).await)?)
            } else {
                Ok(serde_json::to_value(sequencer.run(None).await.map_err(Error::from)?)?)
            }
        }
    }))
    .await
}
