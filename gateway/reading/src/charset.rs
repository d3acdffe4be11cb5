//! Repairs for what Japanese (and other) mail in the wild does to a MIME decoder.
//!
//! mail-parser decodes each RFC 2047 encoded-word, and each RFC 2231 parameter section, on its
//! own, and trusts a part's `charset` label. Real mailers split a multi-byte character across
//! two encoded-words or two `filename*N*` sections, and label UTF-8 text `iso-2022-jp`. Each
//! shows as U+FFFD. Where mail-parser's result has a U+FFFD, the header or body is read again
//! from its raw bytes here:
//! - adjacent encoded-words of one charset have their *bytes* joined before decoding, as
//!   Thunderbird does (RFC 2047 §5 forbids the split, mailers do it anyway);
//! - RFC 2231 continuations are joined as bytes first, then decoded (RFC 2231 §4.1);
//! - a label the bytes cannot be in (8-bit bytes called ISO-2022-JP) or that does not decode
//!   them falls back to UTF-8 when the bytes are UTF-8, else to what `chardetng` detects;
//! - raw 8-bit header text, which has no label at all, is read the same way.
//!
//! The repaired header is written back as standard syntax (one UTF-8 encoded-word per run, one
//! `name*=UTF-8''…` parameter) and parsed by mail-parser again, so addresses and parameters keep
//! their structure. Also here: RFC 3676 `format=flowed` unwrapping.

use base64::Engine;
use encoding_rs::Encoding;
use yubin_protocol::text::percent_decode_bytes;

/// The replacement character a decoder leaves for bytes it could not read.
pub const REPLACEMENT: char = '\u{FFFD}';

/// `bytes` as text: in `label`'s charset when they can be in it and decode cleanly, else as
/// UTF-8 when valid, else in the charset `chardetng` detects.
pub fn decode_bytes(bytes: &[u8], label: Option<&str>) -> String {
    if let Some(encoding) = label.and_then(encoding_for) {
        // ISO-2022-JP is a 7-bit encoding: a part with 8-bit bytes is mislabelled.
        let impossible = encoding == encoding_rs::ISO_2022_JP && bytes.iter().any(|b| *b >= 0x80);
        if !impossible {
            if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes) {
                return text.into_owned();
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_owned();
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    guess.decode_without_bom_handling(bytes).0.into_owned()
}

/// The encoding for a MIME charset label, with the aliases mail uses beyond the WHATWG list.
fn encoding_for(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().trim_matches('"');
    let lower = label.to_ascii_lowercase();
    let alias = match lower.as_str() {
        "iso-2022-jp-1" | "iso-2022-jp-2" | "iso-2022-jp-3" | "iso-2022-jp-2004" => "iso-2022-jp",
        "cp932" | "shift-jis" | "sjis" | "x-sjis-open" => "shift_jis",
        "eucjp" | "euc-jis-2004" | "x-euc-jp" => "euc-jp",
        other => other,
    };
    Encoding::for_label(alias.as_bytes())
}

/// One piece of a header value.
enum Piece<'a> {
    Word { charset: &'a str, bytes: Vec<u8> },
    Space(&'a [u8]),
    Text(&'a [u8]),
}

/// A header's raw value with its encoded-words and 8-bit text repaired, as UTF-8 header syntax
/// mail-parser reads again: each run of adjacent encoded-words of one charset becomes one UTF-8
/// encoded-word, raw 8-bit text becomes UTF-8. With `parameters` (Content-Type,
/// Content-Disposition), RFC 2231 continuations are joined too.
pub fn normalize_header(raw: &[u8], parameters: bool) -> String {
    let unfolded = unfold(raw);
    let mut out = String::new();
    let mut run: Option<(&str, Vec<u8>)> = None;
    let mut pending_space: &[u8] = b"";
    for piece in pieces(&unfolded) {
        match piece {
            Piece::Word { charset, bytes } => {
                match &mut run {
                    // Whitespace between adjacent encoded-words is not part of the text.
                    Some((run_charset, run_bytes)) if same_charset(run_charset, charset) => {
                        run_bytes.extend_from_slice(&bytes)
                    }
                    _ => {
                        flush(&mut out, run.take());
                        out.push_str(&decode_bytes(pending_space, None));
                        run = Some((charset, bytes));
                    }
                }
                pending_space = b"";
            }
            Piece::Space(space) => pending_space = space,
            Piece::Text(text) => {
                flush(&mut out, run.take());
                out.push_str(&decode_bytes(pending_space, None));
                pending_space = b"";
                out.push_str(&decode_bytes(text, None));
            }
        }
    }
    flush(&mut out, run.take());
    out.push_str(&decode_bytes(pending_space, None));
    if parameters {
        join_continuations(&out)
    } else {
        out
    }
}

fn same_charset(a: &str, b: &str) -> bool {
    // `charset*language` (RFC 2231 §5): the language does not change the bytes.
    let charset = |s: &str| s.split('*').next().unwrap_or(s).to_ascii_lowercase();
    charset(a) == charset(b)
}

fn flush(out: &mut String, run: Option<(&str, Vec<u8>)>) {
    let Some((charset, bytes)) = run else { return };
    let charset = charset.split('*').next().unwrap_or(charset);
    let text = decode_bytes(&bytes, Some(charset));
    out.push_str("=?UTF-8?B?");
    out.push_str(&base64::engine::general_purpose::STANDARD.encode(text.as_bytes()));
    out.push_str("?=");
}

/// Removes folding (a line break followed by whitespace keeps the whitespace).
fn unfold(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'\r' | b'\n' => {}
            b => out.push(b),
        }
        i += 1;
    }
    // A value ends without its line break.
    while out.last().is_some_and(|b| b.is_ascii_whitespace()) {
        out.pop();
    }
    out
}

fn pieces(value: &[u8]) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut i = 0;
    let mut text_start = 0;
    while i < value.len() {
        if value[i] == b' ' || value[i] == b'\t' {
            let start = i;
            while i < value.len() && (value[i] == b' ' || value[i] == b'\t') {
                i += 1;
            }
            if text_start < start {
                pieces.push(Piece::Text(&value[text_start..start]));
            }
            pieces.push(Piece::Space(&value[start..i]));
            text_start = i;
            continue;
        }
        if value[i..].starts_with(b"=?") {
            if let Some((word, len)) = encoded_word(&value[i..]) {
                if text_start < i {
                    pieces.push(Piece::Text(&value[text_start..i]));
                }
                pieces.push(word);
                i += len;
                text_start = i;
                continue;
            }
        }
        i += 1;
    }
    if text_start < value.len() {
        pieces.push(Piece::Text(&value[text_start..]));
    }
    pieces
}

/// `=?charset?B|Q?text?=` at the start of `input`: the word and its length.
fn encoded_word(input: &[u8]) -> Option<(Piece<'_>, usize)> {
    let rest = &input[2..];
    let charset_end = rest.iter().position(|b| *b == b'?')?;
    let charset = std::str::from_utf8(&rest[..charset_end]).ok()?;
    if charset.is_empty() || charset.contains(|c: char| c.is_whitespace() || !c.is_ascii()) {
        return None;
    }
    let after = &rest[charset_end + 1..];
    let (encoding, after) = (after.first()?.to_ascii_uppercase(), after.get(1..)?);
    if after.first() != Some(&b'?') {
        return None;
    }
    let text_and_rest = &after[1..];
    let end = text_and_rest.windows(2).position(|w| w == b"?=")?;
    let text = &text_and_rest[..end];
    if text.iter().any(|b| b.is_ascii_whitespace()) {
        return None;
    }
    let bytes = match encoding {
        b'B' => crate::transfer_decoding::decode_all("base64", text),
        b'Q' => q_decode(text),
        _ => return None,
    };
    let len = 2 + charset_end + 1 + 2 + end + 2;
    Some((Piece::Word { charset, bytes }, len))
}

/// RFC 2047's Q encoding: `_` is a space, `=XX` a byte.
fn q_decode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' if text.len() >= i + 3 => {
                match std::str::from_utf8(&text[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'='),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// A parameter of a structured header: its name and raw value (quotes kept).
struct Parameter<'a> {
    name: &'a str,
    value: &'a str,
}

/// Joins RFC 2231 continuations (`name*0*=…; name*1*=…`, `name*=charset''…`) into one
/// `name*=UTF-8''…` parameter, the sections' bytes joined before decoding.
fn join_continuations(value: &str) -> String {
    let mut parts = split_parameters(value);
    if parts.is_empty() {
        return value.to_owned();
    }
    let head = parts.remove(0);
    let parameters: Vec<Parameter<'_>> = parts
        .iter()
        .filter_map(|p| {
            let (name, value) = p.split_once('=')?;
            Some(Parameter { name: name.trim(), value: value.trim() })
        })
        .collect();
    let mut out = head.trim().to_owned();
    let mut done: Vec<String> = Vec::new();
    for parameter in &parameters {
        let Some(base) = extended_base(parameter.name) else {
            out.push_str(&format!("; {}={}", parameter.name, parameter.value));
            continue;
        };
        let base_lower = base.to_ascii_lowercase();
        if done.contains(&base_lower) {
            continue;
        }
        done.push(base_lower.clone());
        let mut sections: Vec<(u32, bool, &str)> = parameters
            .iter()
            .filter(|p| extended_base(p.name).is_some_and(|b| b.eq_ignore_ascii_case(base)))
            .map(|p| {
                let (index, extended) = section_of(p.name);
                (index, extended, p.value)
            })
            .collect();
        sections.sort_by_key(|(index, _, _)| *index);
        let mut charset = None;
        let mut bytes = Vec::new();
        for (n, (_, extended, value)) in sections.iter().enumerate() {
            let value = value.trim_matches('"');
            if *extended {
                let mut encoded = value;
                if n == 0 {
                    // charset'language'text
                    let mut fields = value.splitn(3, '\'');
                    if let (Some(cs), Some(_), Some(text)) = (fields.next(), fields.next(), fields.next()) {
                        charset = Some(cs).filter(|cs| !cs.is_empty());
                        encoded = text;
                    }
                }
                bytes.extend(percent_decode_bytes(encoded));
            } else {
                bytes.extend_from_slice(value.as_bytes());
            }
        }
        let text = decode_bytes(&bytes, charset);
        out.push_str(&format!("; {base}*=UTF-8''{}", percent_encode(&text)));
    }
    out
}

/// `filename*0*` → `filename`; `filename*` → `filename`; a plain `filename` → None.
fn extended_base(name: &str) -> Option<&str> {
    let (base, _) = name.split_once('*')?;
    Some(base)
}

/// The section number of `name*N[*]` (`name*` alone is section 0) and whether it is
/// percent-encoded.
fn section_of(name: &str) -> (u32, bool) {
    let rest = name.split_once('*').map_or("", |(_, r)| r);
    let extended = rest.is_empty() || rest.ends_with('*');
    (rest.trim_end_matches('*').parse().unwrap_or(0), extended)
}

/// Splits at `;` outside quoted strings.
fn split_parameters(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts.retain(|p| !p.trim().is_empty());
    parts
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// RFC 3676: the text of a `format=flowed` part as the paragraphs it means. Lines ending in a
/// space continue on the next line of the same quote depth; `DelSp=yes` drops that space;
/// a leading space added for stuffing goes; the signature separator `-- ` stays a line.
pub fn unflow(text: &str, delete_space: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut paragraph: Option<(usize, String)> = None;
    let emit = |out: &mut String, depth: usize, line: &str| {
        if depth > 0 {
            out.push_str(&">".repeat(depth));
            out.push(' ');
        }
        out.push_str(line);
        out.push('\n');
    };
    let ends_with_newline = text.ends_with('\n');
    for raw_line in text.split('\n') {
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        let depth = line.chars().take_while(|c| *c == '>').count();
        let content = &line[depth..];
        let content = content.strip_prefix(' ').unwrap_or(content);
        let flowed = content.ends_with(' ') && content != "-- ";
        // A change of quote depth ends a paragraph, whatever its last line said.
        if let Some((open_depth, joined)) = paragraph.take_if(|(d, _)| *d != depth) {
            emit(&mut out, open_depth, &joined);
        }
        let piece = if flowed && delete_space { &content[..content.len() - 1] } else { content };
        let (_, joined) = paragraph.get_or_insert_with(|| (depth, String::new()));
        joined.push_str(piece);
        if !flowed {
            let (depth, joined) = paragraph.take().expect("inserted above");
            emit(&mut out, depth, &joined);
        }
    }
    if let Some((depth, joined)) = paragraph {
        emit(&mut out, depth, &joined);
    }
    // `split` sees one more (empty) line after a final line break.
    let extra_line_break = if ends_with_newline { out.ends_with("\n\n") } else { out.ends_with('\n') };
    if extra_line_break {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MimeHeaders;

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    fn decoded(header: &str) -> String {
        let normalized = normalize_header(header.as_bytes(), false);
        let raw = format!("Subject: {normalized}\r\n\r\n");
        let parsed = mail_parser::MessageParser::default().parse_headers(raw.as_bytes()).unwrap();
        parsed.subject().unwrap_or_default().to_owned()
    }

    #[test]
    fn encoded_words_split_inside_a_character_are_joined() {
        // "日本語" in UTF-8 is E6 97 A5 E6 9C AC E8 AA 9E: split after the fourth byte.
        let bytes = "日本語".as_bytes();
        let header = format!("=?UTF-8?B?{}?= =?utf-8?B?{}?=", b64(&bytes[..4]), b64(&bytes[4..]));
        assert_eq!(decoded(&header), "日本語");
        // The same with Q words, and Shift_JIS split in the middle of a double-byte character.
        let header = "=?UTF-8?Q?=E6=97=A5=E6?=\r\n =?UTF-8?Q?=9C=AC?=";
        assert_eq!(decoded(header), "日本");
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("会議室");
        let header = format!("=?Shift_JIS?B?{}?= =?shift_jis?B?{}?=", b64(&sjis[..3]), b64(&sjis[3..]));
        assert_eq!(decoded(&header), "会議室");
    }

    #[test]
    fn words_of_different_charsets_and_text_between_stay_apart() {
        let header = format!("Re: =?UTF-8?B?{}?= and =?ISO-8859-1?Q?caf=E9?=", b64("日本".as_bytes()));
        assert_eq!(decoded(&header), "Re: 日本 and café");
    }

    #[test]
    fn utf8_labelled_iso_2022_jp_falls_back() {
        let header = format!("=?iso-2022-jp?B?{}?=", b64("見積書".as_bytes()));
        assert_eq!(decoded(&header), "見積書");
        assert_eq!(decode_bytes("本文です".as_bytes(), Some("ISO-2022-JP")), "本文です");
        // Real ISO-2022-JP is still read as such.
        assert_eq!(decode_bytes(b"\x1b$B$3$s$K$A$O\x1b(B", Some("iso-2022-jp")), "こんにちは");
        // Unlabelled Shift_JIS is detected.
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("お世話になっております。請求書を送付いたします。");
        assert_eq!(decode_bytes(&sjis, None), "お世話になっております。請求書を送付いたします。");
    }

    #[test]
    fn raw_8bit_header_text_is_read() {
        assert_eq!(decoded("会議のお知らせ"), "会議のお知らせ");
        let (euc, _, _) = encoding_rs::EUC_JP.encode("会議のお知らせについてご連絡いたします");
        let normalized = normalize_header(&euc, false);
        assert_eq!(normalized, "会議のお知らせについてご連絡いたします");
    }

    #[test]
    fn rfc2231_sections_are_joined_as_bytes() {
        // "請求書.pdf": 請 is E8 AB 8B, split after E8 AB.
        let value = "attachment; filename*0*=UTF-8''%E8%AB; filename*1*=%8B%E6%B1%82%E6%9B%B8.pdf; size=10";
        let joined = normalize_header(value.as_bytes(), true);
        assert_eq!(joined, "attachment; filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8.pdf; size=10");
        let raw = format!("Content-Disposition: {joined}\r\n\r\n");
        let parsed = mail_parser::MessageParser::default().parse_headers(raw.as_bytes()).unwrap();
        assert_eq!(parsed.parts[0].attachment_name(), Some("請求書.pdf"));
        // Unencoded sections and a charset that is not UTF-8.
        let value = "application/pdf; name*0*=shift_jis''%89%EF; name*1*=%8Bc; name*2=\".pdf\"";
        let joined = normalize_header(value.as_bytes(), true);
        assert!(joined.ends_with(&format!("name*=UTF-8''{}", percent_encode("会議.pdf"))), "{joined}");
    }

    #[test]
    fn flowed_text_is_unwrapped() {
        let text = "This is a long \r\nparagraph that \r\nflows.\r\n\r\n> quoted \r\n> text\r\n>> deeper\r\n \r\n From here\r\n-- \r\nsig\r\n";
        assert_eq!(
            unflow(text, false),
            "This is a long paragraph that flows.\n\n> quoted text\n>> deeper\n\nFrom here\n-- \nsig\n"
        );
        assert_eq!(unflow("日本語の\r\n文章です\r\n", false), "日本語の\n文章です\n", "no trailing space: fixed");
        assert_eq!(unflow("日本語の \r\n文章です\r\n", true), "日本語の文章です\n", "DelSp=yes");
        // A quote depth change ends a paragraph even after a soft break.
        assert_eq!(unflow("> a \r\nb\r\n", false), "> a \nb\n");
    }
}
