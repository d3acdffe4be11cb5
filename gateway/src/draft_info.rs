//! The `X-Draft-Info` header of a saved draft: which message a reply answers, so that sending
//! the draft later — reopened in another browser, or sent at its time by "send later" — still
//! flags that message `\Answered`. A draft in the server's Drafts folder is all that is left of
//! it then.
//!
//! The format is Roundcube's (`type=reply; uid=7; folder=B::SU5CT1g=`), so that a draft written
//! by one webmail and sent by the other keeps the link either way. A value is base64 with a
//! `B::` prefix when it is a folder or holds a `;`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use yubin_protocol::MessageRef;
pub use yubin_reading::draft_info::parse;

/// The header, for lettre's message builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftInfo(pub MessageRef);

impl Header for DraftInfo {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Draft-Info")
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        parse(value).map(DraftInfo).ok_or_else(|| "not a reply's draft info".into())
    }

    fn display(&self) -> HeaderValue {
        let MessageRef { folder, uid } = &self.0;
        HeaderValue::new(Self::name(), format!("type=reply; uid={uid}; folder=B::{}", STANDARD.encode(folder)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_round_trips_and_roundcube_drafts_are_read() {
        let original = MessageRef { folder: "Archive/日本語;x".into(), uid: 42 };
        let message = lettre::Message::builder()
            .from("a@example.test".parse().unwrap())
            .to("b@example.test".parse().unwrap())
            .header(DraftInfo(original.clone()))
            .body(String::new())
            .unwrap();
        let written = String::from_utf8(message.formatted()).unwrap();
        let value = written.lines().find_map(|line| line.strip_prefix("X-Draft-Info: ")).expect("the header");
        assert_eq!(parse(value), Some(original));
        // As Roundcube 1.6 writes it (rcmail_sendmail::draftinfo_encode).
        assert_eq!(parse("type=reply; uid=7; folder=B::SU5CT1g="), Some(MessageRef { folder: "INBOX".into(), uid: 7 }));
        assert_eq!(parse("type=forward; uid=7; folder=B::SU5CT1g="), None, "a forward is not an answer");
        assert_eq!(parse("type=reply; uid=x; folder=B::SU5CT1g="), None);
        assert_eq!(parse("type=reply; uid=7; folder=B::!!"), None);
        assert_eq!(parse("garbage"), None);
    }
}
