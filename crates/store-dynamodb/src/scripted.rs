//! A loopback HTTP server that answers DynamoDB calls from a script, for unit tests of what
//! DynamoDB Local never does: it runs transactions one at a time, so it never reports a conflict.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::settings::{DynamoSettings, client};

/// A running script: its endpoint and the request bodies it has answered.
pub(crate) struct Scripted {
    endpoint: String,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl Scripted {
    /// Answers the n-th request with `answers[n]` (status, JSON body); the last answer repeats.
    pub(crate) async fn serve(answers: Vec<(u16, &'static str)>) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("address"));
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let answers = Arc::new(answers);
        let seen = bodies.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(answer(stream, answers.clone(), seen.clone()));
            }
        });
        Scripted { endpoint, bodies }
    }

    /// A client with the default settings, pointed at the script.
    pub(crate) async fn client(&self) -> aws_sdk_dynamodb::Client {
        client(&DynamoSettings::local(&self.endpoint, "t")).await
    }

    pub(crate) fn bodies(&self) -> Vec<String> {
        self.bodies.lock().expect("not poisoned").clone()
    }
}

/// Answers the requests on one keep-alive connection until the client closes it.
async fn answer(
    stream: TcpStream,
    answers: Arc<Vec<(u16, &'static str)>>,
    bodies: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            if line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await?;
        let n = {
            let mut bodies = bodies.lock().expect("not poisoned");
            bodies.push(String::from_utf8_lossy(&body).into_owned());
            bodies.len() - 1
        };
        let (status, json) = answers[n.min(answers.len() - 1)];
        let response = format!(
            "HTTP/1.1 {status} Scripted\r\ncontent-type: application/x-amz-json-1.0\r\n\
             content-length: {}\r\n\r\n{json}",
            json.len()
        );
        reader.get_mut().write_all(response.as_bytes()).await?;
    }
}
