//! The gateway's shared, read-only state: the configuration and what was prepared from it.

use std::collections::HashMap;
use std::sync::Arc;

use crate::app_page::AppPage;
use crate::client_address::TrustedProxies;
use crate::config::{Config, ConfigError};
use crate::limits::{LoginThrottle, SessionCounter, UnsignedSessions};
use crate::mail_servers::{self, ServerRuntime};
use crate::origin::OriginPolicy;
use crate::sealed::Sealer;
use crate::security_headers::SecurityHeaders;
use crate::tickets::Downloads;
use crate::upstream::keyserver::Keyserver;

pub struct Gateway {
    pub config: Config,
    /// The allow-listed servers by id, with TLS settings ready to use.
    pub servers: HashMap<String, Arc<ServerRuntime>>,
    pub headers: SecurityHeaders,
    /// The app's page, with the servers written in.
    pub page: AppPage,
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
    /// Seals OAuth flow state and grants handed to the browser (see `sealed`).
    pub sealer: Sealer,
    /// Where OpenPGP public keys are looked up, if the operator allows it.
    pub keyserver: Option<Keyserver>,
}

impl Gateway {
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        config.validate()?;
        let servers = mail_servers::prepare(&config)?;
        let headers = SecurityHeaders::for_static_dir(&config.static_dir);
        let page = AppPage::for_static_dir(&config.static_dir, &config.server_infos());
        let login_throttle =
            LoginThrottle::new(config.limits.free_failed_logins, config.limits.free_failed_logins_per_client);
        let key = config.oauth_key_file.as_deref().map(Sealer::read_key).transpose().map_err(ConfigError::Invalid)?;
        let keyserver = Keyserver::new(&config.openpgp)?;
        Ok(Self {
            keyserver,
            login_throttle,
            origins: OriginPolicy::new(&config.allowed_origins, config.tls.is_some()),
            proxies: TrustedProxies::new(&config.trusted_proxies),
            unsigned: UnsignedSessions::default(),
            config,
            servers,
            headers,
            page,
            downloads: Downloads::default(),
            stopping: tokio::sync::watch::Sender::new(false),
            sessions: SessionCounter::default(),
            sealer: Sealer::new(key),
        })
    }
}
