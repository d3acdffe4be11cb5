//! PGP/MIME (RFC 3156) around a body the browser's OpenPGP worker made: `multipart/encrypted`
//! around an armored message, `multipart/signed` around a MIME entity and its detached
//! signature; and the `Autocrypt` header that announces the sender's key. The gateway only frames what it is given; it never sees a key or, for encrypted
//! mail, a readable word. What it frames is checked to be 7-bit, as RFC 3156 requires, so the
//! signed bytes reach the recipient unchanged.

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use yubin_protocol::{ApiError, Autocrypt, ErrorKind, OpenPgpBody, MAX_AUTOCRYPT_KEYDATA};

/// The `Content-Type` of the whole message and the body under it.
pub struct Framed {
    pub content_type: ContentType,
    pub body: String,
}

fn bad(why: &str) -> ApiError {
    ApiError::new(ErrorKind::BadRequest, format!("OpenPGP message: {why}"))
}

/// `body` framed as PGP/MIME, under a boundary none of its parts contains.
pub fn frame(body: &OpenPgpBody) -> Result<Framed, ApiError> {
    let boundary = format!("yubin-pgp-{}", uuid::Uuid::new_v4().simple());
    let (content_type, body) = match body {
        OpenPgpBody::Encrypted { armored } => {
            checked("the encrypted message", armored, &boundary)?;
            if !armored.trim_start().starts_with("-----BEGIN PGP MESSAGE-----") {
                return Err(bad("not an armored OpenPGP message"));
            }
            (
                format!("multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"{boundary}\""),
                format!(
                    "This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n\
                     --{boundary}\r\nContent-Type: application/pgp-encrypted\r\n\
                     Content-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n\
                     --{boundary}\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\
                     Content-Description: OpenPGP encrypted message\r\n\
                     Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n{}\r\n--{boundary}--\r\n",
                    armored.trim_end()
                ),
            )
        }
        OpenPgpBody::Signed { part, signature, micalg } => {
            checked("the signed part", part, &boundary)?;
            checked("the signature", signature, &boundary)?;
            let micalg_ok = micalg.strip_prefix("pgp-").is_some_and(|hash| {
                !hash.is_empty() && hash.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            });
            if !micalg_ok {
                return Err(bad("not a hash name"));
            }
            if part.replace("\r\n", "").contains(['\r', '\n']) {
                return Err(bad("the signed part must have CRLF line ends"));
            }
            (
                format!(
                    "multipart/signed; micalg={micalg}; protocol=\"application/pgp-signature\"; boundary=\"{boundary}\""
                ),
                // The line break before a boundary belongs to the boundary: the part is
                // followed by exactly one, whatever it ends with, so what is signed is `part`.
                format!(
                    "This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n\
                     --{boundary}\r\n{part}\r\n\
                     --{boundary}\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\
                     Content-Description: OpenPGP digital signature\r\n\
                     Content-Disposition: attachment; filename=\"signature.asc\"\r\n\r\n{}\r\n--{boundary}--\r\n",
                    signature.trim_end()
                ),
            )
        }
    };
    let content_type = ContentType::parse(&content_type).map_err(|_| bad("cannot frame it"))?;
    Ok(Framed { content_type, body })
}

/// Refuses what is not 7-bit text or already holds the boundary.
fn checked(what: &str, text: &str, boundary: &str) -> Result<(), ApiError> {
    if text.is_empty() {
        return Err(bad(&format!("{what} is empty")));
    }
    if !text.is_ascii() || text.contains('\0') {
        return Err(bad(&format!("{what} is not 7-bit text")));
    }
    if text.lines().any(|line| line.len() > 998) {
        return Err(bad(&format!("{what} has a line over 998 characters")));
    }
    if text.contains(boundary) {
        return Err(bad(&format!("{what} holds the boundary")));
    }
    Ok(())
}

/// The `Autocrypt` header (Autocrypt Level 1, section 2.1), checked: it names the sender's own
/// address and carries base64 only, within [`MAX_AUTOCRYPT_KEYDATA`].
#[derive(Clone)]
pub struct AutocryptHeader(Autocrypt);

impl AutocryptHeader {
    pub fn new(autocrypt: &Autocrypt, from: &lettre::Address) -> Result<Self, ApiError> {
        if !autocrypt.addr.eq_ignore_ascii_case(from.as_ref()) {
            return Err(bad("the Autocrypt address is not the sender's"));
        }
        let keydata = &autocrypt.keydata;
        let base64 = keydata.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=');
        if keydata.is_empty() || keydata.len() > MAX_AUTOCRYPT_KEYDATA || !base64 {
            return Err(bad("the Autocrypt key is not base64 of a sensible size"));
        }
        Ok(Self(Autocrypt { addr: autocrypt.addr.to_lowercase(), ..autocrypt.clone() }))
    }
}

impl Header for AutocryptHeader {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Autocrypt")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Err("written only".into())
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.header_value())
    }
}
