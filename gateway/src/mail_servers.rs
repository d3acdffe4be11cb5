//! The operator's allow-listed mail servers, prepared for connecting (TLS settings loaded
//! once). The gateway connects to these and to nothing else.

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::{Config, ConfigError, ServerConfig};
use crate::upstream::carddav::CardDavUpstream;
use crate::upstream::net::Upstream;
use crate::upstream::oauth::OAuthProvider;
use crate::upstream::smtp::SmtpUpstream;

/// One configured mail server, prepared for connecting.
pub struct ServerRuntime {
    pub config: ServerConfig,
    pub incoming: Upstream,
    pub smtp: SmtpUpstream,
    /// The identity provider, for a server whose accounts sign in with OAuth.
    pub oauth: Option<Arc<OAuthProvider>>,
    /// Where the account's Sieve scripts are, if the server says.
    pub managesieve: Option<Upstream>,
    /// Where the account's contacts are, if the server says.
    pub carddav: Option<CardDavUpstream>,
}

/// Every configured server by id, ready to connect to.
pub fn prepare(config: &Config) -> Result<HashMap<String, Arc<ServerRuntime>>, ConfigError> {
    let mut servers = HashMap::new();
    for server in &config.servers {
        let runtime = ServerRuntime {
            incoming: Upstream::new(server.incoming().1, incoming_label(server.incoming().0))?,
            smtp: SmtpUpstream::new(Upstream::new(&server.smtp, "smtp")?),
            oauth: server.oauth.as_ref().map(|oauth| Arc::new(OAuthProvider::new(oauth))),
            managesieve: server.managesieve.as_ref().map(|e| Upstream::new(e, "managesieve")).transpose()?,
            carddav: server.carddav.as_ref().map(CardDavUpstream::new).transpose()?,
            config: server.clone(),
        };
        servers.insert(server.id.clone(), Arc::new(runtime));
    }
    Ok(servers)
}

/// The incoming protocol's name, as the metrics label it.
fn incoming_label(protocol: yubin_protocol::IncomingProtocol) -> &'static str {
    match protocol {
        yubin_protocol::IncomingProtocol::Imap => "imap",
        yubin_protocol::IncomingProtocol::Pop3 => "pop3",
    }
}
