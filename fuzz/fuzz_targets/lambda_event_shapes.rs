//! Every HTTP event shape a Lambda function is sent — API Gateway REST (v1, the console's test
//! event among them), HTTP API (v2), function URL, ALB — with any method, path, stage, host,
//! headers, query and body: each answers with an HTTP response, never a function error or a panic.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Shape {
    RestV1,
    HttpApiV2,
    FunctionUrl,
    Alb,
}

#[derive(Arbitrary, Debug)]
struct Event<'a> {
    shape: Shape,
    method: &'a str,
    path: &'a str,
    stage: &'a str,
    host: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    query: Vec<(&'a str, &'a str)>,
    body: Option<&'a str>,
    base64: bool,
}

fuzz_target!(
    init: twinstack_fuzz::quiet_caught_panics(),
    |event: Event<'_>| twinstack_fuzz::assert_answers(&to_json(&event).to_string())
);

fn to_json(event: &Event<'_>) -> Value {
    let mut headers: Map<String, Value> = event
        .headers
        .iter()
        .map(|(name, value)| ((*name).to_owned(), json!(value)))
        .collect();
    headers.insert("host".to_owned(), json!(event.host));
    let query: Map<String, Value> = event
        .query
        .iter()
        .map(|(name, value)| ((*name).to_owned(), json!(value)))
        .collect();
    let multi = |map: &Map<String, Value>| -> Map<String, Value> {
        map.iter()
            .map(|(name, value)| (name.clone(), json!([value])))
            .collect()
    };
    let raw_query: Vec<String> = event
        .query
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    match event.shape {
        Shape::RestV1 => json!({
            "resource": "/{proxy+}",
            "path": event.path,
            "httpMethod": event.method,
            "multiValueHeaders": multi(&headers),
            "headers": headers,
            "multiValueQueryStringParameters": multi(&query),
            "queryStringParameters": query,
            "pathParameters": {"proxy": event.path},
            "stageVariables": null,
            "requestContext": {
                "accountId": "123456789012",
                "resourceId": "us4z18",
                "stage": event.stage,
                "requestId": "fuzz",
                "identity": {"sourceIp": "192.0.2.10"},
                "resourcePath": "/{proxy+}",
                "httpMethod": event.method,
                "apiId": "abc123",
                "path": format!("/{}{}", event.stage, event.path),
                "protocol": "HTTP/1.1"
            },
            "body": event.body,
            "isBase64Encoded": event.base64
        }),
        Shape::HttpApiV2 | Shape::FunctionUrl => {
            let domain = match event.shape {
                Shape::FunctionUrl => "abc123.lambda-url.eu-west-1.on.aws",
                _ => "abc123.execute-api.eu-west-1.amazonaws.com",
            };
            json!({
                "version": "2.0",
                "routeKey": "$default",
                "rawPath": event.path,
                "rawQueryString": raw_query.join("&"),
                "headers": headers,
                "queryStringParameters": query,
                "requestContext": {
                    "accountId": "123456789012",
                    "apiId": "abc123",
                    "domainName": domain,
                    "http": {"method": event.method, "path": event.path, "protocol": "HTTP/1.1",
                             "sourceIp": "192.0.2.10", "userAgent": "fuzz"},
                    "requestId": "fuzz",
                    "routeKey": "$default",
                    "stage": event.stage,
                    "time": "03/Dec/2026:14:00:00 +0000",
                    "timeEpoch": 1_796_306_400_000_u64
                },
                "body": event.body,
                "isBase64Encoded": event.base64
            })
        }
        Shape::Alb => json!({
            "requestContext": {"elb": {"targetGroupArn":
                "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/twinstack/abc"}},
            "httpMethod": event.method,
            "path": event.path,
            "queryStringParameters": query,
            "headers": headers,
            "isBase64Encoded": event.base64,
            "body": event.body
        }),
    }
}
