//! The gateway's shared, read-only state: the configuration and what was prepared from it.

use std::collections::HashMap;
use std::sync::Arc;

use crate::client_address::TrustedProxies;
use crate::config::{Config, ConfigError, ServerConfig};
use crate::downloads::Downloads;
use crate::http::SecurityHeaders;
use crate::limits::{LoginThrottle, SessionCounter, UnsignedSessions};
use crate::origin::OriginPolicy;
use crate::upstream::net::Upstream;
use crate::upstream::smtp::SmtpUpstream;

pub struct Gateway {
    pub config: Config,
    /// The allow-listed servers by id, with TLS settings ready to use.
    pub servers: HashMap<String, Arc<ServerRuntime>>,
    pub headers: SecurityHeaders,
    /// Single-use attachment download tickets (in memory, a minute each).
    pub downloads: Downloads,
    /// Turns true when the gateway stops: every session then closes its WebSocket, so the
    /// browser reconnects (to this gateway's successor, or another behind the balancer).
    pub stopping: tokio::sync::watch::Sender<bool>,
    pub sessions: SessionCounter,
    /// Sessions not signed in yet, per client address.
    pub unsigned: UnsignedSessions,
    pub login_throttle: LoginThrottle,
    /// Which pages may open the WebSocket.
    pub origins: OriginPolicy,
    /// Whose word about the client's address is believed.
    pub proxies: TrustedProxies,
}

/// One configured mail server, prepared for connecting.
pub struct ServerRuntime {
    pub config: ServerConfig,
    pub incoming: Upstream,
    pub smtp: SmtpUpstream,
}

impl Gateway {
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut servers = HashMap::new();
        for server in &config.servers {
            let runtime = ServerRuntime {
                incoming: Upstream::new(server.incoming().1, incoming_label(server.incoming().0))?,
                smtp: SmtpUpstream::new(Upstream::new(&server.smtp, "smtp")?),
                config: server.clone(),
            };
            servers.insert(server.id.clone(), Arc::new(runtime));
        }
        let headers = SecurityHeaders::for_static_dir(&config.static_dir);
        let login_throttle =
            LoginThrottle::new(config.limits.free_failed_logins, config.limits.free_failed_logins_per_client);
        Ok(Self {
            login_throttle,
            origins: OriginPolicy::new(&config.allowed_origins, config.tls.is_some()),
            proxies: TrustedProxies::new(&config.trusted_proxies),
            unsigned: UnsignedSessions::default(),
            config,
            servers,
            headers,
            downloads: Downloads::default(),
            stopping: tokio::sync::watch::Sender::new(false),
            sessions: SessionCounter::default(),
        })
    }
}

/// The incoming protocol's name, as the metrics label it.
fn incoming_label(protocol: yubin_protocol::IncomingProtocol) -> &'static str {
    match protocol {
        yubin_protocol::IncomingProtocol::Imap => "imap",
        yubin_protocol::IncomingProtocol::Pop3 => "pop3",
    }
}
