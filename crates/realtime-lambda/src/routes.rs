//! The WebSocket API's routes. `$connect` and `$disconnect` keep the connection item; every
//! message route (`subscribe`, `unsubscribe`, `ping`, `$default`) parses the body with the
//! protocol crate, so a frame gets the same answer whatever route API Gateway picked for it.
//!
//! Acknowledgements (`subscribed`, `unsubscribed`, `pong`) are the route's response, which API
//! Gateway returns to the client (the routes have route responses). Error frames are posted
//! through `@connections`, which also covers `$default`, a route without a response.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body;
use lambda_runtime::Error;
use twinstack_core::{Store, UserId};
use twinstack_realtime::{ClientFrame, ProtocolError, ServerFrame};

use crate::Realtime;
use crate::connections::Subscribed;
use crate::management::Delivery;

pub async fn handle(
    realtime: &Realtime,
    request: ApiGatewayWebsocketProxyRequest,
) -> Result<ApiGatewayProxyResponse, Error> {
    let context = &request.request_context;
    let connection = context
        .connection_id
        .as_deref()
        .ok_or("requestContext.connectionId is missing")?;
    match context.route_key.as_deref() {
        Some("$connect") => {
            realtime
                .connections
                .connect(connection, context.connected_at)
                .await?;
            Ok(response(None))
        }
        Some("$disconnect") => {
            realtime.connections.forget(connection).await?;
            Ok(response(None))
        }
        _ => {
            let frame = if request.is_base64_encoded {
                Err(ProtocolError::binary_frame())
            } else {
                ClientFrame::parse(request.body.as_deref().unwrap_or_default())
            };
            let answer = match frame {
                Ok(frame) => answer(realtime, connection, frame).await,
                Err(error) => Err(error),
            };
            match answer {
                Ok(reply) => Ok(response(Some(reply.to_text()))),
                Err(error) => {
                    let frame = ServerFrame::from(error).to_text();
                    if realtime.management.post(connection, &frame).await? == Delivery::Gone {
                        realtime.connections.forget(connection).await?;
                    }
                    Ok(response(None))
                }
            }
        }
    }
}

/// The acknowledgement of a well-formed frame, or the protocol error it earns (`unavailable` when
/// the table cannot be reached: the client may retry).
async fn answer(
    realtime: &Realtime,
    connection: &str,
    frame: ClientFrame,
) -> Result<ServerFrame, ProtocolError> {
    match frame {
        ClientFrame::Ping => Ok(ServerFrame::Pong),
        ClientFrame::Subscribe(user) => subscribe(realtime, connection, user).await,
        ClientFrame::Unsubscribe(user) => {
            match realtime.connections.unsubscribe(connection, user).await {
                Ok(()) => Ok(ServerFrame::Unsubscribed { user_id: user }),
                Err(error) => {
                    tracing::error!(%error, "unsubscribe");
                    Err(ProtocolError::unavailable())
                }
            }
        }
    }
}

/// The checks in the protocol's order: the cap, then whether the user exists.
async fn subscribe(
    realtime: &Realtime,
    connection: &str,
    user: UserId,
) -> Result<ServerFrame, ProtocolError> {
    let unavailable = |error: &dyn std::fmt::Display| {
        tracing::error!(%error, "subscribe");
        ProtocolError::unavailable()
    };
    let followed = realtime
        .connections
        .subscriptions(connection)
        .await
        .map_err(|error| unavailable(&error))?;
    followed.admit(user)?;
    if followed.contains(user) {
        return Ok(ServerFrame::Subscribed { user_id: user });
    }
    match realtime.store.get_user(user).await {
        Ok(Some(_)) => {}
        Ok(None) => return Err(ProtocolError::user_not_found(user)),
        Err(error) => return Err(unavailable(&error)),
    }
    match realtime.connections.subscribe(connection, user).await {
        Ok(Subscribed::Added | Subscribed::AlreadyFollowed) => {
            Ok(ServerFrame::Subscribed { user_id: user })
        }
        Ok(Subscribed::Full) => Err(ProtocolError::too_many_subscriptions()),
        Err(error) => Err(unavailable(&error)),
    }
}

fn response(body: Option<String>) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = 200;
    response.body = body.map(Body::Text);
    response
}
