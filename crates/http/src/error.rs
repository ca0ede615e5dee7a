//! The HTTP error envelope, and the one place where every error becomes a status code.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use twinstack_core::{DomainError, Resource, UnknownReferences};
use utoipa::ToSchema;

use crate::field::{FieldError, FieldPath};

/// Seconds a client should wait before retrying a 503.
pub const RETRY_AFTER_SECS: u32 = 1;

/// Everything a request can end in besides success.
#[derive(Debug)]
pub enum ApiError {
    MalformedJson(String),
    /// What arrived cannot be read as an HTTP request at all (on Lambda: an event that cannot be
    /// turned into one), with the reason.
    MalformedRequest(String),
    /// Broken rules, sorted by field path.
    Validation(Vec<FieldError>),
    InvalidId(&'static str),
    InvalidQuery(Vec<FieldError>),
    UnsupportedMediaType,
    PayloadTooLarge,
    NotFound(String),
    MethodNotAllowed,
    EmailTaken,
    UserHasOrders,
    InvalidTransition(String),
    IdempotencyKeyReused,
    /// Store unreachable or throttled (with its cause, logged only), or the request timed out.
    Unavailable(Option<Box<dyn std::error::Error + Send + Sync>>),
    /// A bug: the cause is logged, never sent.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// Every request's broken rules, reported together.
    pub fn validation(mut details: Vec<FieldError>) -> Self {
        details.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::Validation(details)
    }

    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            ApiError::MalformedJson(_) => (StatusCode::BAD_REQUEST, ErrorCode::MalformedJson),
            ApiError::MalformedRequest(_) => (StatusCode::BAD_REQUEST, ErrorCode::MalformedRequest),
            ApiError::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ValidationFailed,
            ),
            ApiError::InvalidId(_) => (StatusCode::BAD_REQUEST, ErrorCode::InvalidId),
            ApiError::InvalidQuery(_) => (StatusCode::BAD_REQUEST, ErrorCode::InvalidQuery),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
            ),
            ApiError::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge)
            }
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            ApiError::MethodNotAllowed => {
                (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed)
            }
            ApiError::EmailTaken => (StatusCode::CONFLICT, ErrorCode::EmailTaken),
            ApiError::UserHasOrders => (StatusCode::CONFLICT, ErrorCode::UserHasOrders),
            ApiError::InvalidTransition(_) => (StatusCode::CONFLICT, ErrorCode::InvalidTransition),
            ApiError::IdempotencyKeyReused => {
                (StatusCode::CONFLICT, ErrorCode::IdempotencyKeyReused)
            }
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Unavailable),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
        }
    }

    fn message(&self) -> String {
        match self {
            ApiError::MalformedJson(reason) => format!("the body is not valid JSON: {reason}"),
            ApiError::MalformedRequest(reason) => {
                format!("the request could not be read: {reason}")
            }
            ApiError::Validation(_) => "the request is not valid".into(),
            ApiError::InvalidId(what) => format!("the path does not hold a valid {what}"),
            ApiError::InvalidQuery(_) => "the query string is not valid".into(),
            ApiError::UnsupportedMediaType => {
                "send the body as Content-Type: application/json".into()
            }
            ApiError::PayloadTooLarge => {
                format!("the body is larger than {} bytes", crate::BODY_LIMIT_BYTES)
            }
            ApiError::NotFound(what) => format!("{what} not found"),
            ApiError::MethodNotAllowed => {
                "this method is not allowed on this path; see the Allow header".into()
            }
            ApiError::EmailTaken => "another user already has this email".into(),
            ApiError::UserHasOrders => "the user has orders and cannot be deleted".into(),
            ApiError::InvalidTransition(reason) => reason.clone(),
            ApiError::IdempotencyKeyReused => {
                "this Idempotency-Key was used with a different order".into()
            }
            ApiError::Unavailable(_) => {
                "the service is temporarily unavailable; retry later".into()
            }
            ApiError::Internal(_) => "an internal error occurred".into(),
        }
    }

    fn details(&self) -> &[FieldError] {
        match self {
            ApiError::Validation(details) | ApiError::InvalidQuery(details) => details,
            _ => &[],
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::UnknownReferences(unknown) => unknown_references(unknown),
            DomainError::NotFound(Resource::User) => ApiError::NotFound("user".into()),
            DomainError::NotFound(Resource::Order) => ApiError::NotFound("order".into()),
            DomainError::NotFound(Resource::Product) => ApiError::NotFound("product".into()),
            DomainError::EmailTaken => ApiError::EmailTaken,
            DomainError::UserHasOrders => ApiError::UserHasOrders,
            error @ DomainError::InvalidTransition { .. } => {
                ApiError::InvalidTransition(error.to_string())
            }
            DomainError::IdempotencyKeyReused => ApiError::IdempotencyKeyReused,
            DomainError::Unavailable(source) => ApiError::Unavailable(Some(source)),
            DomainError::Internal(source) => ApiError::Internal(source),
        }
    }
}

/// Each unknown sku at its line, and the user if it is unknown too.
fn unknown_references(unknown: UnknownReferences) -> ApiError {
    let mut details: Vec<FieldError> = unknown
        .skus
        .into_iter()
        .map(|(index, sku)| {
            FieldError::new(
                FieldPath::from("items").index(index).key("sku"),
                format!("no product has sku {sku}"),
            )
        })
        .collect();
    if unknown.user {
        details.push(FieldError::new("userId", "no user has this id"));
    }
    ApiError::validation(details)
}

/// What went wrong, as every error response's `code` names it.
// The wire name is the variant's name in snake case; the OpenAPI schema lists them all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    MalformedJson,
    MalformedRequest,
    ValidationFailed,
    InvalidId,
    InvalidQuery,
    UnsupportedMediaType,
    PayloadTooLarge,
    NotFound,
    MethodNotAllowed,
    EmailTaken,
    UserHasOrders,
    InvalidTransition,
    IdempotencyKeyReused,
    Unavailable,
    Internal,
}

/// The error envelope every non-2xx response carries.
#[derive(Serialize, ToSchema)]
pub struct ErrorResponse<'a> {
    pub error: ErrorBody<'a>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody<'a> {
    pub code: ErrorCode,
    pub message: String,
    /// Sorted by field path, such as `items[2].qty`; may be empty.
    pub details: Vec<ErrorDetail<'a>>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail<'a> {
    pub field: String,
    pub message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        match &self {
            ApiError::Internal(cause) => tracing::error!(error = %cause, "internal error"),
            ApiError::Unavailable(Some(cause)) => {
                tracing::warn!(error = %cause, "store unavailable")
            }
            ApiError::Unavailable(None) => tracing::warn!("request timed out"),
            _ => {}
        }
        let mut details: Vec<&FieldError> = self.details().iter().collect();
        details.sort_by(|a, b| a.field.cmp(&b.field));
        let envelope = ErrorResponse {
            error: ErrorBody {
                code,
                message: self.message(),
                details: details
                    .into_iter()
                    .map(|d| ErrorDetail {
                        field: d.field.to_string(),
                        message: &d.message,
                    })
                    .collect(),
            },
        };
        let mut response = (status, Json(envelope)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;

    use super::*;

    async fn body_of(error: ApiError) -> (StatusCode, String, Option<String>) {
        let response = error.into_response();
        let status = response.status();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (
            status,
            String::from_utf8(body.to_vec()).unwrap(),
            retry_after,
        )
    }

    #[tokio::test]
    async fn a_bug_is_a_500_whose_cause_is_logged_but_never_sent() {
        let (status, body, _) = body_of(ApiError::Internal(
            "secret table users_pkey exploded".into(),
        ))
        .await;

        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            body,
            r#"{"error":{"code":"internal","message":"an internal error occurred","details":[]}}"#
        );
    }

    #[tokio::test]
    async fn unavailable_hides_its_cause_and_says_when_to_retry() {
        let (status, body, retry_after) = body_of(ApiError::Unavailable(Some(
            "connection refused at 10.0.0.7".into(),
        )))
        .await;

        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(!body.contains("10.0.0.7"), "{body}");
        assert_eq!(retry_after.as_deref(), Some("1"));
    }
}
