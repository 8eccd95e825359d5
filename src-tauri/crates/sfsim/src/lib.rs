//! A local Salesforce for tests, benchmarks and the offline demo, close enough to the real
//! protocol that widely used Salesforce clients work against it unchanged: OAuth (with OpenID
//! Connect), REST describe, records, sObject Collections, upsert, a SOQL subset and limits, with
//! Salesforce's exact error bodies, plus org knobs (rules, policies, limits, latency, faults) and
//! inspection endpoints that let tests see what was written and which tokens went where.

pub mod error;
pub mod ids;
pub mod inspect;
pub mod oauth;
pub mod org;
pub mod query;
pub mod records;
pub mod rest;
#[cfg(feature = "robot")]
pub mod robot;
pub mod schema;
pub mod server;
pub mod session;
pub mod soql;
pub mod state;
pub mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::ServiceExt;
use axum::extract::Request;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;

pub use org::Org;
pub use state::{Sim, StartError};

/// How to run a simulator.
#[derive(Debug, Clone)]
pub struct Options {
    pub org: Org,
    /// 0 picks a free port.
    pub port: u16,
    /// Serve HTTPS with a generated certificate; the CA's PEM is returned in [`Running::ca_pem`].
    pub tls: bool,
    /// Keep records (and tokens) in this file across restarts.
    pub state_file: Option<PathBuf>,
}

impl Options {
    pub fn practice() -> Self {
        Self {
            org: Org::practice(),
            port: 0,
            tls: false,
            state_file: None,
        }
    }
}

/// A simulator serving in the background of the current Tokio runtime.
#[derive(Debug)]
pub struct Running {
    /// `http://127.0.0.1:PORT` (or `https://…`).
    pub base_url: String,
    pub sim: Sim,
    pub ca_pem: Option<String>,
    handle: axum_server::Handle<SocketAddr>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    saver: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops serving (letting requests in flight finish) and writes the state file.
    pub async fn stop(self) -> std::io::Result<()> {
        self.handle.graceful_shutdown(Some(Duration::from_secs(5)));
        let served = self.task.await.map_err(std::io::Error::other)?;
        self.saver.abort();
        self.sim.save_if_dirty()?;
        served
    }
}

/// Binds 127.0.0.1, starts serving, and returns once the port is known.
pub async fn start(options: Options) -> Result<Running, StartError> {
    let sim = Sim::new(options.org, options.state_file.as_deref())?;
    let listener =
        std::net::TcpListener::bind(("127.0.0.1", options.port)).map_err(StartError::Listen)?;
    listener.set_nonblocking(true).map_err(StartError::Listen)?;
    let addr = listener.local_addr().map_err(StartError::Listen)?;
    let scheme = if options.tls { "https" } else { "http" };
    let base_url = format!("{scheme}://127.0.0.1:{}", addr.port());
    sim.set_base_url(base_url.clone());

    let app = NormalizePathLayer::trim_trailing_slash().layer(server::router(sim.clone()));
    let make = ServiceExt::<Request>::into_make_service(app);
    let handle = axum_server::Handle::new();
    let (task, ca_pem) = if options.tls {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let generated = tls::generate().map_err(|e| StartError::Tls(e.to_string()))?;
        let config = axum_server::tls_rustls::RustlsConfig::from_pem(
            generated.cert_pem.into_bytes(),
            generated.key_pem.into_bytes(),
        )
        .await
        .map_err(|e| StartError::Tls(e.to_string()))?;
        let server = axum_server::from_tcp_rustls(listener, config)
            .map_err(StartError::Listen)?
            .handle(handle.clone());
        (tokio::spawn(server.serve(make)), Some(generated.ca_pem))
    } else {
        let server = axum_server::from_tcp(listener)
            .map_err(StartError::Listen)?
            .handle(handle.clone());
        (tokio::spawn(server.serve(make)), None)
    };
    let saver_sim = sim.clone();
    let saver = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        loop {
            tick.tick().await;
            if let Err(e) = saver_sim.save_if_dirty() {
                tracing::error!("cannot write the state file: {e}");
            }
        }
    });
    Ok(Running {
        base_url,
        sim,
        ca_pem,
        handle,
        task,
        saver,
    })
}
