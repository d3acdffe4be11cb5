//! A decrypted message made into a view, by the gateway's own reading code (`yubin-reading`):
//! the same charsets, the same HTML allow-list, here in the browser because the gateway must
//! never see it.

use yubin_protocol::{Flags, MessageView};
use yubin_shared::openpgp::{Decrypted, PgpError, PgpErrorKind, SignatureCheck};

/// The view of what `bytes` decrypted to: a whole MIME entity (PGP/MIME) or text (inline).
pub fn view(
    bytes: &[u8],
    mime: bool,
    folder: &str,
    uid: u32,
    signature: SignatureCheck,
) -> Result<Decrypted, PgpError> {
    if !mime {
        let text = yubin_reading::charset::decode_bytes(bytes, None);
        let view = MessageView { text, ..empty(folder, uid) };
        return Ok(Decrypted { view, protected_subject: false, signature });
    }
    let view = yubin_reading::mime::view(folder, uid, Flags::default(), bytes)
        .map_err(|e| PgpError::new(PgpErrorKind::Invalid, e.message))?;
    // Protected headers: a Subject inside the encrypted part is the real one.
    let protected_subject =
        yubin_reading::parser::parse_headers(bytes).is_some_and(|headers| headers.header_raw("Subject").is_some());
    Ok(Decrypted { view, protected_subject, signature })
}

fn empty(folder: &str, uid: u32) -> MessageView {
    let mut view = yubin_reading::mime::view(folder, uid, Flags::default(), b"\r\n").expect("an empty message parses");
    view.text.clear();
    view
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pgp_mime_entity_reads_like_mail_with_its_protected_subject_and_charset() {
        let inner = "Content-Type: multipart/mixed; boundary=\"x\"; protected-headers=\"v1\"\r\n\
            Subject: =?ISO-2022-JP?B?GyRCMnE1RBsoQg==?=\r\n\r\n\
            --x\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n\x1b$B$3$s$K$A$O\x1b(B\r\n\
            --x\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--x--\r\n";
        let decrypted = view(inner.as_bytes(), true, "INBOX", 3, SignatureCheck::NotSigned).unwrap();
        assert!(decrypted.protected_subject);
        assert_eq!(decrypted.view.subject, "会議");
        assert_eq!(decrypted.view.text.trim(), "こんにちは");
        assert_eq!(decrypted.view.attachments[0].filename.as_deref(), Some("a.pdf"));
        assert_eq!(decrypted.view.uid, 3);
    }

    #[test]
    fn inline_text_is_decoded_whatever_its_charset() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("秘密の話");
        let decrypted = view(&bytes, false, "INBOX", 1, SignatureCheck::NotSigned).unwrap();
        assert_eq!(decrypted.view.text, "秘密の話");
        assert!(!decrypted.protected_subject);
    }
}
