//! Text from mail that the gateway and the app both show: file names, above all; and the
//! percent-decoding both need (cid: URLs in mail, the server id in the app's URL).

/// Characters that change how the text around them is ordered or shown without being seen:
/// bidirectional controls (`invoice\u{202E}txt.exe` reads as "invoiceexe.txt"), zero-width
/// characters and other control characters.
pub fn is_hidden_control(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
        | '\u{202A}'..='\u{202E}' // LRE, RLE, PDF, LRO, RLO
        | '\u{2060}'..='\u{2069}' // word joiner … LRI, RLI, FSI, PDI
        | '\u{061C}'              // Arabic letter mark
        | '\u{FEFF}'              // zero-width no-break space
    ) || c.is_control()
}

/// `a@b.c`: one address, with something on both sides of its last `@`, a domain that neither
/// starts nor ends with a dot, and no spaces, commas or angle brackets. Servers have the last
/// word; this catches typos (the app's recipients, a filter's forwarding address).
pub fn is_plain_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else { return false };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !address.chars().any(|c| c.is_whitespace() || c == ',' || c == '<' || c == '>')
}

/// `text` with each hidden control written out visibly as `[U+202E]`.
pub fn visible_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_hidden_control(c) {
            out.push_str(&format!("[U+{:04X}]", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `%40` → `@`; a `%` not followed by two hex digits stays as it is; bytes that are not UTF-8
/// become U+FFFD.
pub fn percent_decode(text: &str) -> String {
    String::from_utf8_lossy(&percent_decode_bytes(text)).into_owned()
}

/// The bytes `%XX` escapes stand for (RFC 2231 values are in a charset of their own).
pub fn percent_decode_bytes(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).and_then(|b| hex(*b)), bytes.get(i + 2).and_then(|b| hex(*b))) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_written_out() {
        assert_eq!(visible_controls("invoice\u{202E}txt.exe"), "invoice[U+202E]txt.exe");
        assert_eq!(visible_controls("a\u{2066}b\u{2069}\u{200F}\t"), "a[U+2066]b[U+2069][U+200F][U+0009]");
        assert_eq!(visible_controls("報告書.pdf"), "報告書.pdf");
    }

    #[test]
    fn percent_escapes_are_decoded_and_stray_percents_kept() {
        assert_eq!(super::percent_decode("a%40b%2Ec"), "a@b.c");
        assert_eq!(super::percent_decode("100%"), "100%");
        assert_eq!(super::percent_decode("%zz%e6%97%a5"), "%zz日");
    }
}
