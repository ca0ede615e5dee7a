//! One object API over directories and S3 (moto's server on loopback): the same run gives the
//! same checksum on either, and failures name the object.

use std::sync::Arc;

use twinstack_local_stack::MotoS3;
use twinstack_pipeline::{
    Catalogue, InProcess, InputSpec, LoadTarget, Objects, ObjectsError, ObjectsTarget, PARTIALS,
    RetryPolicy, S3Config, fan_out, generate_input, list_chunks, load, reduce,
};

const SPEC: InputSpec = InputSpec {
    records: 3_000,
    chunks: 3,
};

fn no_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 0,
        interval_seconds: 0,
        backoff_rate: 1.0,
    }
}

fn s3_config(moto: &MotoS3) -> S3Config {
    S3Config {
        region: Some("us-east-1".into()),
        endpoint: Some(moto.endpoint()),
        access_key_id: Some("testing".into()),
        secret_access_key: Some("testing".into()),
        session_token: None,
    }
}

/// Generates SPEC under `root/in`, runs it in-process into `root/out`, and returns the checksum
/// of what `aggregates.json` holds.
async fn run_at(root: &Objects) -> String {
    let input = root.child("in");
    let output = root.child("out");
    generate_input(&input, SPEC, 2).await.unwrap();
    let chunks = list_chunks(&input).await.unwrap();
    let runner = InProcess {
        input,
        output: output.clone(),
        catalogue: Arc::new(Catalogue::seed()),
    };

    let failed = fan_out(Arc::new(runner), &chunks, 2, &no_retries()).await;
    let target = ObjectsTarget::new(output.clone());
    let summary = load(reduce(&output.child(PARTIALS)).await.unwrap(), &target)
        .await
        .unwrap();

    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(summary.chunks, 3);
    assert_eq!(summary.records_in, 3_000);
    assert_eq!(summary.records_in, summary.loaded + summary.rejected);
    assert_eq!(target.read().await.unwrap().checksum(), summary.checksum);
    summary.checksum
}

#[tokio::test]
async fn a_run_on_s3_gives_the_checksum_of_the_same_run_on_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let moto = MotoS3::start().unwrap();
    moto.create_bucket("pipeline").unwrap();
    let s3 = Objects::open_with("s3://pipeline/runs/1", &s3_config(&moto)).unwrap();

    let on_s3 = run_at(&s3).await;
    let on_disk = run_at(&Objects::open(dir.path().to_str().unwrap()).unwrap()).await;

    assert_eq!(on_s3, on_disk);
    assert_eq!(
        s3.child("in").list(".ndjson").await.unwrap(),
        [
            "chunk-00000.ndjson",
            "chunk-00001.ndjson",
            "chunk-00002.ndjson"
        ]
    );
}

#[tokio::test]
async fn a_missing_object_is_not_found_and_named_on_either_store() {
    let dir = tempfile::tempdir().unwrap();
    let moto = MotoS3::start().unwrap();
    moto.create_bucket("pipeline").unwrap();
    let local = Objects::open(dir.path().to_str().unwrap()).unwrap();
    let s3 = Objects::open_with("s3://pipeline/in", &s3_config(&moto)).unwrap();

    for objects in [local, s3] {
        let err = objects.get("chunk-00009.ndjson").await.unwrap_err();

        assert!(matches!(err, ObjectsError::NotFound { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!("{}/chunk-00009.ndjson: object not found", objects.url())
        );
    }
}

#[tokio::test]
async fn a_missing_bucket_is_an_error_naming_the_object() {
    let moto = MotoS3::start().unwrap();
    let no_bucket = Objects::open_with("s3://absent/in", &s3_config(&moto)).unwrap();

    let err = no_bucket
        .put("chunk-00000.ndjson", b"x".to_vec())
        .await
        .unwrap_err();

    assert_eq!(
        err.to_string(),
        "s3://absent/in/chunk-00000.ndjson: the bucket does not exist"
    );
}

#[tokio::test]
async fn an_unreachable_s3_endpoint_is_an_error_naming_the_object() {
    let moto = MotoS3::start().unwrap();
    let config = s3_config(&moto);
    drop(moto);
    let objects = Objects::open_with("s3://pipeline/in", &config).unwrap();

    let err = objects.get("chunk-00001.ndjson").await.unwrap_err();

    assert!(matches!(err, ObjectsError::Store { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("s3://pipeline/in/chunk-00001.ndjson: "),
        "{err}"
    );
}

#[test]
fn s3_without_credentials_or_over_remote_plain_http_is_refused() {
    let no_credentials = S3Config {
        endpoint: Some("http://127.0.0.1:9".into()),
        ..S3Config::default()
    };
    let remote_http = S3Config {
        endpoint: Some("http://s3.example.com".into()),
        access_key_id: Some("k".into()),
        secret_access_key: Some("s".into()),
        ..S3Config::default()
    };

    let missing = Objects::open_with("s3://b/p", &no_credentials).unwrap_err();
    let http = Objects::open_with("s3://b/p", &remote_http).unwrap_err();

    assert!(
        missing.to_string().contains("no S3 credentials"),
        "{missing}"
    );
    assert!(
        http.to_string().contains("loopback endpoint only"),
        "{http}"
    );
    assert!(Objects::open("ftp://host/x").is_err());
}
