//! With tracing on, the span processor is flushed after every invocation, once its response is
//! posted: Lambda may freeze the process until the next one, batch thread and all.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use lambda_http::lambda_runtime::{Error, LambdaInvocation};
use lambda_http::tower::{Layer, Service};
use twinstack_telemetry::Telemetry;

/// Runtime layer (outermost, around posting the response) that flushes after each invocation.
#[derive(Clone, Debug)]
pub struct FlushLayer(pub Telemetry);

impl<S> Layer<S> for FlushLayer {
    type Service = Flush<S>;

    fn layer(&self, inner: S) -> Flush<S> {
        Flush {
            inner,
            telemetry: self.0.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Flush<S> {
    inner: S,
    telemetry: Telemetry,
}

impl<S> Service<LambdaInvocation> for Flush<S>
where
    S: Service<LambdaInvocation, Response = (), Error = Error>,
    S::Future: 'static,
{
    type Response = ();
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<(), Error>>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, invocation: LambdaInvocation) -> Self::Future {
        let invocation = self.inner.call(invocation);
        let telemetry = self.telemetry.clone();
        Box::pin(async move {
            let result = invocation.await;
            // The flush blocks until the exporter answers: off the async worker.
            let _ = tokio::task::spawn_blocking(move || telemetry.force_flush()).await;
            result
        })
    }
}
