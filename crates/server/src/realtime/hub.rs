//! This pod's WebSocket connections and who follows which user: the fan-out of order events to
//! local subscribers. Each connection has a bounded outbox; a connection whose outbox is full when
//! an event arrives is told to close (1013) instead of holding up delivery to anyone else.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use axum::extract::ws::{Utf8Bytes, close_code};
use tokio::sync::{mpsc, watch};
use twinstack_core::UserId;
use twinstack_realtime::{ProtocolError, Subscriptions};

/// Open WebSocket connections on this pod (a gauge).
pub const CONNECTIONS: &str = "websocket_connections";

/// Why the server ends a connection: a WebSocket close code.
pub type CloseCode = u16;

#[derive(Clone)]
pub struct Hub(Arc<Inner>);

struct Inner {
    outbox_capacity: usize,
    /// Whether order events have been heard since the start: until then no client is accepted, as
    /// events it followed could be missed without a resync to tell it.
    listening: AtomicBool,
    next_id: AtomicU64,
    connections: RwLock<HashMap<u64, Handle>>,
    followers: RwLock<HashMap<UserId, HashMap<u64, Handle>>>,
}

/// The hub's side of one connection: its outbox, and the close it has been asked to make.
#[derive(Clone)]
struct Handle {
    outbox: mpsc::Sender<Utf8Bytes>,
    close: watch::Sender<Option<CloseCode>>,
}

impl Handle {
    /// Queues `frame`, or asks a connection that cannot take it to close with 1013.
    fn offer(&self, frame: Utf8Bytes) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.outbox.try_send(frame) {
            self.close_with(close_code::AGAIN);
        }
    }

    /// The first reason given wins.
    fn close_with(&self, code: CloseCode) {
        self.close.send_if_modified(|close| {
            let first = close.is_none();
            if first {
                *close = Some(code);
            }
            first
        });
    }
}

/// The reading side of one connection: the users it follows. Dropping it removes the connection
/// from the hub.
pub struct Connection {
    id: u64,
    hub: Hub,
    handle: Handle,
    subscriptions: Subscriptions,
}

/// The writing side of one connection: the frames to send, and the close to make instead.
pub struct Outlet {
    pub frames: mpsc::Receiver<Utf8Bytes>,
    pub close: watch::Receiver<Option<CloseCode>>,
}

impl Hub {
    /// `outbox_capacity` frames may wait for a slow reader before it is closed.
    pub fn new(outbox_capacity: usize) -> Self {
        Hub(Arc::new(Inner {
            outbox_capacity: outbox_capacity.max(1),
            listening: AtomicBool::new(false),
            next_id: AtomicU64::new(0),
            connections: RwLock::default(),
            followers: RwLock::default(),
        }))
    }

    pub fn connect(&self) -> (Connection, Outlet) {
        let (outbox, frames) = mpsc::channel(self.0.outbox_capacity);
        let (close_tx, close) = watch::channel(None);
        let id = self.0.next_id.fetch_add(1, Ordering::Relaxed);
        let handle = Handle {
            outbox,
            close: close_tx,
        };
        write(&self.0.connections).insert(id, handle.clone());
        metrics::gauge!(CONNECTIONS).increment(1.0);
        let connection = Connection {
            id,
            hub: self.clone(),
            handle,
            subscriptions: Subscriptions::default(),
        };
        (connection, Outlet { frames, close })
    }

    /// Sends `frame` to every local follower of `user`.
    pub fn publish(&self, user: UserId, frame: &Utf8Bytes) {
        if let Some(followers) = read(&self.0.followers).get(&user) {
            for handle in followers.values() {
                handle.offer(frame.clone());
            }
        }
    }

    /// Sends `frame` to every connection.
    pub fn broadcast(&self, frame: &Utf8Bytes) {
        for handle in read(&self.0.connections).values() {
            handle.offer(frame.clone());
        }
    }

    /// Asks every connection to close with `code`.
    pub fn close_all(&self, code: CloseCode) {
        for handle in read(&self.0.connections).values() {
            handle.close_with(code);
        }
    }

    /// Records that order events are being heard; `true` when they had been before (so clients may
    /// have missed some in between).
    pub fn listening(&self) -> bool {
        self.0.listening.swap(true, Ordering::SeqCst)
    }

    pub fn is_listening(&self) -> bool {
        self.0.listening.load(Ordering::SeqCst)
    }

    pub fn connection_count(&self) -> usize {
        read(&self.0.connections).len()
    }
}

impl Connection {
    /// Whether `user` may be followed without passing the subscription cap.
    pub fn admit(&self, user: UserId) -> Result<(), ProtocolError> {
        self.subscriptions.admit(user)
    }

    /// Starts delivering `user`'s events, queueing `reply` first: no event published after this
    /// call can overtake it, and none published before it follows it.
    pub fn follow(&mut self, user: UserId, reply: Utf8Bytes) -> Result<(), ProtocolError> {
        self.subscriptions.insert(user)?;
        let mut followers = write(&self.hub.0.followers);
        followers
            .entry(user)
            .or_default()
            .insert(self.id, self.handle.clone());
        self.handle.offer(reply);
        Ok(())
    }

    /// Stops delivering `user`'s events, then queues `reply`: nothing of `user`'s follows it.
    pub fn unfollow(&mut self, user: UserId, reply: Utf8Bytes) {
        if self.subscriptions.remove(user) {
            let mut followers = write(&self.hub.0.followers);
            remove_follower(&mut followers, user, self.id);
        }
        self.handle.offer(reply);
    }

    /// Whether the hub has asked this connection to close.
    pub fn is_closing(&self) -> bool {
        self.handle.close.borrow().is_some()
    }

    /// Queues a reply after whatever is already queued.
    pub fn reply(&self, reply: Utf8Bytes) {
        self.handle.offer(reply);
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        write(&self.hub.0.connections).remove(&self.id);
        let mut followers = write(&self.hub.0.followers);
        for user in self.subscriptions.iter() {
            remove_follower(&mut followers, user, self.id);
        }
        metrics::gauge!(CONNECTIONS).decrement(1.0);
    }
}

fn remove_follower(followers: &mut HashMap<UserId, HashMap<u64, Handle>>, user: UserId, id: u64) {
    if let Some(connections) = followers.get_mut(&user) {
        connections.remove(&id);
        if connections.is_empty() {
            followers.remove(&user);
        }
    }
}

/// The maps stay consistent whatever a panicking holder left half done: each change is one insert
/// or remove.
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}
