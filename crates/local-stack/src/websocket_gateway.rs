//! A local API Gateway WebSocket API, as a test and bench harness: it accepts WebSocket clients on
//! loopback, turns connect / message / disconnect into API Gateway's Lambda proxy events (the shape
//! of AWS's documented examples, `tests/fixtures/apigw-websocket-*.json`), invokes the function
//! through `cargo lambda watch`'s Invoke API, and serves the `@connections` management API on the
//! same host, so the function's `aws-sdk-apigatewaymanagement` client posts to it unchanged once
//! its endpoint points here ([`WebSocketGatewayHarness::connections_endpoint`]).
//!
//! As API Gateway does: route selection on `$request.body.action` (a route key among the
//! configured ones, else `$default`); `$connect` answered with anything but 2xx refuses the
//! handshake with that status; the body of a two-way route's response goes back to the client;
//! a failed invocation answers `{"message":"Internal server error",…}`; messages up to 128 KiB;
//! `POST`/`GET`/`DELETE /{stage}/@connections/{id}` with `410 GoneException` for unknown ids.
//!
//! Unlike API Gateway, one connection's messages are invoked one at a time, in order (API Gateway
//! may invoke concurrently), and frames over 32 KiB are passed on (API Gateway takes a message of
//! up to 128 KiB only split into frames of at most 32 KiB).

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use aws_lambda_events::apigw::{ApiGatewayRequestIdentity, ApiGatewayWebsocketProxyRequest};
use axum::Router;
use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use base64::Engine;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::lambda_invoke::{LambdaInvoker, without_absent_fields};

/// API Gateway's WebSocket message payload quota.
const MAX_MESSAGE_BYTES: usize = 128 * 1024;
/// The API id in events and in the `Host` the harness claims to be.
const API_ID: &str = "local";

/// What the harness routes, as an API's route configuration says.
#[derive(Clone, Debug)]
pub struct GatewayRoutes {
    /// Route keys besides `$connect`, `$disconnect` and `$default`, selected by `$request.body.action`.
    pub route_keys: Vec<String>,
    /// Routes with a route response: the function's response body goes back to the client.
    pub two_way: Vec<String>,
}

impl GatewayRoutes {
    /// Every one of `keys` a route with a route response.
    pub fn all_two_way(keys: &[&str]) -> GatewayRoutes {
        let keys: Vec<String> = keys.iter().map(|key| (*key).to_owned()).collect();
        GatewayRoutes {
            route_keys: keys.clone(),
            two_way: keys,
        }
    }
}

pub struct WebSocketGatewayHarness {
    address: SocketAddr,
    stage: String,
    server: tokio::task::JoinHandle<()>,
}

/// The harness's socket, bound but not serving yet: the function's environment needs
/// [`Self::connections_endpoint`] before the function (and so the harness) can start.
pub struct BoundGateway {
    listener: tokio::net::TcpListener,
    address: SocketAddr,
    stage: String,
}

impl BoundGateway {
    /// A free loopback port for the stage `stage`.
    pub async fn bind(stage: &str) -> anyhow::Result<Self> {
        Self::bind_to(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), stage).await
    }

    /// `address` for the stage `stage` (`twinstack realtime-harness` in a container: all interfaces).
    pub async fn bind_to(address: SocketAddr, stage: &str) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("binding {address}"))?;
        Ok(BoundGateway {
            address: listener.local_addr()?,
            listener,
            stage: stage.to_owned(),
        })
    }

    /// See [`WebSocketGatewayHarness::connections_endpoint`].
    pub fn connections_endpoint(&self) -> String {
        format!("http://{}/{}", self.address, self.stage)
    }

    /// Serves clients, routing every connection's events to `function`.
    pub fn start(self, function: LambdaInvoker, routes: GatewayRoutes) -> WebSocketGatewayHarness {
        let gateway = Arc::new(Gateway {
            function,
            stage: self.stage.clone(),
            route_keys: routes.route_keys.into_iter().collect(),
            two_way: routes.two_way.into_iter().collect(),
            connections: Mutex::default(),
        });
        let app = Router::new()
            .route("/{stage}", get(connect))
            .route("/{stage}/@connections/{id}", any(manage))
            .with_state(gateway);
        let listener = self.listener;
        let server = tokio::spawn(async move {
            let service = app.into_make_service_with_connect_info::<SocketAddr>();
            if let Err(error) = axum::serve(listener, service).await {
                tracing::error!(%error, "websocket gateway harness stopped");
            }
        });
        WebSocketGatewayHarness {
            address: self.address,
            stage: self.stage,
            server,
        }
    }
}

impl WebSocketGatewayHarness {
    /// The stage URL clients connect to: `ws://127.0.0.1:PORT/{stage}`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/{}", self.address, self.stage)
    }

    /// The stage's callback URL, as `CONNECTIONS_ENDPOINT` for the function's management client.
    pub fn connections_endpoint(&self) -> String {
        format!("http://{}/{}", self.address, self.stage)
    }
}

impl Drop for WebSocketGatewayHarness {
    fn drop(&mut self) {
        self.server.abort();
    }
}

struct Gateway {
    function: LambdaInvoker,
    stage: String,
    route_keys: HashSet<String>,
    two_way: HashSet<String>,
    connections: Mutex<HashMap<String, Connection>>,
}

/// One open connection, as `@connections` sees it.
struct Connection {
    outbox: mpsc::UnboundedSender<Outgoing>,
    caller: Arc<Caller>,
}

enum Outgoing {
    Message(Message),
    /// `DELETE @connections/{id}`: API Gateway closes with 1000 (Normal closure).
    Close,
}

/// What an event is for: the event type and the route key API Gateway puts in it.
enum Kind<'a> {
    Connect {
        headers: &'a HeaderMap,
        query: Option<&'a str>,
    },
    Message {
        route: String,
        body: String,
        is_base64_encoded: bool,
    },
    Disconnect {
        status: u16,
        reason: String,
    },
}

/// Everything an event carries besides what [`Kind`] adds.
struct Caller {
    stage: String,
    connection_id: String,
    connected_at_ms: i64,
    source_ip: String,
    user_agent: Option<String>,
}

/// The event API Gateway's Lambda proxy integration sends, built on `aws_lambda_events`' type and
/// written without the fields its serialisation fills with `null` or `{}` where API Gateway sends none.
fn websocket_event(kind: Kind<'_>, caller: &Caller) -> Value {
    let now_ms = epoch_ms();
    let mut request = ApiGatewayWebsocketProxyRequest::default();
    let mut identity = ApiGatewayRequestIdentity::default();
    identity.source_ip = Some(caller.source_ip.clone());
    let context = &mut request.request_context;
    let (route_key, event_type) = match kind {
        Kind::Connect { headers, query } => {
            identity.user_agent = caller.user_agent.clone();
            request.headers = headers.clone();
            request.multi_value_headers = headers.clone();
            if let Some(query) = query {
                request.query_string_parameters = query.parse().unwrap_or_default();
                request.multi_value_query_string_parameters =
                    request.query_string_parameters.clone();
            }
            ("$connect".to_owned(), "CONNECT")
        }
        Kind::Message {
            route,
            body,
            is_base64_encoded,
        } => {
            context.message_id = Some(request_id());
            request.body = Some(body);
            request.is_base64_encoded = is_base64_encoded;
            (route, "MESSAGE")
        }
        Kind::Disconnect { status, reason } => {
            // What API Gateway sends on `$disconnect`, whatever the client sent on connect.
            for name in ["Host", "x-api-key", "X-Forwarded-For", "x-restapi"] {
                let value = if name == "Host" { "127.0.0.1" } else { "" };
                let value = axum::http::HeaderValue::from_static(value);
                request.headers.insert(name, value.clone());
                request.multi_value_headers.insert(name, value);
            }
            context.disconnect_status_code = Some(i64::from(status));
            context.disconnect_reason = Some(reason);
            ("$disconnect".to_owned(), "DISCONNECT")
        }
    };
    let request_id = request_id();
    context.route_key = Some(route_key);
    context.event_type = Some(event_type.to_owned());
    context.extended_request_id = Some(request_id.clone());
    context.request_id = Some(request_id);
    context.request_time = Some(request_time(now_ms));
    context.message_direction = Some("IN".to_owned());
    context.stage = Some(caller.stage.clone());
    context.connected_at = caller.connected_at_ms;
    context.request_time_epoch = now_ms;
    context.identity = identity;
    context.domain_name = Some("127.0.0.1".to_owned());
    context.connection_id = Some(caller.connection_id.clone());
    context.apiid = Some(API_ID.to_owned());
    let mut event = serde_json::to_value(&request).expect("the event type serialises");
    // The event, its requestContext, and that context's identity.
    without_absent_fields(&mut event, 3);
    event
}

/// `$request.body.action` when it names a configured route, else `$default`.
fn select_route(gateway: &Gateway, body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|value| value.get("action")?.as_str().map(str::to_owned))
        .filter(|action| gateway.route_keys.contains(action))
        .unwrap_or_else(|| "$default".to_owned())
}

async fn connect(
    State(gateway): State<Arc<Gateway>>,
    Path(stage): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if stage != gateway.stage {
        return StatusCode::FORBIDDEN.into_response();
    }
    let caller = Arc::new(Caller {
        stage: gateway.stage.clone(),
        connection_id: request_id(),
        connected_at_ms: epoch_ms(),
        source_ip: peer.ip().to_string(),
        user_agent: headers
            .get("user-agent")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
    });
    let event = websocket_event(
        Kind::Connect {
            headers: &headers,
            query: query.as_deref(),
        },
        &caller,
    );
    let status = match gateway.function.invoke(&event).await {
        Ok(response) => response["statusCode"].as_u64().unwrap_or(200),
        Err(error) => {
            tracing::error!(%error, "$connect");
            500
        }
    };
    if !(200..300).contains(&status) {
        return StatusCode::from_u16(status as u16)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response();
    }
    let (outbox, inbox) = mpsc::unbounded_channel();
    gateway.connections.lock().unwrap().insert(
        caller.connection_id.clone(),
        Connection {
            outbox: outbox.clone(),
            caller: caller.clone(),
        },
    );
    upgrade
        .max_message_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| async move {
            serve(&gateway, socket, outbox, inbox, &caller).await;
        })
}

/// One connection: its messages invoked in order, what the function posts written back, and
/// `$disconnect` once it closes either way.
async fn serve(
    gateway: &Gateway,
    socket: WebSocket,
    outbox: mpsc::UnboundedSender<Outgoing>,
    mut inbox: mpsc::UnboundedReceiver<Outgoing>,
    caller: &Caller,
) {
    let (mut sink, mut stream) = socket.split();
    let writer = tokio::spawn(async move {
        while let Some(outgoing) = inbox.recv().await {
            let message = match outgoing {
                Outgoing::Message(message) => message,
                Outgoing::Close => Message::Close(Some(CloseFrame {
                    code: 1000,
                    reason: "".into(),
                })),
            };
            let closing = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || closing {
                break;
            }
        }
    });
    let (mut status, mut reason) = (1006, "Going away".to_owned());
    while let Some(received) = stream.next().await {
        let (body, is_base64_encoded) = match received {
            Ok(Message::Text(text)) => (text.as_str().to_owned(), false),
            Ok(Message::Binary(bytes)) => (
                base64::engine::general_purpose::STANDARD.encode(&bytes),
                true,
            ),
            Ok(Message::Ping(_) | Message::Pong(_)) => continue,
            Ok(Message::Close(frame)) => {
                (status, reason) = frame.map_or(
                    (1005, "Client-side close frame status not set".to_owned()),
                    |frame| (frame.code, frame.reason.as_str().to_owned()),
                );
                break;
            }
            Err(error) => {
                reason = error.to_string();
                break;
            }
        };
        let route = if is_base64_encoded {
            "$default".to_owned()
        } else {
            select_route(gateway, &body)
        };
        let two_way = gateway.two_way.contains(&route);
        let event = websocket_event(
            Kind::Message {
                route,
                body,
                is_base64_encoded,
            },
            caller,
        );
        let reply = match gateway.function.invoke(&event).await {
            Ok(response) => response["body"]
                .as_str()
                .filter(|_| two_way)
                .map(str::to_owned),
            Err(error) => {
                tracing::error!(%error, "message route");
                Some(
                    json!({
                        "message": "Internal server error",
                        "connectionId": caller.connection_id,
                        "requestId": event["requestContext"]["requestId"],
                    })
                    .to_string(),
                )
            }
        };
        if let Some(reply) = reply {
            let _ = outbox.send(Outgoing::Message(Message::text(reply)));
        }
    }
    gateway
        .connections
        .lock()
        .unwrap()
        .remove(&caller.connection_id);
    drop(outbox);
    let _ = writer.await;
    let event = websocket_event(Kind::Disconnect { status, reason }, caller);
    if let Err(error) = gateway.function.invoke(&event).await {
        tracing::error!(%error, "$disconnect");
    }
}

/// `@connections/{id}`: POST sends the body as one frame, GET describes, DELETE closes.
async fn manage(
    State(gateway): State<Arc<Gateway>>,
    Path((stage, id)): Path<(String, String)>,
    method: Method,
    body: Bytes,
) -> Response {
    let connections = gateway.connections.lock().unwrap();
    let Some(connection) = connections.get(&id).filter(|_| stage == gateway.stage) else {
        return gone();
    };
    match method {
        Method::POST => {
            let message = match String::from_utf8(body.to_vec()) {
                Ok(text) => Message::text(text),
                Err(bytes) => Message::binary(bytes.into_bytes()),
            };
            if connection.outbox.send(Outgoing::Message(message)).is_err() {
                return gone();
            }
            StatusCode::OK.into_response()
        }
        Method::DELETE => {
            let _ = connection.outbox.send(Outgoing::Close);
            StatusCode::NO_CONTENT.into_response()
        }
        Method::GET => {
            let caller = &connection.caller;
            let connected_at = iso_time(caller.connected_at_ms);
            axum::Json(json!({
                "ConnectedAt": connected_at,
                "Identity": {
                    "SourceIp": caller.source_ip,
                    "UserAgent": caller.user_agent,
                },
                "LastActiveAt": connected_at,
            }))
            .into_response()
        }
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}

/// The management API's answer for a connection that is not (or no longer) open.
fn gone() -> Response {
    (
        StatusCode::GONE,
        [("x-amzn-ErrorType", "GoneException")],
        axum::Json(json!({"message": null})),
    )
        .into_response()
}

fn epoch_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as i64)
}

/// A fresh id in the style of API Gateway's connection and request ids.
fn request_id() -> String {
    base64::engine::general_purpose::STANDARD.encode(ulid::Ulid::new().to_bytes())
}

/// `requestTime`: `09/Feb/2024:18:23:28 +0000`.
fn request_time(epoch_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(epoch_ms)
        .unwrap_or_default()
        .format("%d/%b/%Y:%H:%M:%S +0000")
        .to_string()
}

fn iso_time(epoch_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(epoch_ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lambda_invoke::shape;

    const OPAQUE: [&str; 3] = ["headers", "multiValueHeaders", "body"];

    fn caller() -> Caller {
        Caller {
            stage: "prod".into(),
            connection_id: "AAAA1234=".into(),
            connected_at_ms: 1_707_502_303_419,
            source_ip: "127.0.0.1".into(),
            user_agent: Some("tungstenite".into()),
        }
    }

    fn documented(fixture: &str) -> Value {
        let event: Value = serde_json::from_str(fixture).unwrap();
        // Every documented example reads as the function's event type.
        serde_json::from_value::<ApiGatewayWebsocketProxyRequest>(event.clone()).unwrap();
        event
    }

    #[test]
    fn a_connect_event_has_the_shape_of_awss_example() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "127.0.0.1".parse().unwrap());
        headers.insert("sec-websocket-version", "13".parse().unwrap());

        let event = websocket_event(
            Kind::Connect {
                headers: &headers,
                query: None,
            },
            &caller(),
        );

        let example = documented(include_str!(
            "../tests/fixtures/apigw-websocket-connect.json"
        ));
        assert_eq!(shape(&event, &OPAQUE), shape(&example, &OPAQUE));
        assert_eq!(event["requestContext"]["routeKey"], "$connect");
        assert_eq!(event["multiValueHeaders"]["host"], json!(["127.0.0.1"]));
    }

    #[test]
    fn a_message_event_has_the_shape_of_awss_example() {
        let event = websocket_event(
            Kind::Message {
                route: "subscribe".into(),
                body: r#"{"action":"subscribe","userId":42}"#.into(),
                is_base64_encoded: false,
            },
            &caller(),
        );

        let example = documented(include_str!(
            "../tests/fixtures/apigw-websocket-message.json"
        ));
        assert_eq!(shape(&event, &OPAQUE), shape(&example, &OPAQUE));
        assert_eq!(event["body"], example["body"]);
        assert_eq!(event["requestContext"]["connectionId"], "AAAA1234=");
    }

    #[test]
    fn a_disconnect_event_has_the_shape_of_awss_example() {
        let event = websocket_event(
            Kind::Disconnect {
                status: 1005,
                reason: "Client-side close frame status not set".into(),
            },
            &caller(),
        );

        let example = documented(include_str!(
            "../tests/fixtures/apigw-websocket-disconnect.json"
        ));
        assert_eq!(shape(&event, &OPAQUE), shape(&example, &OPAQUE));
        assert_eq!(event["requestContext"]["disconnectStatusCode"], 1005);
    }

    #[test]
    fn routes_are_selected_by_the_bodys_action() {
        let gateway = Gateway {
            function: LambdaInvoker::new(1, "f"),
            stage: "prod".into(),
            route_keys: ["subscribe", "ping"].map(str::to_owned).into(),
            two_way: HashSet::new(),
            connections: Mutex::default(),
        };

        assert_eq!(select_route(&gateway, r#"{"action":"ping"}"#), "ping");
        assert_eq!(
            select_route(&gateway, r#"{"action":"subscribe","userId":1}"#),
            "subscribe"
        );
        for other in [r#"{"action":"publish"}"#, r#"{"action":1}"#, "{", "[]", ""] {
            assert_eq!(select_route(&gateway, other), "$default", "{other}");
        }
    }
}
