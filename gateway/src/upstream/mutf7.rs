//! IMAP's modified UTF-7 (RFC 3501 §5.1.3), the encoding of folder names: printable ASCII
//! stands for itself (`&` as `&-`), anything else is UTF-16 in base64 (`,` for `/`, no padding)
//! between `&` and `-`.
//!
//! Written here rather than taken from the `utf7-imap` crate: that one compiles a regular
//! expression on every name it decodes (half the gateway's time listing 61 folders) and panics
//! on a name that is not valid modified UTF-7 — which a server may send (`AT&T` from a server
//! that does not encode `&`), and which must cost nothing but that name's looks.

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

/// Base64 with `,` for `/`, written without padding; read with or without it.
const MODIFIED_BASE64: GeneralPurpose = GeneralPurpose::new(
    &match base64::alphabet::Alphabet::new("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,") {
        Ok(alphabet) => alphabet,
        Err(_) => panic!("a valid alphabet"),
    },
    GeneralPurposeConfig::new().with_encode_padding(false).with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The name as people read it. A part that is not valid modified UTF-7 is kept as it was sent.
pub fn decode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let shifted = &rest[start + 1..];
        let Some(end) = shifted.find('-') else {
            // An `&` never closed: the rest is text.
            out.push_str(&rest[start..]);
            return out;
        };
        match decode_shifted(&shifted[..end]) {
            Some(text) => out.push_str(&text),
            None => out.push_str(&rest[start..start + 1 + end + 1]),
        }
        rest = &shifted[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The text between `&` and `-`: empty for `&` itself, else UTF-16BE in modified base64.
fn decode_shifted(encoded: &str) -> Option<String> {
    if encoded.is_empty() {
        return Some("&".to_owned());
    }
    let bytes = MODIFIED_BASE64.decode(encoded).ok()?;
    if bytes.len() % 2 != 0 {
        return None;
    }
    let units = bytes.chunks_exact(2).map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
    char::decode_utf16(units).collect::<Result<String, _>>().ok()
}

/// The name as the server wants it.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    let flush = |pending: &mut Vec<u16>, out: &mut String| {
        if !pending.is_empty() {
            let bytes: Vec<u8> = pending.iter().flat_map(|unit| unit.to_be_bytes()).collect();
            out.push('&');
            out.push_str(&MODIFIED_BASE64.encode(bytes));
            out.push('-');
            pending.clear();
        }
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut pending, &mut out);
            match c {
                '&' => out.push_str("&-"),
                c => out.push(c),
            }
        } else {
            pending.extend(c.encode_utf16(&mut [0; 2]).iter());
        }
    }
    flush(&mut pending, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_example_and_names_in_several_scripts_round_trip() {
        // RFC 3501 §5.1.3: "~peter/mail/台北/日本語".
        assert_eq!(decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-"), "~peter/mail/台北/日本語");
        assert_eq!(encode("~peter/mail/台北/日本語"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        for name in
            ["送信済みメール", "Отправленные", "Šiukšliadėžė", "théâtre", "Tom & Jerry", "📁 Archive 🗄", "a&-b", ""]
        {
            assert_eq!(decode(&encode(name)), name, "{name}");
        }
        assert_eq!(encode("Tom & Jerry"), "Tom &- Jerry");
        assert_eq!(encode("😀"), "&2D3eAA-", "a surrogate pair in one run");
    }

    #[test]
    fn names_that_are_not_modified_utf7_are_kept_as_sent() {
        assert_eq!(decode("AT&T-Stuff"), "AT&T-Stuff", "an & the server did not encode");
        assert_eq!(decode("Q&A"), "Q&A", "never closed");
        assert_eq!(decode("&!!!-"), "&!!!-", "not base64");
        assert_eq!(decode("&2D0-"), "&2D0-", "a lone surrogate");
        assert_eq!(decode("&AGE"), "&AGE", "cut off");
        assert_eq!(decode("ok&-&ZeVnLIqe-&x-"), "ok&日本語&x-");
    }

    #[test]
    fn any_input_decodes_without_panicking() {
        let alphabet = ['&', '-', 'A', 'G', 'E', ',', '+', '/', '=', 'é', ' ', '2', 'D', 'Z'];
        let mut seed = 0x2545_f491_u32;
        for _ in 0..20_000 {
            let name: String = (0..(seed % 12))
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    alphabet[seed as usize % alphabet.len()]
                })
                .collect();
            let _ = decode(&name);
            assert_eq!(decode(&encode(&name)), name);
        }
    }
}
