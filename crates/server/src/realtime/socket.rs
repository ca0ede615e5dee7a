//! One WebSocket connection: a reader that answers the client's frames, and a writer that drains the
//! connection's outbox until the hub asks it to close (1013 for a slow reader, 1001 at shutdown).

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, close_code};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use tokio::sync::watch;
use twinstack_core::Store;
use twinstack_realtime::{ClientFrame, ProtocolError, ServerFrame};

use super::hub::{CloseCode, Connection, Hub, Outlet};

/// How long a closing connection may take to send its close frame to a client that is not reading.
pub const CLOSE_GRACE: Duration = Duration::from_secs(5);

pub async fn serve<S: Store>(socket: WebSocket, store: S, hub: Hub) {
    let (connection, outlet) = hub.connect();
    let closing = outlet.close.clone();
    let (sink, stream) = socket.split();
    let writer = write(sink, outlet);
    tokio::pin!(writer);
    // The connection stays in the hub until the writer has sent its close.
    let connection = tokio::select! {
        connection = read(stream, connection, store, closing) => connection,
        () = &mut writer => return,
    };
    if connection.is_closing() {
        writer.await;
    }
}

/// Answers the client's frames until it leaves or the hub closes the connection.
async fn read<S: Store>(
    mut stream: SplitStream<WebSocket>,
    mut connection: Connection,
    store: S,
    mut closing: watch::Receiver<Option<CloseCode>>,
) -> Connection {
    loop {
        let message = tokio::select! {
            biased;
            _ = closing.wait_for(Option::is_some) => return connection,
            message = stream.next() => message,
        };
        match message {
            Some(Ok(Message::Text(text))) => answer(&text, &mut connection, &store).await,
            Some(Ok(Message::Binary(_))) => connection.reply(error(ProtocolError::binary_frame())),
            // axum answers pings itself.
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            Some(Ok(Message::Close(_)) | Err(_)) | None => return connection,
        }
    }
}

async fn answer<S: Store>(text: &str, connection: &mut Connection, store: &S) {
    match ClientFrame::parse(text) {
        Ok(ClientFrame::Ping) => connection.reply(frame(&ServerFrame::Pong)),
        Ok(ClientFrame::Subscribe(user)) => {
            if let Err(refused) = connection.admit(user) {
                return connection.reply(error(refused));
            }
            match store.get_user(user).await {
                Ok(Some(_)) => {
                    let reply = frame(&ServerFrame::Subscribed { user_id: user });
                    if let Err(refused) = connection.follow(user, reply) {
                        connection.reply(error(refused));
                    }
                }
                Ok(None) => connection.reply(error(ProtocolError::user_not_found(user))),
                Err(cause) => {
                    tracing::warn!(error = %cause, "subscribe: store unavailable");
                    connection.reply(error(ProtocolError::unavailable()));
                }
            }
        }
        Ok(ClientFrame::Unsubscribe(user)) => {
            connection.unfollow(user, frame(&ServerFrame::Unsubscribed { user_id: user }));
        }
        Err(refused) => connection.reply(error(refused)),
    }
}

/// Sends queued frames in order; once the hub asks for a close, sends it and stops.
async fn write(mut sink: SplitSink<WebSocket, Message>, mut outlet: Outlet) {
    loop {
        let next = tokio::select! {
            biased;
            code = requested_close(&mut outlet.close) => return close(&mut sink, code).await,
            next = outlet.frames.recv() => next,
        };
        let Some(text) = next else { return };
        // A client that stops reading blocks this send; the hub's close request still gets through.
        tokio::select! {
            biased;
            code = requested_close(&mut outlet.close) => return close(&mut sink, code).await,
            sent = sink.send(Message::Text(text)) => if sent.is_err() { return },
        }
    }
}

/// The close the hub asked for; pending while none is, or once the connection has left the hub.
async fn requested_close(close: &mut watch::Receiver<Option<CloseCode>>) -> CloseCode {
    match close
        .wait_for(Option::is_some)
        .await
        .ok()
        .and_then(|code| *code)
    {
        Some(code) => code,
        None => std::future::pending().await,
    }
}

async fn close(sink: &mut SplitSink<WebSocket, Message>, code: CloseCode) {
    let reason = match code {
        close_code::AGAIN => "consumer too slow",
        close_code::AWAY => "server shutting down",
        _ => "",
    };
    let close = Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }));
    let _ = tokio::time::timeout(CLOSE_GRACE, sink.send(close)).await;
}

fn frame(frame: &ServerFrame) -> Utf8Bytes {
    frame.to_text().into()
}

fn error(refused: ProtocolError) -> Utf8Bytes {
    frame(&ServerFrame::from(refused))
}
