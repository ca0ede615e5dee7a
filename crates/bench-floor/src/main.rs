//! `twinstack-bench-floor`: `GET /api/users/{id}` served with nothing but hyper and tokio-postgres,
//! the floor `make bench-db` measures `twinstack-server` against.
//!
//! It answers the route with the same status, `content-type` and JSON bytes as the server for an
//! existing user (a test compares them), from one prepared statement on a small fixed set of
//! connections taken in turn, several requests pipelined on each. No router, middleware, request
//! ids, timeouts, metrics or logs: what is left is the work this design cannot avoid — HTTP/1.1
//! over loopback, one round trip to Postgres, the JSON — so its throughput is the physical limit of
//! the design on the machine that runs it, and the server's figure over it is what the server's
//! own layers cost. Any other path, method or id gets an empty 404; a database error an empty 500.
//!
//! `twinstack-bench-floor --database-url URL --listen ADDR --connections N` (or `DATABASE_URL`,
//! `LISTEN`); it prints `listening on ADDR` once it accepts connections.

mod clients;
mod respond;
mod user_json;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::clients::Clients;

#[derive(Parser)]
#[command(
    version,
    about = "GET /api/users/{id} from hyper and tokio-postgres alone: make bench-db's floor"
)]
struct Args {
    /// The seeded twinstack database.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// Where to listen; port 0 picks a free one (printed).
    #[arg(long, env = "LISTEN", default_value = "127.0.0.1:8081")]
    listen: SocketAddr,
    /// Postgres connections, each with the statement prepared, taken in turn.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    connections: u16,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let clients = Arc::new(Clients::connect(&args.database_url, args.connections).await?);
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(err) => {
                eprintln!("accept: {err}");
                continue;
            }
        };
        let clients = Arc::clone(&clients);
        tokio::spawn(async move {
            let service = service_fn(|request| {
                let clients = Arc::clone(&clients);
                async move { Ok::<_, Infallible>(respond::answer(&clients, &request).await) }
            });
            // A load generator hangs up with requests in flight when its time is up: not an error.
            if let Err(err) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
                && !err.is_incomplete_message()
            {
                eprintln!("connection: {err}");
            }
        });
    }
}
