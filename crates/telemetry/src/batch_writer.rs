//! The server's log writer: every thread appends its lines to one buffer, and a thread of its own
//! writes the buffer out when [`BATCH_BYTES`] are waiting or [`FLUSH_EVERY`] has passed, so a
//! request pays for a copy under a lock and no system call, and the writer wakes a few dozen times
//! a second instead of once per line (`tracing-appender`'s non-blocking writer sends each line
//! through a channel and wakes its thread for it, which cost the server more CPU per request than
//! formatting the line).
//!
//! Nothing is dropped: past [`MAX_PENDING_BYTES`] (a stalled stdout), the thread that logs writes
//! the batch out itself, and waits for stdout like an unbuffered writer would. Lines are written
//! whole and in order. What is still buffered is written when the [`FlushOnDrop`] guard is dropped;
//! a process killed outright loses at most the last [`FLUSH_EVERY`] of lines.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// The longest a line waits in the buffer.
pub(crate) const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// A batch this big is written at once.
pub(crate) const BATCH_BYTES: usize = 64 * 1024;
/// Past this, the logging thread writes the batch itself instead of adding to it.
pub(crate) const MAX_PENDING_BYTES: usize = 1024 * 1024;

/// The writer the log layer asks for a line at a time.
#[derive(Clone)]
pub(crate) struct BatchWriter {
    shared: Arc<Shared>,
}

/// Stops the writer thread when dropped, after it has written every line it was given.
pub(crate) struct FlushOnDrop {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for FlushOnDrop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlushOnDrop").finish_non_exhaustive()
    }
}

pub(crate) struct Shared {
    pending: Mutex<Vec<u8>>,
    /// Held while a batch is taken and written, so batches go out in the order they were filled.
    output: Mutex<Box<dyn Write + Send>>,
    batch_ready: Condvar,
    stopping: AtomicBool,
}

impl BatchWriter {
    /// Batches lines for `output`, written from a thread named `thread_name`.
    pub(crate) fn spawn(
        output: impl Write + Send + 'static,
        thread_name: &str,
    ) -> io::Result<(BatchWriter, FlushOnDrop)> {
        let shared = Arc::new(Shared {
            pending: Mutex::new(Vec::with_capacity(BATCH_BYTES)),
            output: Mutex::new(Box::new(output)),
            batch_ready: Condvar::new(),
            stopping: AtomicBool::new(false),
        });
        let writer = shared.clone();
        let thread = std::thread::Builder::new()
            .name(thread_name.to_owned())
            .spawn(move || writer.run())?;
        Ok((
            BatchWriter {
                shared: shared.clone(),
            },
            FlushOnDrop {
                shared,
                thread: Some(thread),
            },
        ))
    }
}

impl Shared {
    fn pending(&self) -> MutexGuard<'_, Vec<u8>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The writer thread: waits for a batch or the interval, writes, until stopped.
    fn run(&self) {
        loop {
            let stopping = {
                let pending = self.pending();
                let (_pending, _) = self
                    .batch_ready
                    .wait_timeout_while(pending, FLUSH_EVERY, |pending| {
                        pending.len() < BATCH_BYTES && !self.stopping.load(Ordering::Acquire)
                    })
                    .unwrap_or_else(PoisonError::into_inner);
                self.stopping.load(Ordering::Acquire)
            };
            self.write_out();
            if stopping {
                return;
            }
        }
    }

    /// Writes what is pending. A failing stdout loses those lines, never the request.
    fn write_out(&self) {
        let mut output = self.output.lock().unwrap_or_else(PoisonError::into_inner);
        let batch = {
            let mut pending = self.pending();
            if pending.is_empty() {
                return;
            }
            std::mem::replace(&mut *pending, Vec::with_capacity(BATCH_BYTES))
        };
        let _ = output.write_all(&batch).and_then(|()| output.flush());
    }
}

impl io::Write for &Shared {
    /// Called with one whole line.
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        let pending_bytes = {
            let mut pending = self.pending();
            pending.extend_from_slice(line);
            pending.len()
        };
        if pending_bytes >= MAX_PENDING_BYTES {
            self.write_out();
        } else if pending_bytes >= BATCH_BYTES && pending_bytes - line.len() < BATCH_BYTES {
            self.batch_ready.notify_one();
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchWriter {
    type Writer = &'a Shared;

    fn make_writer(&'a self) -> &'a Shared {
        &self.shared
    }
}

impl Drop for FlushOnDrop {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::Release);
        self.shared.batch_ready.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    #[derive(Clone, Default)]
    struct Output(Arc<Mutex<Vec<u8>>>);

    impl Write for Output {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Output {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn log(writer: &BatchWriter, line: &str) {
        writer.make_writer().write_all(line.as_bytes()).unwrap();
    }

    #[test]
    fn lines_from_many_threads_come_out_whole_in_each_threads_order_and_all_by_the_guards_drop() {
        let output = Output::default();
        let (writer, guard) = BatchWriter::spawn(output.clone(), "test-log-writer").unwrap();

        std::thread::scope(|scope| {
            for thread in 0..4 {
                let writer = &writer;
                scope.spawn(move || {
                    for n in 0..5_000 {
                        log(
                            writer,
                            &format!("thread {thread} line {n} {}\n", "x".repeat(n % 300)),
                        );
                    }
                });
            }
        });
        drop(guard);

        let text = output.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 20_000);
        for thread in 0..4 {
            let numbers: Vec<usize> = lines
                .iter()
                .filter(|line| line.starts_with(&format!("thread {thread} ")))
                .map(|line| {
                    let words: Vec<&str> = line.split(' ').collect();
                    assert_eq!(words[4].len(), words[3].parse::<usize>().unwrap() % 300);
                    words[3].parse().unwrap()
                })
                .collect();
            assert_eq!(numbers, (0..5_000).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_lone_line_is_written_within_the_interval_without_the_guard_dropping() {
        let output = Output::default();
        let (writer, _guard) = BatchWriter::spawn(output.clone(), "test-log-writer").unwrap();

        log(&writer, "alone\n");

        let deadline = Instant::now() + FLUSH_EVERY * 50;
        while output.text().is_empty() && Instant::now() < deadline {
            std::thread::sleep(FLUSH_EVERY / 10);
        }
        assert_eq!(output.text(), "alone\n");
    }

    /// An output that takes nothing until released: the buffer must stop growing at the cap, with
    /// the logging thread waiting, and lose nothing once stdout moves again.
    #[test]
    fn a_stalled_output_holds_the_logging_thread_instead_of_growing_or_dropping() {
        struct Stalled(Arc<Mutex<()>>, Output);
        impl Write for Stalled {
            fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
                let _released = self.0.lock().unwrap();
                self.1.write(bytes)
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let gate = Arc::new(Mutex::new(()));
        let closed = gate.lock().unwrap();
        let output = Output::default();
        let (writer, guard) =
            BatchWriter::spawn(Stalled(gate.clone(), output.clone()), "test-log-writer").unwrap();
        let line = format!("{}\n", "y".repeat(999));
        let lines = 3 * MAX_PENDING_BYTES / line.len();

        let logger = std::thread::spawn({
            let writer = writer.clone();
            let line = line.clone();
            move || (0..lines).for_each(|_| log(&writer, &line))
        });
        std::thread::sleep(Duration::from_millis(300));
        let held = writer.shared.pending().len();
        assert!(!logger.is_finished(), "the logging thread waits for stdout");
        assert!(
            held < MAX_PENDING_BYTES + line.len(),
            "{held} bytes buffered"
        );
        drop(closed);
        logger.join().unwrap();
        drop(guard);

        assert_eq!(output.text().len(), lines * line.len());
    }
}
