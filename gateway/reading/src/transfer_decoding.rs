//! Undoing a part's Content-Transfer-Encoding chunk by chunk, so an attachment can be streamed
//! from the IMAP server to the browser without holding it whole.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

/// Mail is sloppy about padding; accept it either way.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub enum StreamDecoder {
    /// Holds base64 characters not yet making a whole 4-character group.
    Base64(Vec<u8>),
    /// Holds the last, possibly incomplete, line.
    QuotedPrintable(Vec<u8>),
    Identity,
}

impl StreamDecoder {
    /// For a `Content-Transfer-Encoding` value (7bit, 8bit and binary need no decoding).
    pub fn for_encoding(encoding: &str) -> Self {
        match encoding.trim().to_ascii_lowercase().as_str() {
            "base64" => Self::Base64(Vec::new()),
            "quoted-printable" => Self::QuotedPrintable(Vec::new()),
            _ => Self::Identity,
        }
    }

    pub fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        match self {
            Self::Base64(carry) => {
                // Anything outside the alphabet (line breaks, stray junk) is not data.
                carry.extend(chunk.iter().copied().filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/')));
                let whole = carry.len() / 4 * 4;
                let decoded = BASE64.decode(&carry[..whole]).unwrap_or_default();
                carry.drain(..whole);
                decoded
            }
            Self::QuotedPrintable(carry) => {
                carry.extend_from_slice(chunk);
                let Some(end) = carry.iter().rposition(|&b| b == b'\n') else { return Vec::new() };
                let lines: Vec<u8> = carry.drain(..=end).collect();
                decode_qp(&lines)
            }
            Self::Identity => chunk.to_vec(),
        }
    }

    /// Whatever is left once the part has ended.
    pub fn finish(self) -> Vec<u8> {
        match self {
            Self::Base64(carry) => BASE64.decode(&carry).unwrap_or_default(),
            Self::QuotedPrintable(carry) => decode_qp(&carry),
            Self::Identity => Vec::new(),
        }
    }
}

/// RFC 2045 6.7: `=XX` is a byte, `=` at the end of a line joins it to the next.
fn decode_qp(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'=' if input[i + 1..].starts_with(b"\r\n") => i += 3,
            b'=' if input[i + 1..].starts_with(b"\n") => i += 2,
            b'=' if i + 2 < input.len() => match (hex(input[i + 1]), hex(input[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                }
                _ => {
                    out.push(b'=');
                    i += 1;
                }
            },
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Decodes a whole part body at once.
pub fn decode_all(encoding: &str, encoded: &[u8]) -> Vec<u8> {
    let mut decoder = StreamDecoder::for_encoding(encoding);
    let mut out = decoder.push(encoded);
    out.extend(decoder.finish());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_chunks(mut decoder: StreamDecoder, input: &[u8], size: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in input.chunks(size) {
            out.extend(decoder.push(chunk));
        }
        out.extend(decoder.finish());
        out
    }

    #[test]
    fn base64_across_any_chunk_boundary() {
        let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        let encoded = base64::engine::general_purpose::STANDARD.encode(&data);
        let wrapped: Vec<u8> = encoded.as_bytes().chunks(76).flat_map(|l| [l, b"\r\n"].concat()).collect();
        for size in [1, 3, 7, 76, 1000, 100_000] {
            assert_eq!(in_chunks(StreamDecoder::for_encoding("base64"), &wrapped, size), data, "chunk size {size}");
        }
    }

    #[test]
    fn quoted_printable_across_chunks() {
        let input = b"caf=C3=A9 and a long =\r\nline=3D joined\r\nend=";
        let expected = "café and a long line= joined\r\nend=".as_bytes();
        for size in [1, 2, 5, 100] {
            assert_eq!(
                in_chunks(StreamDecoder::for_encoding("Quoted-Printable"), input, size),
                expected,
                "chunk size {size}"
            );
        }
    }

    #[test]
    fn binary_passes_through() {
        assert_eq!(in_chunks(StreamDecoder::for_encoding("8bit"), b"\x00\xffabc", 2), b"\x00\xffabc");
    }
}
