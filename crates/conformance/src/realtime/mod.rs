//! The real-time conformance suite: black-box checks of `/api/ws`'s contract that take the twin's
//! base URL (to write over HTTP) and its WebSocket URL, nothing else. A twin's test file calls
//! [`realtime_suite!`](crate::realtime_suite) with a function that starts a fresh, seeded instance
//! and returns its [`RealtimeTwin`]; every check becomes one test.

pub mod checks;
mod socket;

pub use socket::Socket;

use std::time::Duration;

use crate::Api;

/// A twin under test: its HTTP API and the URL clients open WebSockets on.
#[derive(Clone, Debug)]
pub struct RealtimeTwin {
    pub api: Api,
    pub ws_url: String,
}

impl RealtimeTwin {
    pub async fn connect(&self) -> Socket {
        Socket::connect(&self.ws_url).await
    }

    /// Waits until the twin accepts WebSocket clients (a server starting up may refuse them), for
    /// at most `within`; `false` if it never did.
    pub async fn wait_until_accepting(&self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        while tokio::time::Instant::now() < deadline {
            if tokio_tungstenite::connect_async(&self.ws_url).await.is_ok() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }
}

/// Expands to one `#[tokio::test]` per real-time check, each on a fresh instance from `$spawn`.
#[macro_export]
macro_rules! realtime_suite {
    ($spawn:path) => {
        $crate::realtime_suite!(@each $spawn;
            ping_is_answered_with_pong,
            subscribe_and_unsubscribe_are_acknowledged,
            unsubscribed_connections_hear_nothing_more,
            created_and_status_changed_arrive_once_in_commit_order,
            the_order_is_byte_identical_to_the_http_api,
            every_subscriber_of_a_user_receives_every_event,
            a_connection_hears_only_the_users_it_follows,
            subscribing_to_a_missing_user_is_not_found,
            every_bad_frame_is_answered_and_the_connection_stays_open,
            frames_over_32_kib_are_too_large,
            more_than_100_subscriptions_are_refused,
        );
    };
    (@each $spawn:path; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let _turn = $crate::turn(stringify!($check)).await;
                let twin: $crate::realtime::RealtimeTwin = $spawn().await;
                $crate::realtime::checks::$check(&twin).await;
            }
        )*
    };
}
