//! Who the client is, for the limits that count per client address.
//!
//! Behind a reverse proxy every connection comes from the proxy, so counting by the socket's
//! peer would let one client lock everybody out. The operator names the proxies it runs
//! (`trusted_proxies`); only their `X-Forwarded-For` (or `Forwarded: for=`) is believed, read
//! from the right: the first address that is not itself a trusted proxy is the client. A
//! client's own forged entries sit to the left of the one its proxy appended, and are never
//! reached.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// An address or a CIDR range (`10.0.0.0/8`, `::1`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn parse(text: &str) -> Option<Self> {
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.parse::<u8>().ok()?)),
            None => (text.trim(), None),
        };
        let network: IpAddr = address.parse().ok()?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(bits);
        (prefix <= bits).then_some(Self { network, prefix })
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        match (self.network, address) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                masked(u32::from(net).into(), self.prefix, 32) == masked(u32::from(a).into(), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                masked(u128::from(net), self.prefix, 128) == masked(u128::from(a), self.prefix, 128)
            }
            _ => false,
        }
    }
}

fn masked(bits: u128, prefix: u8, width: u8) -> u128 {
    if prefix == 0 {
        return 0;
    }
    bits >> (width - prefix)
}

/// IPv4 addresses seen through an IPv6 socket (`::ffff:192.0.2.1`) as the IPv4 address.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The trusted proxies of the config, parsed (validated at load).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpRange>);

impl TrustedProxies {
    pub fn new(ranges: &[String]) -> Self {
        Self(ranges.iter().filter_map(|r| IpRange::parse(r)).collect())
    }

    pub fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(address))
    }

    /// The client's address: `peer`, unless `peer` is a trusted proxy that says whom it
    /// forwards for.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let forwarded = forwarded_for(headers);
        forwarded.iter().rev().map(|a| canonical(*a)).find(|a| !self.trusts(*a)).unwrap_or(peer)
    }

    /// Whether the browser reached a trusted proxy over HTTPS (`X-Forwarded-Proto: https`).
    pub fn forwarded_https(&self, peer: IpAddr, headers: &HeaderMap) -> bool {
        self.trusts(canonical(peer))
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
    }
}

/// The addresses of `X-Forwarded-For` (all such headers, in order), or else of `Forwarded`'s
/// `for=` parameters; entries that are no address (`unknown`, obfuscated names) are skipped.
fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    let xff: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|entry| parse_node(entry.trim()))
        .collect();
    if !xff.is_empty() {
        return xff;
    }
    headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            key.trim().eq_ignore_ascii_case("for").then(|| parse_node(value.trim().trim_matches('"')))?
        })
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn parse_node(text: &str) -> Option<IpAddr> {
    if let Ok(address) = text.parse() {
        return Some(address);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    text.rsplit_once(':')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ranges_match_by_prefix() {
        let range = IpRange::parse("10.0.0.0/8").unwrap();
        assert!(range.contains(ip("10.200.1.2")));
        assert!(!range.contains(ip("11.0.0.1")));
        assert!(range.contains(ip("::ffff:10.1.1.1")), "IPv4 through an IPv6 socket");
        assert!(IpRange::parse("::1").unwrap().contains(ip("::1")));
        assert!(IpRange::parse("fd00::/8").unwrap().contains(ip("fd12::1")));
        assert!(IpRange::parse("0.0.0.0/0").unwrap().contains(ip("192.0.2.9")));
        for bad in ["10.0.0.0/33", "nonsense", "10.0.0/8", ""] {
            assert!(IpRange::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxies = TrustedProxies::new(&["127.0.0.1".into(), "10.0.0.0/8".into()]);
        let forged = headers(&[("x-forwarded-for", "203.0.113.66")]);
        // Someone not a proxy cannot choose their address.
        assert_eq!(proxies.client_address(ip("198.51.100.7"), &forged), ip("198.51.100.7"));
        // Through the proxy: the address the proxy appended, not the client's forged one.
        let via_proxy = headers(&[("x-forwarded-for", "203.0.113.66, 198.51.100.7")]);
        assert_eq!(proxies.client_address(ip("127.0.0.1"), &via_proxy), ip("198.51.100.7"));
        // Two proxies in a row.
        let chain = headers(&[("x-forwarded-for", "198.51.100.7, 10.1.2.3")]);
        assert_eq!(proxies.client_address(ip("127.0.0.1"), &chain), ip("198.51.100.7"));
        // RFC 7239.
        let rfc = headers(&[("forwarded", "for=\"[2001:db8::5]:4711\";proto=https")]);
        assert_eq!(proxies.client_address(ip("127.0.0.1"), &rfc), ip("2001:db8::5"));
        // A proxy that says nothing: the proxy itself.
        assert_eq!(proxies.client_address(ip("127.0.0.1"), &HeaderMap::new()), ip("127.0.0.1"));
        assert!(proxies.forwarded_https(ip("127.0.0.1"), &headers(&[("x-forwarded-proto", "https")])));
        assert!(!proxies.forwarded_https(ip("198.51.100.7"), &headers(&[("x-forwarded-proto", "https")])));
    }
}
