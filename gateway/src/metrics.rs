//! What an operator watches, at `/metrics` in the Prometheus text format: sessions, upstream
//! connections, bytes relayed, errors by kind, and how long sending takes.
//!
//! Plain atomics in one process-wide table: the figures are per gateway process (each replica
//! behind a balancer is scraped on its own), cost a relaxed add on the hot path, and need no
//! registry crate.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use yubin_protocol::ErrorKind;

/// Upper bounds (seconds) of the send-latency histogram's buckets.
const SEND_BUCKETS: [f64; 8] = [0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

const ERROR_KINDS: [(ErrorKind, &str); 9] = [
    (ErrorKind::AuthFailed, "auth_failed"),
    (ErrorKind::Unreachable, "unreachable"),
    (ErrorKind::Tls, "tls"),
    (ErrorKind::Refused, "refused"),
    (ErrorKind::ConnectionLost, "connection_lost"),
    (ErrorKind::BadRequest, "bad_request"),
    (ErrorKind::NotLoggedIn, "not_logged_in"),
    (ErrorKind::Protocol, "protocol"),
    (ErrorKind::Internal, "internal"),
];

/// Upstream protocols, as the `protocol` label says them (`oauth`: the identity provider).
pub const UPSTREAMS: [&str; 7] = ["imap", "pop3", "smtp", "managesieve", "oauth", "carddav", "keyserver"];

pub struct Metrics {
    pub sessions_open: AtomicU64,
    pub sessions_total: AtomicU64,
    pub requests_total: AtomicU64,
    upstream_open: [AtomicU64; UPSTREAMS.len()],
    upstream_total: [AtomicU64; UPSTREAMS.len()],
    upstream_bytes_in: [AtomicU64; UPSTREAMS.len()],
    upstream_bytes_out: [AtomicU64; UPSTREAMS.len()],
    pub websocket_bytes_in: AtomicU64,
    pub websocket_bytes_out: AtomicU64,
    errors: [AtomicU64; 9],
    send_buckets: [AtomicU64; 8],
    send_count: AtomicU64,
    send_micros: AtomicU64,
}

#[allow(clippy::declare_interior_mutable_const)] // only to build the static's arrays
const ZERO: AtomicU64 = AtomicU64::new(0);

pub static METRICS: Metrics = Metrics::new();

/// The label's place; every `Upstream` is made with one of [`UPSTREAMS`] (a test checks the
/// gateway's sources), so the fallback never counts one protocol as another in practice.
fn upstream_index(protocol: &str) -> usize {
    UPSTREAMS.iter().position(|p| *p == protocol).unwrap_or(0)
}

impl Metrics {
    const fn new() -> Self {
        Self {
            sessions_open: ZERO,
            sessions_total: ZERO,
            requests_total: ZERO,
            upstream_open: [ZERO; UPSTREAMS.len()],
            upstream_total: [ZERO; UPSTREAMS.len()],
            upstream_bytes_in: [ZERO; UPSTREAMS.len()],
            upstream_bytes_out: [ZERO; UPSTREAMS.len()],
            websocket_bytes_in: ZERO,
            websocket_bytes_out: ZERO,
            errors: [ZERO; 9],
            send_buckets: [ZERO; 8],
            send_count: ZERO,
            send_micros: ZERO,
        }
    }

    pub fn upstream_opened(&self, protocol: &str) {
        let i = upstream_index(protocol);
        self.upstream_open[i].fetch_add(1, Relaxed);
        self.upstream_total[i].fetch_add(1, Relaxed);
    }

    pub fn upstream_closed(&self, protocol: &str) {
        self.upstream_open[upstream_index(protocol)].fetch_sub(1, Relaxed);
    }

    pub fn upstream_bytes(&self, protocol: &str, read: usize, written: usize) {
        let i = upstream_index(protocol);
        self.upstream_bytes_in[i].fetch_add(read as u64, Relaxed);
        self.upstream_bytes_out[i].fetch_add(written as u64, Relaxed);
    }

    pub fn error(&self, kind: ErrorKind) {
        if let Some(i) = ERROR_KINDS.iter().position(|(k, _)| *k == kind) {
            self.errors[i].fetch_add(1, Relaxed);
        }
    }

    pub fn send_took(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        for (bucket, bound) in self.send_buckets.iter().zip(SEND_BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Relaxed);
            }
        }
        self.send_count.fetch_add(1, Relaxed);
        self.send_micros.fetch_add(took.as_micros() as u64, Relaxed);
    }

    /// Everything, in the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, samples: &[(String, u64)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        let one = |v: &AtomicU64| vec![(String::new(), v.load(Relaxed))];
        let per_protocol = |values: &[AtomicU64; UPSTREAMS.len()]| -> Vec<(String, u64)> {
            UPSTREAMS.iter().zip(values).map(|(p, v)| (format!("{{protocol=\"{p}\"}}"), v.load(Relaxed))).collect()
        };
        metric("yubin_sessions", "gauge", "WebSocket sessions open now.", &one(&self.sessions_open));
        metric("yubin_sessions_total", "counter", "WebSocket sessions opened.", &one(&self.sessions_total));
        metric("yubin_requests_total", "counter", "Requests answered.", &one(&self.requests_total));
        metric(
            "yubin_upstream_connections",
            "gauge",
            "Connections to mail servers open now.",
            &per_protocol(&self.upstream_open),
        );
        metric(
            "yubin_upstream_connections_total",
            "counter",
            "Connections to mail servers opened.",
            &per_protocol(&self.upstream_total),
        );
        metric(
            "yubin_upstream_received_bytes_total",
            "counter",
            "Bytes read from mail servers.",
            &per_protocol(&self.upstream_bytes_in),
        );
        metric(
            "yubin_upstream_sent_bytes_total",
            "counter",
            "Bytes written to mail servers.",
            &per_protocol(&self.upstream_bytes_out),
        );
        metric(
            "yubin_websocket_bytes_total",
            "counter",
            "WebSocket payload bytes relayed to and from browsers.",
            &[
                ("{direction=\"in\"}".into(), self.websocket_bytes_in.load(Relaxed)),
                ("{direction=\"out\"}".into(), self.websocket_bytes_out.load(Relaxed)),
            ],
        );
        let errors: Vec<_> = ERROR_KINDS
            .iter()
            .zip(&self.errors)
            .map(|((_, name), v)| (format!("{{kind=\"{name}\"}}"), v.load(Relaxed)))
            .collect();
        metric("yubin_errors_total", "counter", "Requests answered with an error, by kind.", &errors);
        let _ = writeln!(
            out,
            "# HELP yubin_send_seconds Time to send a message (SMTP and the Sent copy).\n# TYPE yubin_send_seconds histogram"
        );
        for (bucket, bound) in self.send_buckets.iter().zip(SEND_BUCKETS) {
            let _ = writeln!(out, "yubin_send_seconds_bucket{{le=\"{bound}\"}} {}", bucket.load(Relaxed));
        }
        let count = self.send_count.load(Relaxed);
        let _ = writeln!(out, "yubin_send_seconds_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "yubin_send_seconds_sum {}", self.send_micros.load(Relaxed) as f64 / 1e6);
        let _ = writeln!(out, "yubin_send_seconds_count {count}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_text_format() {
        let metrics = Metrics::new();
        metrics.sessions_open.store(2, Relaxed);
        metrics.upstream_opened("pop3");
        metrics.error(ErrorKind::AuthFailed);
        metrics.send_took(Duration::from_millis(300));
        let text = metrics.render();
        assert!(text.contains("yubin_sessions 2\n"));
        assert!(text.contains("yubin_upstream_connections{protocol=\"pop3\"} 1\n"));
        assert!(text.contains("yubin_errors_total{kind=\"auth_failed\"} 1\n"));
        assert!(text.contains("yubin_send_seconds_bucket{le=\"0.25\"} 0\n"));
        assert!(text.contains("yubin_send_seconds_bucket{le=\"0.5\"} 1\n"));
        assert!(text.contains("yubin_send_seconds_count 1\n"));
    }

    /// Every upstream the gateway makes is labelled with a protocol of its own (this file, which
    /// names the call in its search, aside).
    #[test]
    fn every_upstream_is_counted_under_its_own_protocol() {
        let mut labels = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("metrics.rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    // A label is the call's first string: `Upstream::new(endpoint, "imap")`, or
                    // `send_within(request, ca_file, "oauth", …)` for HTTPS.
                    let calls = text.match_indices("Upstream::new(").map(|(at, _)| (at, ')'));
                    for (at, end) in calls.chain(text.match_indices("send_within(").map(|(at, _)| (at, ';'))) {
                        let call = &text[at..];
                        let call = &call[..call.find(end).unwrap_or(call.len())];
                        if let Some(label) = call.split('"').nth(1) {
                            labels.push(label.to_owned());
                        }
                    }
                }
            }
        }
        for expected in ["managesieve", "oauth", "keyserver"] {
            assert!(labels.iter().any(|l| l == expected), "{expected} not in {labels:?}");
        }
        for label in labels {
            assert!(UPSTREAMS.contains(&label.as_str()), "{label} is not one of {UPSTREAMS:?}");
        }
    }
}
