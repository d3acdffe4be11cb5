//! Bounded fuzzing of the parsing paths on stable Rust: random mutations of real inputs go
//! through MIME parsing (message view, list row, bounce reading, POP3 local copies), the HTML
//! sanitizer, search-criteria building and message composition. None may panic: a malformed
//! message or a hostile server gives an error or a best-effort view, never a dropped session.
//!
//! cargo-fuzz needs a nightly compiler, which this project's toolchain does not have; this
//! runs within `cargo test` for `YUBIN_FUZZ_SECONDS` (default 10) with a fixed seed per run
//! printed on failure, so a crash can be replayed with `YUBIN_FUZZ_SEED`.

use std::time::{Duration, Instant};

use yubin_gateway::compose::{compose, Purpose};
use yubin_gateway::{html, mime};
use yubin_protocol::{Flags, OutgoingMessage, SearchQuery};
use yubin_test_support::repo_root;

/// xorshift64*: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens that matter to the parsers, spliced in by the mutator.
const TOKENS: &[&[u8]] = &[
    b"\r\n",
    b"\r\n\r\n",
    b"--",
    b"boundary=",
    b"Content-Type: multipart/mixed; boundary=\"b\"\r\n",
    b"=?utf-8?b?",
    b"=?iso-2022-jp?q?",
    b"?=",
    b"charset=",
    b"\x1b$B",
    b"\x1b(B",
    b"Content-Transfer-Encoding: base64\r\n",
    b"quoted-printable",
    b"=\r\n",
    b"=FF",
    b"message/rfc822",
    b"message/delivery-status",
    b"<",
    b">",
    b"\"",
    b"\\",
    b"<img src=x onerror=1>",
    b"<svg>",
    b"<style>",
    b"url(",
    b"\x00",
    b"\xff\xfe",
    b"\xe3\x81\x82",
    b"cid:",
    b"filename*=",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(5) {
            0 if !data.is_empty() => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at.min(end)..end);
            }
            1 => data.splice(at..at, TOKENS[rng.below(TOKENS.len())].iter().copied()).for_each(drop),
            2 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] = rng.next() as u8;
            }
            3 if !data.is_empty() => {
                let start = rng.below(data.len());
                let end = (start + rng.below(256)).min(data.len());
                let copy = data[start..end].to_vec();
                data.splice(at..at, copy).for_each(drop);
            }
            _ => data.truncate(at),
        }
    }
    data
}

fn seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(repo_root().join("tests/corpus/hostile-html"))
        .unwrap()
        .map(|e| {
            let html = std::fs::read(e.unwrap().path()).unwrap();
            let mut mail = b"Subject: =?utf-8?b?5Lya6K2w?=\r\nContent-Type: text/html; charset=utf-8\r\n\r\n".to_vec();
            mail.extend(html);
            mail
        })
        .collect();
    seeds.push(
        b"From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <y@example.jp>\r\nSubject: test\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n\r\n\
\x1b$B$3$s$K$A$O\x1b(B\r\n--b\r\nContent-Type: application/pdf; name*=utf-8''%E8%B3%87.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nhi\r\n--b--\r\n"
            .to_vec(),
    );
    seeds.push(
        b"Subject: Undelivered\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\nFinal-Recipient: rfc822; a@b\r\n\
Action: failed\r\nStatus: 5.1.1\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <a@b>\r\n--B--\r\n"
            .to_vec(),
    );
    seeds
}

#[test]
fn parsing_paths_never_panic_on_mutated_input() {
    let budget =
        Duration::from_secs(std::env::var("YUBIN_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10));
    let seed = std::env::var("YUBIN_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    println!("fuzz seed {seed} (replay with YUBIN_FUZZ_SEED={seed})");
    let mut rng = Rng(seed);
    let seeds = seeds();
    let from = "Alice <alice@example.test>".parse().unwrap();
    let started = Instant::now();
    let mut runs = 0u64;
    while started.elapsed() < budget {
        let pick = rng.below(seeds.len());
        let input = mutate(&mut rng, &seeds[pick]);
        let _ = mime::view("INBOX", 1, Flags::default(), &input);
        let _ = mime::summary(1, &input, Flags::default(), input.len() as u32, None);
        let _ = mime::local_message("k", &input, Flags::default());
        let text = String::from_utf8_lossy(&input);
        let _ = html::sanitize(&text, Default::default());
        let query = SearchQuery { text: Some(text.chars().take(200).collect()), ..Default::default() };
        let _ = yubin_gateway::upstream::imap_search::criteria(&query, rng.below(2) == 0);
        let outgoing = OutgoingMessage {
            to: vec![text.chars().take(80).collect()],
            subject: text.chars().skip(80).take(80).collect(),
            text: text.to_string(),
            ..Default::default()
        };
        let _ = compose(&from, &outgoing, Vec::new(), Purpose::Send);
        runs += 1;
    }
    println!("fuzzed {runs} inputs in {:?}", started.elapsed());
    assert!(runs > 100, "the fuzz loop ran too few inputs to mean anything: {runs}");
}
