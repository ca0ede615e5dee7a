//! The floor answers `GET /api/users/{id}` with the server's status, `content-type` and bytes, on
//! the same seeded database; anything else with a 404, without falling over.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use twinstack_twins::postgres;

/// The floor binary on a free port; killed when dropped.
struct Floor {
    base_url: String,
    _process: Child,
}

impl Floor {
    async fn start(database_url: &str) -> Floor {
        let mut process = Command::new(env!("CARGO_BIN_EXE_twinstack-bench-floor"))
            .args(["--listen", "127.0.0.1:0", "--connections", "2"])
            .env("DATABASE_URL", database_url)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the floor starts");
        let mut first_line = String::new();
        let stdout = process.stdout.take().expect("piped stdout");
        tokio::time::timeout(
            Duration::from_secs(10),
            BufReader::new(stdout).read_line(&mut first_line),
        )
        .await
        .expect("the floor listens within 10 s")
        .expect("its stdout reads");
        let address = first_line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line {first_line:?}"))
            .trim();
        Floor {
            base_url: format!("http://{address}"),
            _process: process,
        }
    }
}

/// Status, `content-type` and body of `GET base_url + path`.
async fn get(base_url: &str, path: &str) -> (u16, Option<String>, Vec<u8>) {
    let response = reqwest::get(format!("{base_url}{path}"))
        .await
        .unwrap_or_else(|err| panic!("GET {base_url}{path}: {err}"));
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().expect("ASCII").to_owned());
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

/// A user the seed does not make: characters JSON escapes, non-ASCII, and timestamps with
/// microseconds (the server truncates them to milliseconds), one before 1970.
async fn insert_awkward_user(database_url: &str) -> i64 {
    let (client, connection) = tokio_postgres::connect(database_url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    let row = client
        .query_one(
            "INSERT INTO users (name, email, created_at, updated_at) VALUES \
             ($1, 'zoe.oneil@example.com', '2026-03-04 05:06:07.891999+00', \
             '1969-12-31 23:59:59.999999+00') RETURNING id",
            &[&"Zoë \"Q\" O'Neil \\ 東京 </script>"],
        )
        .await
        .expect("insert");
    row.get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_floor_serves_get_user_byte_for_byte_as_the_server() {
    // Arrange: one seeded database behind both.
    let database_url = twinstack_local_stack::shared()
        .create_database("floor")
        .expect("a test database");
    postgres::seed(&database_url).await;
    let awkward = insert_awkward_user(&database_url).await;
    let server = format!(
        "http://{}",
        postgres::serve(postgres::config(database_url.clone())).await
    );
    twinstack_local_stack::wait_for_http(&format!("{server}/healthz"), Duration::from_secs(10))
        .await
        .expect("server up");
    let floor = Floor::start(&database_url).await;

    // Act + assert: the same answer for existing users, seeded and awkward.
    let last_seeded = i64::from(twinstack_twins::SEED_USERS);
    for id in [1, 2, 7, last_seeded, awkward] {
        let path = format!("/api/users/{id}");
        let from_server = get(&server, &path).await;
        assert_eq!(from_server.0, 200, "server {path}");
        let from_floor = get(&floor.base_url, &path).await;
        assert_eq!(
            (
                from_floor.0,
                &from_floor.1,
                String::from_utf8_lossy(&from_floor.2)
            ),
            (
                from_server.0,
                &from_server.1,
                String::from_utf8_lossy(&from_server.2)
            ),
            "{path}"
        );
        assert_eq!(from_floor.2, from_server.2, "{path}: bytes");
    }

    // Unknown users and paths: 404, and the floor keeps serving afterwards.
    for path in [
        format!("/api/users/{}", awkward + 1000),
        "/api/users/0".to_owned(),
        "/api/users/abc".to_owned(),
        "/api/users/99999999999999999999".to_owned(),
        "/api/users/1/summary".to_owned(),
        "/api/products".to_owned(),
    ] {
        assert_eq!(get(&floor.base_url, &path).await.0, 404, "{path}");
    }
    assert_eq!(get(&floor.base_url, "/api/users/1").await.0, 200);
}
