//! Text from mail that the gateway and the app both show: file names, above all.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_written_out() {
        assert_eq!(visible_controls("invoice\u{202E}txt.exe"), "invoice[U+202E]txt.exe");
        assert_eq!(visible_controls("a\u{2066}b\u{2069}\u{200F}\t"), "a[U+2066]b[U+2069][U+200F][U+0009]");
        assert_eq!(visible_controls("報告書.pdf"), "報告書.pdf");
    }
}
