//! `leadline-sfsim`: serves a local Salesforce until SIGTERM or Ctrl-C. The first line on stdout
//! is `listening on URL`, so scripts and tests can start it on port 0 and read where it went.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use leadline_sfsim::{Options, Org};

#[derive(Debug, Parser)]
#[command(
    name = "leadline-sfsim",
    version,
    about = "A local Salesforce for Leadline's tests and offline demo."
)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The org file (TOML); without it, the built-in practice org.
    #[arg(long, value_name = "FILE")]
    org: Option<PathBuf>,
    /// Serve HTTPS with a freshly generated self-signed certificate.
    #[arg(long)]
    tls: bool,
    /// With --tls: write the CA certificate (PEM) here, for clients to trust.
    #[arg(long, value_name = "FILE", requires = "tls")]
    ca_out: Option<PathBuf>,
    /// Keep records across restarts in this file (default: in memory).
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Approve this user's authorizations without the consent page.
    #[arg(long, value_name = "USERNAME")]
    auto_approve: Option<String>,
}

/// Listens for SIGTERM and Ctrl-C. Made before the address is announced, so a caller that
/// stops us the moment it reads the first line still gets a clean shutdown.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let interrupt = tokio::signal::ctrl_c();
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt => {}
        }
        #[cfg(not(unix))]
        let _ = interrupt.await;
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SFSIM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut org = match &args.org {
        Some(path) => match Org::load(path) {
            Ok(org) => org,
            Err(e) => {
                eprintln!("leadline-sfsim: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => Org::practice(),
    };
    if let Some(user) = args.auto_approve {
        if org.user(&user).is_none() {
            eprintln!("leadline-sfsim: --auto-approve {user}: the org has no such user");
            return ExitCode::FAILURE;
        }
        org.org.auto_approve = Some(user);
    }
    let running = match leadline_sfsim::start(Options {
        org,
        port: args.port,
        tls: args.tls,
        state_file: args.state,
    })
    .await
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("leadline-sfsim: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let (Some(path), Some(pem)) = (&args.ca_out, &running.ca_pem)
        && let Err(e) = std::fs::write(path, pem)
    {
        eprintln!(
            "leadline-sfsim: cannot write the CA certificate to {}: {e}",
            path.display()
        );
        return ExitCode::FAILURE;
    }
    let stop = match shutdown_signal() {
        Ok(stop) => stop,
        Err(e) => {
            eprintln!("leadline-sfsim: cannot listen for SIGTERM: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "listening on {}", running.base_url)
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);
    stop.await;
    match running.stop().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("leadline-sfsim: {e}");
            ExitCode::FAILURE
        }
    }
}
