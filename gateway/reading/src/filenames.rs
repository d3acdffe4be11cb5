//! Attachment file names as the sender wrote them are not safe to show or to save.
//!
//! - Path components (`../../.bashrc`, `C:\Users\x\run.bat`) would choose where a file lands
//!   in a naive saver: only the last component is kept.
//! - Bidirectional controls make a name read as something else: `invoice\u{202E}txt.exe` shows
//!   as "invoiceexe.txt", and they reorder whatever is shown beside the name. Other invisible
//!   format characters and control characters hide parts of a name. They are replaced with a
//!   visible `[U+202E]`, so the name reads as what it is.

use yubin_protocol::text::visible_controls;

/// Longest file name kept, in bytes; longer ones are cut (at a character boundary).
pub const MAX_FILENAME: usize = 255;

/// `name` made safe to show and to save: its last path component, hidden controls shown as
/// `[U+XXXX]`, at most [`MAX_FILENAME`] bytes. A name with nothing left
/// becomes `attachment`.
pub fn safe_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).find(|part| !part.trim().is_empty()).unwrap_or("");
    let out = shorten(&visible_controls(last.trim()), MAX_FILENAME);
    if out.is_empty() || out.chars().all(|c| c == '.') {
        "attachment".to_owned()
    } else {
        out
    }
}

/// `name` cut to at most `max` bytes at a character boundary, keeping its extension when the
/// extension is short.
pub fn shorten(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    let extension = name.rsplit_once('.').map(|(_, ext)| ext).filter(|ext| ext.len() <= 16).unwrap_or("");
    let keep = max.saturating_sub(if extension.is_empty() { 0 } else { extension.len() + 1 });
    let mut cut = keep.min(name.len());
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    if extension.is_empty() {
        name[..cut].to_owned()
    } else {
        format!("{}.{extension}", &name[..cut])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_cut_to_the_last_component() {
        assert_eq!(safe_name("../../.bashrc"), ".bashrc");
        assert_eq!(safe_name("C:\\Users\\x\\run.bat"), "run.bat");
        assert_eq!(safe_name("/etc/passwd"), "passwd");
        assert_eq!(safe_name("dir/"), "dir");
        assert_eq!(safe_name(".."), "attachment");
        assert_eq!(safe_name(""), "attachment");
        assert_eq!(safe_name("報告書.pdf"), "報告書.pdf");
    }

    #[test]
    fn bidi_and_hidden_controls_are_shown() {
        assert_eq!(safe_name("invoice\u{202E}txt.exe"), "invoice[U+202E]txt.exe");
        assert_eq!(safe_name("a\u{2066}b\u{2069}c\u{200F}.pdf"), "a[U+2066]b[U+2069]c[U+200F].pdf");
        assert_eq!(safe_name("a\u{0}b\tc.txt"), "a[U+0000]b[U+0009]c.txt");
        assert_eq!(safe_name("zero\u{200B}width.doc"), "zero[U+200B]width.doc");
    }

    #[test]
    fn long_names_are_cut_at_a_character_keeping_the_extension() {
        let long = format!("{}.pdf", "資".repeat(200));
        let short = safe_name(&long);
        assert!(short.len() <= 255 && short.ends_with(".pdf"), "{short}");
        assert!(short.starts_with("資"));
        assert_eq!(shorten("abcdef", 4), "abcd");
    }
}
