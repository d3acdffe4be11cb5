//! How far to trust who a message says it is from.
//!
//! Verdicts come from the receiving server's `Authentication-Results` header (RFC 8601). Only
//! the topmost one counts: it was added by the server that received the message for the user;
//! anything below it arrived with the message and could have been written by the sender.
//! Warnings are what phishing relies on: a display name that is itself an address, a domain
//! in look-alike characters, replies that go somewhere else.

use mail_parser::Message;
use yubin_protocol::{Address, SenderTrust, TrustWarning, Verdict};

pub fn assess(message: &Message<'_>, from: &[Address], reply_to: &[Address]) -> SenderTrust {
    let mut trust = SenderTrust::default();
    // Headers are in message order: the first is the topmost.
    let topmost = message.headers().iter().find(|h| h.name().eq_ignore_ascii_case("Authentication-Results"));
    if let Some(header) = topmost {
        let raw = &message.raw_message()[header.offset_start() as usize..header.offset_end() as usize];
        let results = String::from_utf8_lossy(raw);
        trust.spf = verdict(&results, "spf");
        trust.dkim = verdict(&results, "dkim");
        trust.dmarc = verdict(&results, "dmarc");
    }
    let Some(sender) = from.first() else { return trust };
    let sender_domain = domain_of(&sender.email);

    if let Some(name) = &sender.name {
        if let Some(claimed) = name
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| "<>()\"'[],;:".contains(c)))
            .find(|w| looks_like_address(w))
        {
            if !claimed.eq_ignore_ascii_case(&sender.email) {
                trust.warnings.push(TrustWarning::NameClaimsOtherAddress {
                    claimed: claimed.to_owned(),
                    actual: sender.email.clone(),
                });
            }
        }
    }
    if let Some(domain) = sender_domain {
        let is_idn =
            !domain.is_ascii() || domain.split('.').any(|label| label.to_ascii_lowercase().starts_with("xn--"));
        if is_idn {
            let ascii = idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_owned());
            let shown = idna::domain_to_unicode(&ascii).0;
            trust.warnings.push(TrustWarning::InternationalDomain { domain: shown, ascii });
        }
        for reply in reply_to {
            if domain_of(&reply.email).is_some_and(|d| !d.eq_ignore_ascii_case(domain)) {
                trust.warnings.push(TrustWarning::ReplyToElsewhere { reply_to: reply.email.clone() });
            }
        }
    }
    trust
}

/// `method=result` in an Authentication-Results value, e.g. `dkim=pass`.
fn verdict(results: &str, method: &str) -> Option<Verdict> {
    let lower = results.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find(method) {
        let before_ok = at == 0 || !rest.as_bytes()[at - 1].is_ascii_alphanumeric();
        let after = &rest[at + method.len()..];
        if before_ok {
            if let Some(value) = after.trim_start().strip_prefix('=') {
                let word: String = value.trim_start().chars().take_while(|c| c.is_ascii_alphabetic()).collect();
                return match word.as_str() {
                    "pass" => Some(Verdict::Pass),
                    "fail" | "hardfail" => Some(Verdict::Fail),
                    "softfail" => Some(Verdict::Softfail),
                    "neutral" => Some(Verdict::Neutral),
                    "none" => Some(Verdict::None),
                    "temperror" => Some(Verdict::Temperror),
                    "permerror" => Some(Verdict::Permerror),
                    "policy" => Some(Verdict::Policy),
                    _ => None,
                };
            }
        }
        rest = after;
    }
    None
}

fn domain_of(email: &str) -> Option<&str> {
    email.rsplit_once('@').map(|(_, d)| d).filter(|d| !d.is_empty())
}

fn looks_like_address(word: &str) -> bool {
    word.split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trust_of(raw: &str) -> SenderTrust {
        crate::mime::view("INBOX", 1, Default::default(), raw.as_bytes()).unwrap().trust
    }

    #[test]
    fn reads_only_the_topmost_results() {
        let t = trust_of(
            "Authentication-Results: mx.example.test; spf=pass smtp.mailfrom=a.test; dkim=fail header.d=a.test; dmarc=none\r\n\
             Authentication-Results: forged.example; dkim=pass; dmarc=pass\r\n\
             From: a@a.test\r\nSubject: x\r\n\r\nbody",
        );
        assert_eq!((t.spf, t.dkim, t.dmarc), (Some(Verdict::Pass), Some(Verdict::Fail), Some(Verdict::None)));
    }

    #[test]
    fn display_name_claiming_another_address() {
        let t = trust_of("From: \"ceo@bank.example\" <attacker@evil.example>\r\nSubject: x\r\n\r\nb");
        assert_eq!(
            t.warnings,
            vec![TrustWarning::NameClaimsOtherAddress {
                claimed: "ceo@bank.example".into(),
                actual: "attacker@evil.example".into()
            }]
        );
        let honest = trust_of("From: \"alice@a.test\" <alice@a.test>\r\nSubject: x\r\n\r\nb");
        assert!(honest.warnings.is_empty());
    }

    #[test]
    fn lookalike_domains_show_their_punycode() {
        // "аpple.com" with a Cyrillic "а".
        let t = trust_of("From: Support <help@xn--pple-43d.com>\r\nSubject: x\r\n\r\nb");
        assert_eq!(
            t.warnings,
            vec![TrustWarning::InternationalDomain { domain: "аpple.com".into(), ascii: "xn--pple-43d.com".into() }]
        );
    }

    #[test]
    fn reply_to_elsewhere() {
        let t = trust_of("From: Bank <news@bank.example>\r\nReply-To: collect@evil.example\r\nSubject: x\r\n\r\nb");
        assert_eq!(t.warnings, vec![TrustWarning::ReplyToElsewhere { reply_to: "collect@evil.example".into() }]);
        let same = trust_of("From: Bank <news@bank.example>\r\nReply-To: help@bank.example\r\nSubject: x\r\n\r\nb");
        assert!(same.warnings.is_empty());
    }
}
