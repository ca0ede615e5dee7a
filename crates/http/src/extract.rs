//! Extractors that turn every rejection into our error envelope instead of axum's plain text.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::Value;
use twinstack_core::{IdempotencyKey, ListOrders, OrderId, UserId};

use crate::dto::order_page::ListOrdersParams;
use crate::error::ApiError;
use crate::field::FieldError;

/// A JSON body: `Content-Type: application/json` (parameters such as charset allowed), at most the
/// body limit, syntactically valid. Shape and rules are checked as [`crate::dto`] walks it, so the value
/// stays untyped here.
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::MalformedJson("the body could not be read".into())
                }
            })?;
        // serde_json refuses nesting deeper than 128 levels: that too is a malformed body.
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|error| ApiError::MalformedJson(error.to_string()))
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

async fn path_segment<S: Send + Sync>(parts: &mut Parts, state: &S) -> Option<String> {
    Path::<String>::from_request_parts(parts, state)
        .await
        .ok()
        .map(|Path(segment)| segment)
}

/// `{id}` as a user id: a positive integer, else 400 `invalid_id`.
pub struct UserIdParam(pub UserId);

impl<S: Send + Sync> FromRequestParts<S> for UserIdParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        path_segment(parts, state)
            .await
            .and_then(|segment| UserId::parse(&segment))
            .map(UserIdParam)
            .ok_or(ApiError::InvalidId("user id (a positive integer)"))
    }
}

/// `{id}` as an order id: a ULID, else 400 `invalid_id`.
pub struct OrderIdParam(pub OrderId);

impl<S: Send + Sync> FromRequestParts<S> for OrderIdParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        path_segment(parts, state)
            .await
            .and_then(|segment| OrderId::parse(&segment))
            .map(OrderIdParam)
            .ok_or(ApiError::InvalidId("order id (a ULID)"))
    }
}

/// `{sku}`: any segment; one that names no product is simply not found.
pub struct SkuParam(pub String);

impl<S: Send + Sync> FromRequestParts<S> for SkuParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        path_segment(parts, state)
            .await
            .map(SkuParam)
            .ok_or_else(|| ApiError::NotFound("product".into()))
    }
}

/// `?userId=&limit=&cursor=`, validated by [`ListOrdersParams`]; a parameter given twice is refused rather than guessed.
pub struct ListOrdersQuery(pub ListOrders);

impl<S: Send + Sync> FromRequestParts<S> for ListOrdersQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                ApiError::InvalidQuery(vec![FieldError::new(
                    "query",
                    "is not a valid query string",
                )])
            })?;
        let mut repeated = Vec::new();
        let mut find = |name: &str| {
            let mut values = pairs
                .iter()
                .filter(|(key, _)| key == name)
                .map(|(_, value)| value.as_str());
            let first = values.next();
            if values.next().is_some() {
                repeated.push(FieldError::new(name, "must be given at most once"));
            }
            first
        };
        let (user_id, limit, cursor) = (find("userId"), find("limit"), find("cursor"));
        let parsed = ListOrdersParams::parse(user_id, limit, cursor);
        match parsed {
            Ok(query) if repeated.is_empty() => Ok(ListOrdersQuery(query)),
            Ok(_) => Err(ApiError::InvalidQuery(repeated)),
            Err(mut errors) => {
                errors.append(&mut repeated);
                Err(ApiError::InvalidQuery(errors))
            }
        }
    }
}

/// The optional `Idempotency-Key` header; a malformed one is a field error reported with the body's.
pub struct IdempotencyKeyHeader(pub Result<Option<IdempotencyKey>, FieldError>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKeyHeader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let key = match parts.headers.get("idempotency-key") {
            None => Ok(None),
            Some(value) => IdempotencyKey::parse(value.as_bytes())
                .map(Some)
                .map_err(|message| FieldError::new("Idempotency-Key", message)),
        };
        Ok(IdempotencyKeyHeader(key))
    }
}
