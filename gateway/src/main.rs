//! `yubin-gateway [--config FILE]` — runs the gateway. The config file defaults to
//! `$YUBIN_CONFIG`, then `yubin.toml`. Logging follows `RUST_LOG` (default `info`);
//! `YUBIN_LOG_FORMAT=json` writes JSON lines.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use tracing::{error, info};
use yubin_gateway::{Config, Gateway};

#[tokio::main]
async fn main() -> ExitCode {
    let filter = yubin_gateway::log_filter(&std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()));
    let logs = tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter);
    // JSON lines for log collectors (each with its session's span: `"span":{"id":…}`), or text.
    if std::env::var("YUBIN_LOG_FORMAT").is_ok_and(|f| f == "json") {
        logs.json().with_current_span(true).init();
    } else {
        logs.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).init();
    }
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let config_path = config_path()?;
    yubin_gateway::install_crypto_provider();
    let config = Config::load(&config_path)?;
    let gateway = Arc::new(Gateway::new(config)?);
    let listener = tokio::net::TcpListener::bind(gateway.config.listen).await?;
    info!(
        config = %config_path.display(),
        servers = gateway.servers.len(),
        "listening on http://{}",
        listener.local_addr()?
    );
    yubin_gateway::serve(listener, gateway, shutdown_signal()).await?;
    info!("stopped");
    Ok(())
}

fn config_path() -> Result<PathBuf, String> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (Some("--config"), Some(path)) => Ok(PathBuf::from(path)),
        (None, _) => Ok(std::env::var_os("YUBIN_CONFIG").map_or_else(|| PathBuf::from("yubin.toml"), PathBuf::from)),
        _ => Err("usage: yubin-gateway [--config FILE]".into()),
    }
}

/// Ctrl-C or SIGTERM: stop accepting, let open connections finish.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {},
        _ = term.recv() => {},
    }
    info!("shutting down");
}
