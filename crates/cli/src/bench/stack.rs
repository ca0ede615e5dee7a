//! The local side-by-side stack: a throwaway Postgres behind `twinstack-server`, DynamoDB Local
//! behind `twinstack-lambda` under `cargo lambda watch`, both seeded with the same data set.
//!
//! Everything started here stops when the stack is dropped; the Postgres cluster, DynamoDB Local
//! and the emulator also have the local-stack runner's watchdogs, which clean up if this process is killed.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use twinstack_core::seed::DataSet;
use twinstack_local_stack::{DynamoDbLocal, LambdaEmulator, PostgresCluster, Profile, free_port};

use super::BuildProfile;
use super::procs::{Select, exe_path};
use crate::seed;

const TABLE: &str = "twinstack-bench";
const LAMBDA_BINARY: &str = "twinstack-lambda";

/// What the stack is asked to be.
pub struct StackOptions {
    pub workspace: PathBuf,
    pub profile: BuildProfile,
    pub server_bin: PathBuf,
    pub lambda_bin: PathBuf,
    pub lambda_concurrency: u32,
    /// Where the server's log lines go.
    pub server_log: PathBuf,
    pub users: u32,
    pub orders_per_user: u32,
}

pub struct LocalStack {
    pub kubernetes_url: String,
    pub serverless_url: String,
    /// The data set's checksum, read back from both stores.
    pub checksum: String,
    /// The Lambda's configuration, for the cold-start probe (`KEY=VALUE`).
    pub lambda_env: Vec<String>,
    server: tokio::process::Child,
    postgres: PostgresCluster,
    dynamodb: DynamoDbLocal,
    lambda_exe: PathBuf,
    // Dropped first: the emulator stops before the database under it.
    _emulator: LambdaEmulator,
}

impl LocalStack {
    pub async fn start(options: &StackOptions) -> anyhow::Result<LocalStack> {
        let data = DataSet::generate(options.users, options.orders_per_user);
        let expected = data.checksum();

        eprintln!("starting a throwaway Postgres and DynamoDB Local");
        let (postgres, dynamodb) = tokio::task::spawn_blocking(|| {
            anyhow::Ok((PostgresCluster::start_local()?, DynamoDbLocal::start()?))
        })
        .await??;
        let database_url = postgres.create_database("bench")?;
        let endpoint = dynamodb.endpoint();

        eprintln!(
            "seeding both stores: {} users, {} orders each",
            options.users, options.orders_per_user
        );
        let (in_postgres, in_dynamodb) = tokio::try_join!(
            seed::seed_postgres(&database_url, &data),
            seed::seed_dynamodb(&endpoint, TABLE, &data),
        )?;
        for (store, stored) in [("Postgres", &in_postgres), ("DynamoDB Local", &in_dynamodb)] {
            let checksum = stored.checksum();
            if checksum != expected {
                bail!("{store} holds other data than was loaded: {checksum}, expected {expected}");
            }
        }

        let server_port = free_port();
        let server = start_server(
            &options.server_bin,
            &database_url,
            server_port,
            &options.server_log,
        )?;
        let kubernetes_url = format!("http://127.0.0.1:{server_port}");

        // Same request timeout as the server; DynamoDB Local serialises transactions, so each call
        // gets room below it rather than the production defaults tuned for DynamoDB.
        let lambda_env = vec![
            format!("TABLE_NAME={TABLE}"),
            format!("DYNAMODB_ENDPOINT={endpoint}"),
            "AWS_REGION=us-east-1".to_owned(),
            "DYNAMODB_ATTEMPT_TIMEOUT_MS=4000".to_owned(),
            "DYNAMODB_OPERATION_TIMEOUT_MS=9000".to_owned(),
            "REQUEST_TIMEOUT_MS=10000".to_owned(),
        ];
        let workspace = options.workspace.clone();
        let concurrency = options.lambda_concurrency;
        let profile = match options.profile {
            BuildProfile::Debug => Profile::Debug,
            BuildProfile::Release => Profile::Release,
        };
        let env = lambda_env.clone();
        eprintln!("starting cargo lambda watch ({profile:?} build) --concurrency {concurrency}");
        let emulator = tokio::task::spawn_blocking(move || {
            let pairs: Vec<(&str, &str)> =
                env.iter().filter_map(|pair| pair.split_once('=')).collect();
            LambdaEmulator::start_with(&workspace, LAMBDA_BINARY, concurrency, &pairs, profile)
        })
        .await??;
        let serverless_url = emulator.function_url();

        let stack = LocalStack {
            kubernetes_url,
            serverless_url,
            checksum: expected,
            lambda_env,
            server,
            postgres,
            dynamodb,
            lambda_exe: exe_path(&options.lambda_bin)
                .with_context(|| format!("{} (build it first)", options.lambda_bin.display()))?,
            _emulator: emulator,
        };
        let startup = Duration::from_secs(300);
        twinstack_local_stack::wait_for_status(
            &format!("{}/readyz", stack.kubernetes_url),
            200,
            startup,
        )
        .await
        .context("twinstack-server did not become ready")?;
        // The first invocation waits for `cargo run --release`: a no-op after the release build.
        twinstack_local_stack::wait_for_status(
            &format!("{}/api/health", stack.serverless_url),
            200,
            startup,
        )
        .await
        .context("twinstack-lambda did not answer through cargo lambda watch")?;
        Ok(stack)
    }

    /// The processes behind the Kubernetes twin: the server, and Postgres.
    pub fn kubernetes_processes(&self) -> Vec<(String, Select)> {
        let mut groups = vec![(
            "twinstack-server".to_owned(),
            Select::Tree(self.server.id().unwrap_or_default()),
        )];
        if let Some(postmaster) = self.postgres.dir().and_then(postmaster_pid) {
            groups.push(("postgres".to_owned(), Select::Tree(postmaster)));
        }
        groups
    }

    /// The processes behind the serverless twin: the function instances, and DynamoDB Local.
    pub fn serverless_processes(&self) -> Vec<(String, Select)> {
        vec![
            (
                "twinstack-lambda".to_owned(),
                Select::Exe(self.lambda_exe.clone()),
            ),
            (
                "dynamodb-local".to_owned(),
                Select::CmdLine(vec!["-port".to_owned(), self.dynamodb.port().to_string()]),
            ),
        ]
    }
}

/// Both twins log at their deployed defaults; the server's lines go to `log`.
fn start_server(
    bin: &Path,
    database_url: &str,
    port: u16,
    log: &Path,
) -> anyhow::Result<tokio::process::Child> {
    let log = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    tokio::process::Command::new(bin)
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        // Metrics on, as deployed (the Lambda twin writes its EMF lines too), on a port of its own.
        .env("METRICS_PORT", free_port().to_string())
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {} (build it first)", bin.display()))
}

/// The postmaster's pid: the first line of `postmaster.pid` in the data directory.
fn postmaster_pid(cluster_dir: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(cluster_dir.join("data/postmaster.pid")).ok()?;
    text.lines().next()?.trim().parse().ok()
}
