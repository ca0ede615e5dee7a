//! The restore drill (deploy/DR.md): what a backup holds comes back unchanged, as `twinstack
//! verify` reads it, with the tools the runbook names.

mod dynamodb_json;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use twinstack_core::seed::DataSet;
use twinstack_local_stack::{DynamoDbLocal, PostgresCluster, pg_bin};
use twinstack_store_dynamodb::{Client, DynamoSettings};

const USERS: u32 = 50;
const ORDERS_PER_USER: u32 = 3;
/// BatchWriteItem's limit of items per request.
const BATCH: usize = 25;

fn twinstack_output(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_twinstack"))
        .args(args)
        .output()
        .expect("twinstack runs")
}

/// Runs `twinstack ARGS`, which must succeed, and returns what it printed.
fn twinstack(args: &[&str]) -> String {
    let output = twinstack_output(args);
    assert!(
        output.status.success(),
        "twinstack {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// Runs `twinstack ARGS`, which must fail, and returns its error message.
fn twinstack_error(args: &[&str]) -> String {
    let output = twinstack_output(args);
    assert!(!output.status.success(), "twinstack {args:?} succeeded");
    String::from_utf8(output.stderr).unwrap()
}

/// Seeds the drill's data set into `store` (`--postgres URL` or `--dynamodb ENDPOINT --table T`)
/// and returns the checksum `twinstack seed` printed.
fn seed(store: &[&str]) -> String {
    let (users, orders_per_user) = (USERS.to_string(), ORDERS_PER_USER.to_string());
    let mut args = vec!["seed"];
    args.extend_from_slice(store);
    args.extend(["--users", &users, "--orders-per-user", &orders_per_user]);
    twinstack(&args)
}

fn run_tool(tool: &str, args: &[&str]) {
    let output = Command::new(pg_bin(tool).unwrap())
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("{tool} runs: {err}"));
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn pg_dump(url: &str, dump: &Path) {
    let file = dump.to_str().unwrap();
    run_tool(
        "pg_dump",
        &[
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            file,
            "--dbname",
            url,
        ],
    );
}

fn pg_restore(dump: &Path, url: &str) {
    run_tool(
        "pg_restore",
        &["--no-owner", "--dbname", url, dump.to_str().unwrap()],
    );
}

async fn dynamodb_client(endpoint: &str) -> Client {
    let mut settings = DynamoSettings::local(endpoint, "");
    settings.operation_timeout = Duration::from_secs(60);
    settings.attempt_timeout = Duration::from_secs(20);
    twinstack_store_dynamodb::client(&settings).await
}

/// Every item of `table`, one DynamoDB JSON line each.
async fn export(client: &Client, table: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("Scan");
        lines.extend(page.items().iter().map(dynamodb_json::line));
        start = page.last_evaluated_key;
        if start.is_none() {
            return lines;
        }
    }
}

/// Creates `table` from `table.json` and writes `lines` into it.
async fn import(client: &Client, table: &str, lines: &[String]) {
    twinstack_store_dynamodb::create_table(client, table)
        .await
        .expect("CreateTable");
    for chunk in lines.chunks(BATCH) {
        let mut pending: Vec<WriteRequest> = chunk
            .iter()
            .map(|line| {
                let put = PutRequest::builder()
                    .set_item(Some(dynamodb_json::item(line)))
                    .build()
                    .unwrap();
                WriteRequest::builder().put_request(put).build()
            })
            .collect();
        while !pending.is_empty() {
            let output = client
                .batch_write_item()
                .request_items(table, pending)
                .send()
                .await
                .expect("BatchWriteItem");
            pending = output
                .unprocessed_items
                .and_then(|mut tables| tables.remove(table))
                .unwrap_or_default();
        }
    }
}

#[tokio::test]
async fn a_postgres_dump_restores_into_a_fresh_cluster_with_the_seeded_checksum() {
    let source = twinstack_local_stack::shared()
        .create_database("drill_source")
        .unwrap();
    let seeded = seed(&["--postgres", &source]);
    let fresh_cluster = PostgresCluster::start().unwrap();
    let restored = fresh_cluster.create_database("drill_restored").unwrap();
    let dump_dir = tempfile::tempdir().unwrap();
    let dump = dump_dir.path().join("twinstack.dump");

    pg_dump(&source, &dump);
    pg_restore(&dump, &restored);

    let source_checksum = twinstack(&["verify", "--postgres", &source]);
    let restored_checksum = twinstack(&["verify", "--postgres", &restored]);
    assert_eq!(seeded, DataSet::generate(USERS, ORDERS_PER_USER).checksum());
    assert_eq!(source_checksum, seeded);
    assert_eq!(restored_checksum, seeded);
}

#[tokio::test]
async fn a_dynamodb_export_imports_into_a_fresh_table_with_the_seeded_checksum() {
    let endpoint = DynamoDbLocal::shared().endpoint();
    let seeded = seed(&["--dynamodb", &endpoint, "--table", "drill-source"]);
    let client = dynamodb_client(&endpoint).await;

    let lines = export(&client, "drill-source").await;
    import(&client, "drill-restored", &lines).await;

    let source_checksum =
        twinstack(&["verify", "--dynamodb", &endpoint, "--table", "drill-source"]);
    let restored_checksum = twinstack(&[
        "verify",
        "--dynamodb",
        &endpoint,
        "--table",
        "drill-restored",
    ]);
    assert_eq!(seeded, DataSet::generate(USERS, ORDERS_PER_USER).checksum());
    assert_eq!(source_checksum, seeded);
    assert_eq!(restored_checksum, seeded);
}

#[tokio::test]
async fn verify_prints_another_checksum_for_other_data() {
    let database_url = twinstack_local_stack::shared()
        .create_database("drill_renamed")
        .unwrap();
    let seeded = seed(&["--postgres", &database_url]);
    twinstack_local_stack::psql(
        &database_url,
        "UPDATE users SET name = 'Renamed' WHERE id = 1",
    )
    .unwrap();

    let checksum = twinstack(&["verify", "--postgres", &database_url]);

    assert_ne!(checksum, seeded);
}

#[test]
fn verify_names_an_unreachable_postgres() {
    let url = format!(
        "postgres://postgres@127.0.0.1:{}/twinstack",
        twinstack_local_stack::free_port()
    );

    let error = twinstack_error(&["verify", "--postgres", &url]);

    assert!(error.contains("connecting to Postgres"), "{error}");
    assert!(error.contains("refused"), "{error}");
    assert!(!error.contains("panicked"), "{error}");
}

#[test]
fn verify_names_a_missing_table() {
    let endpoint = DynamoDbLocal::shared().endpoint();

    let error = twinstack_error(&[
        "verify",
        "--dynamodb",
        &endpoint,
        "--table",
        "no-such-table",
    ]);

    assert!(
        error.contains(&format!("table no-such-table does not exist at {endpoint}")),
        "{error}"
    );
}

#[test]
fn verify_names_an_unreachable_dynamodb() {
    let endpoint = format!("http://127.0.0.1:{}", twinstack_local_stack::free_port());

    let error = twinstack_error(&["verify", "--dynamodb", &endpoint, "--table", "t"]);

    assert!(
        error.contains(&format!("reaching DynamoDB at {endpoint}")),
        "{error}"
    );
    assert!(!error.contains("panicked"), "{error}");
}
