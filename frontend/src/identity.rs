//! Who an account writes as: the display name in From and the signature under new messages.
//! Kept per account address in the [`crate::settings::Settings`].

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Shown to recipients next to the address; empty for the bare address.
    #[serde(default)]
    pub name: String,
    /// Added under new messages, after the conventional `-- ` line.
    #[serde(default)]
    pub signature: String,
    /// New messages, replies and forwards start as formatted text (HTML with a text
    /// alternative) rather than plain text; the composer switches either way.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub formatted: bool,
    /// The signature as formatted text (the editor's HTML), used in formatted mail; `signature`
    /// is its plain text. At most [`MAX_SIGNATURE_HTML`] bytes: it roams with the settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_html: Option<String>,
}

/// The largest formatted signature: small pictures fit, a photo does not.
pub const MAX_SIGNATURE_HTML: usize = 16 * 1024;

impl Identity {
    /// The From header for `email`: `"Name" <email>` with a name, the bare address without.
    pub fn from_header(&self, email: &str) -> String {
        let name = self.name.trim();
        if name.is_empty() {
            return email.to_owned();
        }
        // Quoted, so a name with a comma or dot is one display name, not several addresses.
        let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\" <{email}>")
    }

    /// The text to put under a new message's body (RFC 3676's `-- ` separator), if any.
    pub fn signature_block(&self) -> Option<String> {
        let signature = self.signature.trim_end();
        (!signature.trim().is_empty()).then(|| format!("\n\n-- \n{signature}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_header_quotes_names() {
        let plain = Identity::default();
        assert_eq!(plain.from_header("a@example.org"), "a@example.org");
        let named = Identity { name: "Doe, \"J\"".into(), ..Identity::default() };
        assert_eq!(named.from_header("a@example.org"), r#""Doe, \"J\"" <a@example.org>"#);
        let japanese = Identity { name: "山田 太郎".into(), ..Identity::default() };
        assert_eq!(japanese.from_header("t@example.jp"), "\"山田 太郎\" <t@example.jp>");
    }

    #[test]
    fn signature_goes_under_the_separator() {
        assert_eq!(Identity::default().signature_block(), None);
        let signed = Identity { signature: "Taro\nexample.jp\n".into(), ..Identity::default() };
        assert_eq!(signed.signature_block().as_deref(), Some("\n\n-- \nTaro\nexample.jp"));
    }
}
