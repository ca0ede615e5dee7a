//! One route: `GET /api/users/{id}` → 200 `application/json`; anything else an empty 404.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use crate::clients::Clients;
use crate::user_json;

pub async fn answer<B>(clients: &Clients, request: &Request<B>) -> Response<Full<Bytes>> {
    let Some(id) = user_id(request.method(), request.uri().path()) else {
        return empty(StatusCode::NOT_FOUND);
    };
    let rendered = match clients.user(id).await {
        Ok(Some(row)) => user_json::render(&row),
        Ok(None) => return empty(StatusCode::NOT_FOUND),
        Err(err) => Err(err.into()),
    };
    match rendered {
        Ok(body) => {
            let mut response = Response::new(Full::new(Bytes::from(body)));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(err) => {
            eprintln!("user {id}: {err:#}");
            empty(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// The id of `GET /api/users/{id}`: ASCII digits only, positive, fitting an `i64`.
fn user_id(method: &Method, path: &str) -> Option<i64> {
    let digits = path.strip_prefix("/api/users/")?;
    if method != Method::GET || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|id| *id > 0)
}

fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_positive_decimal_id_under_get_is_a_user_id() {
        assert_eq!(user_id(&Method::GET, "/api/users/42"), Some(42));
        for path in [
            "/api/users/",
            "/api/users/0",
            "/api/users/+1",
            "/api/users/-1",
            "/api/users/1x",
            "/api/users/1/summary",
            "/api/users/99999999999999999999",
            "/api/users",
            "/",
        ] {
            assert_eq!(user_id(&Method::GET, path), None, "{path}");
        }
        assert_eq!(user_id(&Method::POST, "/api/users/42"), None);
    }
}
