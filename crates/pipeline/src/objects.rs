//! One object API over local directories and S3 (the `object_store` crate), so every stage, the
//! worker, the Lambda handler and the tests read and write chunks the same way.
//!
//! A location is a URL: a directory (`/tmp/in`, `file:///tmp/in`) or `s3://BUCKET/PREFIX`.
//! S3 settings come from [`S3Config`] — given, or read from the environment — and nowhere else:
//! no instance metadata lookups.
//! - credentials: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`), as Lambda
//!   sets them, or `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, as IRSA sets them;
//! - region: `AWS_REGION` (default `us-east-1`);
//! - endpoint: `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` (an S3-compatible server such as moto's);
//!   plain `http://` is allowed only for a loopback host, path-style addressing.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload, RetryConfig};

/// Why an object could not be read, written or listed, naming its URL.
#[derive(Debug, thiserror::Error)]
pub enum ObjectsError {
    #[error("{url}: {reason}")]
    Config { url: String, reason: String },
    #[error("{url}: object not found")]
    NotFound { url: String },
    #[error("{url}: the bucket does not exist")]
    NoSuchBucket { url: String },
    #[error("{url}: {source}")]
    Store {
        url: String,
        #[source]
        source: object_store::Error,
    },
}

/// An object as a listing shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// Relative to the listed location.
    pub key: String,
    pub size: u64,
    pub e_tag: Option<String>,
    pub last_modified: DateTime<Utc>,
}

/// A location holding objects: a local directory or an S3 bucket and prefix. Cloning shares the
/// client.
#[derive(Clone, Debug)]
pub struct Objects {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    url: String,
}

impl Objects {
    /// The location `url` names, S3 configured from the environment; a local directory is
    /// created if missing.
    pub fn open(url: &str) -> Result<Objects, ObjectsError> {
        Objects::open_with(url, &S3Config::from_env())
    }

    /// [`open`](Objects::open) with S3 configured by `s3`.
    pub fn open_with(url: &str, s3: &S3Config) -> Result<Objects, ObjectsError> {
        let config = |reason: String| ObjectsError::Config {
            url: url.to_owned(),
            reason,
        };
        let url = url.trim_end_matches('/');
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(config("no bucket name".into()));
            }
            let store = s3.client(bucket).map_err(config)?;
            return Ok(Objects {
                store: Arc::new(store),
                prefix: Path::from(prefix),
                url: url.to_owned(),
            });
        }
        if url.contains("://") && !url.starts_with("file://") {
            return Err(config("give a directory or s3://BUCKET/PREFIX".into()));
        }
        let dir = url.strip_prefix("file://").unwrap_or(url);
        let dir = if dir.is_empty() { "/" } else { dir };
        std::fs::create_dir_all(dir).map_err(|err| config(err.to_string()))?;
        let store = LocalFileSystem::new_with_prefix(dir).map_err(|err| config(err.to_string()))?;
        Ok(Objects {
            store: Arc::new(store),
            prefix: Path::default(),
            url: dir.to_owned(),
        })
    }

    /// The location's URL, as given (without a trailing `/`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The location `name` below this one (`partials`, `rejects`).
    pub fn child(&self, name: &str) -> Objects {
        let prefix = self
            .prefix
            .parts()
            .chain(Path::from(name).parts())
            .collect();
        Objects {
            store: Arc::clone(&self.store),
            prefix,
            url: format!("{}/{name}", self.url),
        }
    }

    /// The URL of the object `key` here, for messages.
    pub fn url_of(&self, key: &str) -> String {
        format!("{}/{key}", self.url)
    }

    pub async fn get(&self, key: &str) -> Result<Bytes, ObjectsError> {
        let result = self.store.get(&self.path(key)).await;
        let result = match result {
            Ok(found) => found.bytes().await,
            Err(err) => Err(err),
        };
        result.map_err(|err| self.error(key, err))
    }

    /// Writes the whole object at once: readers see the old object or the new, never a part.
    pub async fn put(&self, key: &str, bytes: impl Into<Bytes>) -> Result<(), ObjectsError> {
        self.store
            .put(&self.path(key), PutPayload::from_bytes(bytes.into()))
            .await
            .map(drop)
            .map_err(|err| self.error(key, err))
    }

    /// Keys (relative to this location) of the objects whose names end in `suffix`, sorted.
    pub async fn list(&self, suffix: &str) -> Result<Vec<String>, ObjectsError> {
        let listed = self.list_objects(|key| key.ends_with(suffix)).await?;
        Ok(listed.into_iter().map(|object| object.key).collect())
    }

    /// The objects here (keys relative to this location) whose keys `keep` accepts, sorted by
    /// key, with what a listing says of each.
    pub async fn list_objects(
        &self,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Vec<Listed>, ObjectsError> {
        let prefix = (!self.prefix.as_ref().is_empty()).then_some(&self.prefix);
        let listed: Vec<_> = self
            .store
            .list(prefix)
            .try_collect()
            .await
            .map_err(|err| self.error("", err))?;
        let mut objects: Vec<Listed> = listed
            .into_iter()
            .filter_map(|meta| {
                let parts: Vec<_> = meta.location.prefix_match(&self.prefix)?.collect();
                let key = parts
                    .iter()
                    .map(|p| p.as_ref())
                    .collect::<Vec<_>>()
                    .join("/");
                keep(&key).then_some(Listed {
                    key,
                    size: meta.size,
                    e_tag: meta.e_tag,
                    last_modified: meta.last_modified,
                })
            })
            .collect();
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(objects)
    }

    fn path(&self, key: &str) -> Path {
        self.prefix.parts().chain(Path::from(key).parts()).collect()
    }

    fn error(&self, key: &str, source: object_store::Error) -> ObjectsError {
        let url = self.url_of(key);
        match source {
            // S3 answers 404 for a missing bucket too; its error code tells them apart.
            object_store::Error::NotFound { source, .. }
                if source.to_string().contains("NoSuchBucket") =>
            {
                ObjectsError::NoSuchBucket { url }
            }
            object_store::Error::NotFound { .. } => ObjectsError::NotFound { url },
            source => ObjectsError::Store { url, source },
        }
    }
}

/// How to reach S3: explicit values, or [`S3Config::from_env`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct S3Config {
    /// Default `us-east-1`.
    pub region: Option<String>,
    /// An S3-compatible server instead of AWS's; `http://` only on loopback.
    pub endpoint: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
}

impl S3Config {
    /// `AWS_REGION`, `AWS_ENDPOINT_URL_S3` (else `AWS_ENDPOINT_URL`), `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
    pub fn from_env() -> S3Config {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        S3Config {
            region: env("AWS_REGION"),
            endpoint: env("AWS_ENDPOINT_URL_S3").or_else(|| env("AWS_ENDPOINT_URL")),
            access_key_id: env("AWS_ACCESS_KEY_ID"),
            secret_access_key: env("AWS_SECRET_ACCESS_KEY"),
            session_token: env("AWS_SESSION_TOKEN"),
        }
    }

    fn client(&self, bucket: &str) -> Result<object_store::aws::AmazonS3, String> {
        // Few, quick retries of a request: a chunk that still fails is retried whole by the
        // orchestration's own policy (deploy/pipeline/settings.json).
        let retry = RetryConfig {
            max_retries: 2,
            retry_timeout: Duration::from_secs(15),
            ..RetryConfig::default()
        };
        let mut builder = AmazonS3Builder::new()
            .with_retry(retry)
            .with_bucket_name(bucket)
            .with_region(self.region.as_deref().unwrap_or("us-east-1"));
        let web_identity = ["AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"]
            .iter()
            .all(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
        match (&self.access_key_id, &self.secret_access_key) {
            (Some(key), Some(secret)) => {
                builder = builder
                    .with_access_key_id(key)
                    .with_secret_access_key(secret);
                if let Some(token) = &self.session_token {
                    builder = builder.with_token(token);
                }
            }
            // object_store reads these two itself.
            _ if web_identity => {}
            _ => {
                return Err(
                    "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
                     or AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN"
                        .into(),
                );
            }
        }
        if let Some(endpoint) = &self.endpoint {
            let http = endpoint.starts_with("http://");
            if http && !is_loopback(endpoint) {
                return Err(format!(
                    "plain http is allowed for a loopback endpoint only, not {endpoint}"
                ));
            }
            builder = builder.with_allow_http(http).with_endpoint(endpoint);
        }
        builder.build().map_err(|err| err.to_string())
    }
}

fn is_loopback(endpoint: &str) -> bool {
    let host = endpoint
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    host == "localhost" || host == "[::1]" || host.starts_with("127.")
}
