//! Which pages may open the WebSocket.
//!
//! A page on another site must not be able to talk to the gateway with the user's network
//! position (cross-site WebSocket hijacking), and neither may a page that reached the gateway
//! through a name of the attacker's that resolves to it (DNS rebinding): there the browser
//! sends `Host: evil.example` and `Origin: http://evil.example`, which agree with each other, so
//! comparing `Origin` with `Host` alone proves nothing. The gateway therefore accepts only
//! host names it was told about:
//! - with `allowed_origins` configured, exactly those origins (scheme, host and port);
//! - without, its own origin as the browser sees it, `scheme://Host`, where `Host` is an
//!   address literal (such as the listen address) or `localhost` — names no attacker can
//!   point at the gateway — and the scheme is `https` when the gateway serves TLS (or a
//!   trusted proxy says the browser used HTTPS), else `http`.

use std::net::IpAddr;

/// A parsed `scheme://host[:port]`, lower-cased, with the default port made explicit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    pub fn parse(text: &str) -> Option<Self> {
        let (scheme, rest) = text.trim().split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (host, port) = split_host_port(rest)?;
        Some(Self { scheme, host, port: port.unwrap_or(default_port) })
    }
}

/// `Host` or an origin's authority: the host lower-cased (IPv6 in brackets) and the port.
fn split_host_port(authority: &str) -> Option<(String, Option<u16>)> {
    if authority.is_empty() || authority.contains(['/', '@', '?', '#', ' ']) {
        return None;
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        inside.parse::<std::net::Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?.parse().ok()?),
        };
        (format!("[{inside}]"), port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host.to_owned(), Some(port.parse().ok()?)),
            None => (authority.to_owned(), None),
        }
    };
    (!host.is_empty()).then(|| (host.to_ascii_lowercase(), port))
}

/// Host names no attacker can make resolve to the gateway: address literals and `localhost`.
fn is_own_name(host: &str) -> bool {
    host == "localhost"
        || host.parse::<IpAddr>().is_ok()
        || host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).is_some_and(|h| h.parse::<IpAddr>().is_ok())
}

/// The Origin rules of one gateway.
#[derive(Debug, Clone)]
pub struct OriginPolicy {
    allowed: Vec<Origin>,
    serves_tls: bool,
}

impl OriginPolicy {
    /// `allowed_origins` as configured (validated at load).
    pub fn new(allowed_origins: &[String], serves_tls: bool) -> Self {
        Self { allowed: allowed_origins.iter().filter_map(|o| Origin::parse(o)).collect(), serves_tls }
    }

    /// Whether a WebSocket with these `Origin` and `Host` headers may open. `https_proxy`: a
    /// trusted proxy says the browser came over HTTPS.
    pub fn check(&self, origin: Option<&str>, host: Option<&str>, https_proxy: bool) -> Result<(), &'static str> {
        let origin = Origin::parse(origin.ok_or("no Origin header")?).ok_or("unreadable Origin header")?;
        if !self.allowed.is_empty() {
            return if self.allowed.contains(&origin) { Ok(()) } else { Err("Origin not in allowed_origins") };
        }
        let scheme = if self.serves_tls || https_proxy { "https" } else { "http" };
        let default_port = if scheme == "https" { 443 } else { 80 };
        let (host, port) = split_host_port(host.ok_or("no Host header")?).ok_or("unreadable Host header")?;
        if !is_own_name(&host) {
            return Err("Host is not an address or localhost: set allowed_origins to the gateway's public origin");
        }
        let own = Origin { scheme: scheme.to_owned(), host, port: port.unwrap_or(default_port) };
        if origin == own {
            Ok(())
        } else {
            Err("Origin is not the gateway's own")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain() -> OriginPolicy {
        OriginPolicy::new(&[], false)
    }

    #[test]
    fn own_origin_on_an_address_or_localhost() {
        let p = plain();
        assert!(p.check(Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080"), false).is_ok());
        assert!(p.check(Some("http://localhost:8080"), Some("localhost:8080"), false).is_ok());
        assert!(p.check(Some("http://[::1]:8080"), Some("[::1]:8080"), false).is_ok());
        assert!(p.check(Some("http://192.0.2.10"), Some("192.0.2.10:80"), false).is_ok(), "default port");
        assert!(p.check(Some("HTTP://LOCALHOST:8080"), Some("localhost:8080"), false).is_ok(), "case");
    }

    #[test]
    fn dns_rebinding_and_foreign_pages_are_refused() {
        let p = plain();
        // Host and Origin agree, but the name is the attacker's.
        assert!(p.check(Some("http://evil.example:8080"), Some("evil.example:8080"), false).is_err());
        assert!(p.check(Some("http://evil.example"), Some("127.0.0.1:8080"), false).is_err());
        assert!(p.check(Some("http://127.0.0.1:9999"), Some("127.0.0.1:8080"), false).is_err(), "port");
        assert!(p.check(Some("https://127.0.0.1:8080"), Some("127.0.0.1:8080"), false).is_err(), "scheme");
        assert!(p.check(None, Some("127.0.0.1:8080"), false).is_err());
        assert!(p.check(Some("http://127.0.0.1:8080"), None, false).is_err());
        assert!(p.check(Some("null"), Some("127.0.0.1:8080"), false).is_err());
        assert!(p.check(Some("http://sub.localhost:8080"), Some("sub.localhost:8080"), false).is_err());
    }

    #[test]
    fn schemes_follow_tls_and_trusted_proxies() {
        let tls = OriginPolicy::new(&[], true);
        assert!(tls.check(Some("https://127.0.0.1:8443"), Some("127.0.0.1:8443"), false).is_ok());
        assert!(tls.check(Some("http://127.0.0.1:8443"), Some("127.0.0.1:8443"), false).is_err());
        assert!(plain().check(Some("https://127.0.0.1"), Some("127.0.0.1"), true).is_ok());
    }

    #[test]
    fn configured_origins_are_exact() {
        let p = OriginPolicy::new(&["https://mail.example.org".to_owned()], false);
        assert!(p.check(Some("https://mail.example.org"), Some("10.0.0.1:8080"), false).is_ok());
        assert!(p.check(Some("https://mail.example.org:443"), Some("backend"), false).is_ok());
        assert!(p.check(Some("http://mail.example.org"), Some("mail.example.org"), false).is_err(), "scheme");
        assert!(p.check(Some("https://mail.example.org.evil.example"), Some("x"), false).is_err());
        assert!(p.check(Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080"), false).is_err());
    }
}
