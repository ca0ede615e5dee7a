//! What the Lambda targets share: the function's handler as `main.rs` builds it (`EveryEvent` over
//! `lambda_app`), with an echo router in place of the API's, since the adaptation is under test,
//! not the store.

use std::cell::RefCell;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use lambda_http::{Context, LambdaEvent, Service};
use serde_json::value::RawValue;
use twinstack_lambda::event::EveryEvent;
use twinstack_lambda::{LambdaApp, lambda_app};

thread_local! {
    static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime");
    static HANDLER: RefCell<EveryEvent<LambdaApp>> =
        RefCell::new(EveryEvent::new(lambda_app(Router::new().fallback(echo))));
}

/// Answers with the request's own body and content type, so text and binary responses both go back
/// through the adapter.
async fn echo(headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let content_type = headers.get(header::CONTENT_TYPE).cloned();
    (
        content_type
            .map(|value| [(header::CONTENT_TYPE, value)])
            .into_iter()
            .flatten()
            .collect::<HeaderMap>(),
        body,
    )
}

/// Invokes the handler with `event` as the payload (JSON, as the runtime hands it over) and checks
/// that it answered in the shape of an HTTP response, not a function error.
pub fn assert_answers(event: &str) {
    let Ok(payload) = RawValue::from_string(event.to_owned()) else {
        return;
    };
    let invocation = LambdaEvent::new(payload, Context::default());
    let answer = HANDLER.with_borrow_mut(|handler| {
        RUNTIME.with(|runtime| {
            runtime.block_on(async {
                std::future::poll_fn(|cx| handler.poll_ready(cx)).await?;
                handler.call(invocation).await
            })
        })
    });
    let answer = answer.unwrap_or_else(|error| panic!("a function error: {error}"));
    // What the runtime would send back: the response as JSON.
    let response = serde_json::to_value(&answer).expect("a response serialises");
    let status: Option<u64> = response["statusCode"].as_u64();
    assert!(
        status.is_some_and(|s| (100..=599).contains(&s)),
        "no status in {response}"
    );
}

/// Panics that `EveryEvent` catches (lambda_http's own) are its answer, not a finding: silence the
/// hook libfuzzer-sys installs to abort on them. A panic that escapes still aborts the run
/// (libfuzzer-sys catches it around the target), and the saved input reproduces it.
pub fn quiet_caught_panics() {
    std::panic::set_hook(Box::new(|_| {}));
}
