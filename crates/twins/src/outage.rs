//! A store outage under load, the same for both twins: writers create users and read each back
//! while the store is stopped and started again. `tests/store_outage.rs` asserts on what they saw;
//! `benches/store_outage.rs` measures it (how fast the 503s come, how soon the store is used again).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use twinstack_conformance::{Api, Reply};
use twinstack_local_stack::{DynamoDbLocal, LambdaEmulator, PostgresCluster};
use twinstack_server::RequestTimeout;

/// Load before the store goes, so requests are in flight when it does.
const WARM_UP: Duration = Duration::from_millis(500);
/// Load after the first write that succeeds again, so recovery is seen by more than one request.
const COOL_DOWN: Duration = Duration::from_millis(300);

/// The part of a twin that holds its data; stopping and starting it blocks.
pub trait StorePart {
    fn stop(&mut self);
    /// Returns once the part answers again, with everything it had accepted.
    fn start(&mut self);
}

impl StorePart for PostgresCluster {
    fn stop(&mut self) {
        PostgresCluster::stop(self).expect("stopping Postgres");
    }

    fn start(&mut self) {
        self.start_again().expect("starting Postgres again");
    }
}

/// Started with [`DynamoDbLocal::start_on_disk`], or a restart loses every item.
impl StorePart for DynamoDbLocal {
    fn stop(&mut self) {
        DynamoDbLocal::stop(self).expect("stopping DynamoDB Local");
    }

    fn start(&mut self) {
        self.start_again().expect("starting DynamoDB Local again");
    }
}

/// The Kubernetes twin on a cluster of its own (this scenario stops it), seeded and ready. Its
/// request timeout is two minutes, so the pool's acquire timeout is one: a 503 that waited for it
/// would hold the run past any bound a test sets below that.
pub async fn postgres_twin() -> (Api, PostgresCluster) {
    let cluster = PostgresCluster::start_local().expect("a private cluster");
    let database_url = cluster.create_database("outage").unwrap();
    crate::postgres::seed(&database_url).await;
    let mut config = crate::postgres::config(database_url);
    config.request_timeout = RequestTimeout::from_millis(120_000).unwrap();
    let api = Api::new(format!("http://{}", crate::postgres::serve(config).await));
    twinstack_local_stack::wait_for_status(&api.url("/readyz"), 200, Duration::from_secs(30))
        .await
        .expect("the server is ready");
    (api, cluster)
}

/// The serverless twin under `cargo lambda watch` on a DynamoDB Local of its own that keeps its
/// tables on disk (this scenario stops it), seeded and answering. Its SDK and request timeouts
/// are the long ones of the suite's emulator (30 s an attempt): a refused connection must still
/// fail fast.
pub async fn lambda_twin() -> (Api, DynamoDbLocal, LambdaEmulator) {
    let dynamodb = tokio::task::spawn_blocking(DynamoDbLocal::start_on_disk)
        .await
        .unwrap()
        .expect("a DynamoDB Local of its own");
    let endpoint = dynamodb.endpoint();
    crate::lambda::seeded_table_on(&endpoint, "outage").await;
    let emulator =
        tokio::task::spawn_blocking(move || crate::lambda::api_emulator_on(&endpoint, "outage"))
            .await
            .unwrap();
    let api = Api::new(emulator.function_url());
    // The first invocation waits for `cargo run` to build and start the function.
    twinstack_local_stack::wait_for_status(&api.url("/api/health"), 200, Duration::from_secs(300))
        .await
        .expect("the function answers");
    (api, dynamodb, emulator)
}

/// One answer the load got.
#[derive(Debug)]
pub struct Answer {
    /// When it arrived.
    pub at: Instant,
    pub took: Duration,
    pub status: u16,
    /// The envelope's error code, for answers that carry one.
    pub code: Option<String>,
    pub retry_after: Option<String>,
}

/// What the load saw around one outage.
#[derive(Debug)]
pub struct Outage {
    pub answers: Vec<Answer>,
    /// Each user the API answered 201 for: its path and the body of the 201.
    pub accepted: Vec<(String, Value)>,
    /// When the store was stopped, and when it answered again.
    pub stopped: Instant,
    pub back: Instant,
}

#[derive(Default)]
struct Seen {
    answers: Vec<Answer>,
    accepted: Vec<(String, Value)>,
}

/// How the load runs and how long the store stays down.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub writers: usize,
    /// The store stays down at least this long…
    pub down: Duration,
    /// …and until this many requests sent after it stopped have answered 503 `unavailable`: a
    /// twin that held requests until the store came back instead would keep it down until the
    /// caller's own bound.
    pub unavailable: usize,
    /// How long the load waits for a write to succeed after the store is back.
    pub recovery_limit: Duration,
}

/// Runs [`Plan::writers`] writers against `api`, stops `store` as the plan says, starts it again,
/// and keeps the load on until a write succeeds after that and a little longer. Needs a
/// multi-threaded runtime: stopping and starting block a worker thread.
pub async fn under_load(api: &Api, store: &mut impl StorePart, plan: Plan) -> Outage {
    let running = Arc::new(AtomicBool::new(true));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let writers: Vec<_> = (0..plan.writers)
        .map(|_| tokio::spawn(write_and_read(api.clone(), running.clone(), seen.clone())))
        .collect();

    tokio::time::sleep(WARM_UP).await;
    let stopped = Instant::now();
    tokio::task::block_in_place(|| store.stop());
    let down_since = Instant::now();
    tokio::time::sleep(plan.down).await;
    while unavailable_since(&seen, down_since) < plan.unavailable {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::task::block_in_place(|| store.start());
    let back = Instant::now();
    while back.elapsed() < plan.recovery_limit && !created_since(&seen, back) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(COOL_DOWN).await;
    running.store(false, Ordering::Relaxed);
    for writer in writers {
        writer.await.expect("a writer finished");
    }

    let seen = std::mem::take(&mut *seen.lock().unwrap());
    Outage {
        answers: seen.answers,
        accepted: seen.accepted,
        stopped,
        back,
    }
}

fn unavailable_since(seen: &Mutex<Seen>, since: Instant) -> usize {
    let seen = seen.lock().unwrap();
    seen.answers
        .iter()
        .filter(|a| is_unavailable(a) && a.at - a.took > since)
        .count()
}

fn created_since(seen: &Mutex<Seen>, since: Instant) -> bool {
    let seen = seen.lock().unwrap();
    seen.answers.iter().any(|a| a.status == 201 && a.at > since)
}

/// Creates users one after another, reading each back, until `running` turns false.
async fn write_and_read(api: Api, running: Arc<AtomicBool>, seen: Arc<Mutex<Seen>>) {
    // Each scenario writes to a store of its own, so a count keeps the emails apart.
    static WRITES: AtomicU64 = AtomicU64::new(0);
    while running.load(Ordering::Relaxed) {
        let n = WRITES.fetch_add(1, Ordering::Relaxed);
        let body = json!({"name": "Outage Load", "email": format!("outage-{n}@example.com")});
        let (answer, reply) = timed(api.post("/api/users", &body)).await;
        let created = (answer.status == 201).then(|| reply.json());
        seen.lock().unwrap().answers.push(answer);
        let Some(user) = created else { continue };
        let path = format!("/api/users/{}", user["id"]);
        seen.lock().unwrap().accepted.push((path.clone(), user));
        let (answer, _) = timed(api.get(&path)).await;
        seen.lock().unwrap().answers.push(answer);
    }
}

async fn timed(request: impl Future<Output = Reply>) -> (Answer, Reply) {
    let sent = Instant::now();
    let reply = request.await;
    let code = (!reply.status.is_success())
        .then(|| serde_json::from_slice::<Value>(&reply.body).ok())
        .flatten()
        .and_then(|body| body["error"]["code"].as_str().map(str::to_owned));
    let answer = Answer {
        at: Instant::now(),
        took: sent.elapsed(),
        status: reply.status.as_u16(),
        code,
        retry_after: reply.header("retry-after").map(str::to_owned),
    };
    (answer, reply)
}

impl Outage {
    /// Answers other than a success or a 503 `unavailable` with Retry-After.
    pub fn unexpected(&self) -> Vec<&Answer> {
        self.answers
            .iter()
            .filter(|a| !matches!(a.status, 200 | 201) && !is_unavailable(a))
            .collect()
    }

    /// How long each 503 took, of the requests sent after the first 503 arrived.
    pub fn unavailable_after_first_failure(&self) -> Vec<Duration> {
        let Some(first) = self
            .answers
            .iter()
            .filter(|a| is_unavailable(a))
            .map(|a| a.at)
            .min()
        else {
            return Vec::new();
        };
        self.answers
            .iter()
            .filter(|a| is_unavailable(a) && a.at - a.took > first)
            .map(|a| a.took)
            .collect()
    }

    /// From the store answering again to the first write that succeeded after it.
    pub fn recovery(&self) -> Option<Duration> {
        self.answers
            .iter()
            .filter(|a| a.status == 201 && a.at > self.back)
            .map(|a| a.at - self.back)
            .min()
    }

    /// The accepted users that do not read back as they were created.
    pub async fn lost(&self, api: &Api) -> Vec<String> {
        let mut lost = Vec::new();
        for (path, created) in &self.accepted {
            let reply = api.get(path).await;
            if reply.status != 200 || reply.json() != *created {
                lost.push(format!("{path}: {} {}", reply.status, reply.json()));
            }
        }
        lost
    }
}

fn is_unavailable(answer: &Answer) -> bool {
    answer.status == 503
        && answer.code.as_deref() == Some("unavailable")
        && answer.retry_after.is_some()
}

/// The `q` quantile (0..=1) of `durations`, nearest rank.
pub fn quantile(durations: &[Duration], q: f64) -> Option<Duration> {
    let mut sorted = durations.to_vec();
    sorted.sort_unstable();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let ms: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();

        assert_eq!(quantile(&ms, 0.99), Some(Duration::from_millis(99)));
        assert_eq!(quantile(&ms, 0.5), Some(Duration::from_millis(50)));
        assert_eq!(quantile(&ms, 1.0), Some(Duration::from_millis(100)));
        assert_eq!(quantile(&[], 0.99), None);
    }
}
