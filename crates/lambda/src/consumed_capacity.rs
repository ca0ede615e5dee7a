//! `x-dynamodb-consumed-capacity: read=R, write=W` on every response of the serverless twin: the
//! read and write capacity units its DynamoDB calls consumed, as DynamoDB itself reported them
//! (`ReturnConsumedCapacity`), so the cost model can price measured units rather than estimates.
//!
//! Units are plain numbers (`read=0.5, write=2`): DynamoDB bills in halves and wholes, so nothing
//! needs rounding. Calls that failed report nothing (see `twinstack_store_dynamodb::capacity`).

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::HeaderName;
use axum::middleware::Next;
use axum::response::Response;
use twinstack_store_dynamodb::capacity::{self, ConsumedCapacity};

pub const HEADER: HeaderName = HeaderName::from_static("x-dynamodb-consumed-capacity");

/// The middleware: meters the whole request, then reports what it consumed.
pub async fn layer(request: Request, next: Next) -> Response {
    let (mut response, used) = capacity::measure(next.run(request)).await;
    response.headers_mut().insert(HEADER, value(used));
    response
}

fn value(used: ConsumedCapacity) -> HeaderValue {
    HeaderValue::try_from(format!("read={}, write={}", used.read, used.write))
        .expect("numbers and punctuation are a valid header")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_written_without_needless_decimals() {
        let header = |read, write| value(ConsumedCapacity { read, write });

        assert_eq!(header(1.0, 2.0), "read=1, write=2");
        assert_eq!(header(0.5, 0.0), "read=0.5, write=0");
    }
}
