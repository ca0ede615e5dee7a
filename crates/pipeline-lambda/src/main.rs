//! `twinstack-pipeline-lambda`: clients built once, then one event at a time.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use twinstack_pipeline_lambda::{Event, PipelineFunction};

// One invocation at a time per execution environment, and stages 1–4 run on this thread.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let function = PipelineFunction::from_env().await?;
    let function = &function;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Event>| async move {
        function.handle(event.payload).await
    }))
    .await
}
