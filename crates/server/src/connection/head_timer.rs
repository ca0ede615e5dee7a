//! The header read timeout, counted on a kept-alive connection from the first byte of the next
//! request rather than from the end of the previous response.
//!
//! hyper starts its header timer whenever it waits for a request head, between requests too, so
//! on its own an idle keep-alive connection would close after `HEADER_READ_TIMEOUT_SECS` however
//! long `KEEP_ALIVE_TIMEOUT_SECS` is. A load balancer that keeps idle connections to the pods
//! longer than that (the ALB, for its idle timeout) would then send a request on a connection the
//! server is closing and answer 502. With this timer, an idle connection is the keep-alive
//! timeout's to close (`serve_connection`), and a head must still arrive whole within the header
//! read timeout once it has begun. A new connection's first head is timed from the accept, as
//! hyper does: a client that connects and sends nothing is cut off by the header read timeout.
//!
//! A request arriving whole in one read never arms a tokio timer at all: the timer starts on the
//! first read that leaves the head incomplete.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};

use super::stream::Activity;

/// One connection's timer, given to hyper for its header read timeout (its only use of a timer
/// on an HTTP/1 server connection).
pub struct HeadTimer {
    activity: Activity,
    header_read_timeout: Duration,
    first_head_armed: AtomicBool,
}

impl HeadTimer {
    pub fn new(activity: Activity, header_read_timeout: Duration) -> Self {
        Self {
            activity,
            header_read_timeout,
            first_head_armed: AtomicBool::new(false),
        }
    }
}

impl Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        Box::pin(HeadSleep::Running(Box::pin(tokio::time::sleep(duration))))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        if self.first_head_armed.swap(true, Ordering::Relaxed) {
            Box::pin(HeadSleep::Waiting {
                reads_when_armed: self.activity.reads(),
                activity: self.activity.clone(),
                timeout: self.header_read_timeout,
            })
        } else {
            Box::pin(HeadSleep::Running(Box::pin(tokio::time::sleep_until(
                deadline.into(),
            ))))
        }
    }

    fn now(&self) -> Instant {
        tokio::time::Instant::now().into()
    }
}

/// The timer of one request head.
enum HeadSleep {
    /// Between requests, before any byte of the next head.
    Waiting {
        reads_when_armed: u64,
        activity: Activity,
        timeout: Duration,
    },
    Running(Pin<Box<tokio::time::Sleep>>),
}

impl Future for HeadSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if let HeadSleep::Waiting {
            reads_when_armed,
            activity,
            timeout,
        } = this
        {
            // hyper polls its header timer right after each read that leaves the head incomplete,
            // and that read has registered the wake-up for the next bytes: until bytes come there
            // is nothing to time, and the first poll that sees them is the first byte's moment.
            if activity.reads() == *reads_when_armed {
                return Poll::Pending;
            }
            *this = HeadSleep::Running(Box::pin(tokio::time::sleep(*timeout)));
        }
        match this {
            HeadSleep::Running(sleep) => sleep.as_mut().poll(cx),
            HeadSleep::Waiting { .. } => unreachable!("started above"),
        }
    }
}

impl Sleep for HeadSleep {}
