//! Any JSON document as each request body: the validators refuse it with at least one field error
//! or accept it in canonical form (validating what they accepted changes nothing).

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use twinstack_core::{Email, UserName};
use twinstack_http::dto::order::{CreateOrderRequest, TransitionRequest};
use twinstack_http::dto::user::{CreateUserRequest, UpdateUserRequest};
use twinstack_http::field::FieldError;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Some(user) = accepted(CreateUserRequest::parse(&body)) {
        assert_canonical_name(&user.name);
        assert_canonical_email(&user.email);
    }
    if let Some(update) = accepted(UpdateUserRequest::parse(&body)) {
        assert!(update.name.is_some() || update.email.is_some(), "{body}");
        update.name.iter().for_each(assert_canonical_name);
        update.email.iter().for_each(assert_canonical_email);
    }
    if let Some(order) = accepted(CreateOrderRequest::parse(&body)) {
        let lines: Vec<Value> = order
            .items
            .iter()
            .map(|line| json!({"sku": line.sku.as_str(), "qty": line.qty.get()}))
            .collect();
        let again = json!({"userId": order.user_id.get(), "items": lines});
        assert_eq!(
            CreateOrderRequest::parse(&again).ok(),
            Some(order),
            "{body}"
        );
    }
    accepted(TransitionRequest::parse(&body));
});

/// The accepted value; a refusal must name at least one field and say what is wrong with it.
fn accepted<T>(result: Result<T, Vec<FieldError>>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(errors) => {
            assert!(!errors.is_empty(), "a refusal without a field error");
            assert!(errors.iter().all(|error| !error.message.is_empty()));
            None
        }
    }
}

fn assert_canonical_name(name: &UserName) {
    assert_eq!(UserName::parse(name.as_str()).as_ref(), Ok(name));
}

fn assert_canonical_email(email: &Email) {
    assert_eq!(Email::parse(email.as_str()).as_ref(), Ok(email));
}
