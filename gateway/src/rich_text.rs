//! Formatted mail as it is sent: the editor's HTML cleaned by the reader's allow-list, its
//! pasted or quoted images carried as parts of the message (`cid:`), and the text/plain
//! alternative written from it for readers that show text only (RFC 3676 format=flowed, so
//! long lines reflow instead of being cut where this gateway chose).
//!
//! The browser's `contenteditable` is never trusted: whatever the editor left behind, what
//! goes out is ammonia's serialization of what the allow-list keeps.

use std::sync::{Arc, Mutex};

use base64::Engine;
use html2text::render::{TaggedLine, TextDecorator};

use crate::html;

/// Image types carried from `data:` URLs; any other image is dropped.
const IMAGE_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

/// A formatted body, ready to be put into MIME parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RichBody {
    /// Clean HTML whose images are `cid:` URLs of [`RichBody::images`].
    pub html: String,
    pub images: Vec<InlineImage>,
    /// The text/plain alternative, format=flowed with DelSp=yes.
    pub flowed_text: String,
}

/// An image of the message, sent as a part of a multipart/related.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineImage {
    /// Without angle brackets: the HTML refers to it as `cid:<content_id>`.
    pub content_id: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Cleans `html` and writes its text alternative. Content-IDs are made unique with
/// `id_stem` (the message's own Message-ID), so the same image sent twice is one part.
pub fn prepare(html: &str, id_stem: &str) -> RichBody {
    let images = Arc::new(Mutex::new(Vec::<(String, InlineImage)>::new()));
    let stem = id_stem.trim_matches(['<', '>']).to_owned();
    let clean = html::sanitize_outgoing(html, {
        let images = images.clone();
        move |data_url| {
            let mut images = images.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some((_, known)) = images.iter().find(|(url, _)| url == data_url) {
                return Some(format!("cid:{}", known.content_id));
            }
            let (content_type, bytes) = decode_data_url(data_url)?;
            let content_id = format!("image{}.{stem}", images.len() + 1);
            let url = format!("cid:{content_id}");
            images.push((data_url.to_owned(), InlineImage { content_id, content_type, bytes }));
            Some(url)
        }
    });
    let images = std::mem::take(&mut *images.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
    let flowed_text = flowed(&plain_text(&clean));
    RichBody { html: clean, images: images.into_iter().map(|(_, image)| image).collect(), flowed_text }
}

/// `data:image/png;base64,…` → its type and bytes, for the image types mail readers show.
fn decode_data_url(url: &str) -> Option<(String, Vec<u8>)> {
    let rest = url.strip_prefix("data:")?;
    let (meta, data) = rest.split_once(',')?;
    let content_type = meta.strip_suffix(";base64")?.split(';').next()?.trim().to_ascii_lowercase();
    if !IMAGE_TYPES.contains(&content_type.as_str()) {
        return None;
    }
    // A URL parser may have percent-encoded nothing here (base64 is URL-safe enough), but a
    // pasted URL can carry white space.
    let data: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD.decode(data).ok()?;
    Some((content_type, bytes))
}

/// The HTML as a reader of plain text expects it: paragraphs, `- ` and `1. ` lists, `> `
/// quotes, `*bold*` and `/italic/`, a link's address after its text, no line wrapping (the
/// flowed encoding does that).
pub fn plain_text(clean_html: &str) -> String {
    const UNWRAPPED: usize = 100_000;
    let text = html2text::config::with_decorator(MailText::default())
        .link_footnotes(false)
        .no_link_wrapping()
        .string_from_read(clean_html.as_bytes(), UNWRAPPED)
        .unwrap_or_default();
    // An editor keeps typed spaces apart with no-break spaces; in text they are spaces.
    text.replace('\u{a0}', " ")
        .lines()
        .map(|line| match line.trim_end() {
            // The signature separator keeps its space (html2text trims it).
            "--" => "-- ".to_owned(),
            line => without_repeated_address(line),
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_owned()
        + "\n"
}

/// `https://x <https://x>` → `https://x`: a link whose text is its address needs it once.
fn without_repeated_address(line: &str) -> String {
    let mut out = line.to_owned();
    let mut from = 0;
    while let Some(open) = out[from..].find(" <").map(|i| i + from) {
        let Some(close) = out[open..].find('>').map(|i| i + open) else { break };
        let address = out[open + 2..close].to_owned();
        if out[..open].ends_with(&address) {
            out.replace_range(open..=close, "");
            from = open;
        } else {
            from = close;
        }
    }
    out
}

/// Longest line of the flowed text, in characters, before a soft break (RFC 3676 asks ≤ 78).
const FLOWED_WIDTH: usize = 76;

/// Encodes text as format=flowed with DelSp=yes: a line longer than [`FLOWED_WIDTH`] is cut
/// (after a space when it has one, else anywhere — Japanese has no spaces) and each piece but
/// the last ends with a space the reader removes when it joins them. Quotes keep their `>`
/// prefix on every piece; lines that would read as quotes or mbox separators are
/// space-stuffed.
pub fn flowed(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for line in text.lines() {
        let line = line.trim_end_matches(' ');
        if line == "--" || line == "-- " {
            out.push_str("-- \r\n");
            continue;
        }
        let depth = line.chars().take_while(|&c| c == '>' || c == ' ').filter(|&c| c == '>').count();
        let content = if depth > 0 { strip_quote(line, depth) } else { line };
        let prefix = ">".repeat(depth);
        let needs_stuffing = |piece: &str| {
            !piece.is_empty() && (depth > 0 || piece.starts_with([' ', '>']) || piece.starts_with("From "))
        };
        let pieces = cut(content, FLOWED_WIDTH.saturating_sub(depth + 2));
        let last = pieces.len() - 1;
        for (i, piece) in pieces.into_iter().enumerate() {
            out.push_str(&prefix);
            if needs_stuffing(piece) {
                out.push(' ');
            }
            out.push_str(piece);
            if i < last {
                out.push(' ');
            }
            out.push_str("\r\n");
        }
    }
    out
}

/// `line` without its first `depth` `>` marks and the space after each.
fn strip_quote(line: &str, depth: usize) -> &str {
    let mut rest = line;
    for _ in 0..depth {
        rest = rest.trim_start_matches(' ');
        rest = rest.strip_prefix('>').unwrap_or(rest);
    }
    rest.strip_prefix(' ').unwrap_or(rest)
}

/// `text` in pieces of at most `width` characters, cut after the last space that fits, or at
/// `width` when there is none. Pieces joined again give `text`.
fn cut(text: &str, width: usize) -> Vec<&str> {
    let width = width.max(20);
    let mut pieces = Vec::new();
    let mut rest = text;
    while rest.chars().count() > width {
        let limit = rest.char_indices().nth(width).map_or(rest.len(), |(i, _)| i);
        let at = match rest[..limit].rfind(' ') {
            Some(space) if space > 0 => space + 1,
            _ => limit,
        };
        pieces.push(&rest[..at]);
        rest = &rest[at..];
    }
    pieces.push(rest);
    pieces
}

/// html2text's plain rendering with mail's conventions (see [`plain_text`]).
#[derive(Debug, Clone, Default)]
struct MailText {
    links: Vec<String>,
}

impl TextDecorator for MailText {
    type Annotation = ();

    fn decorate_link_start(&mut self, url: &str) -> (String, ()) {
        self.links.push(url.strip_prefix("mailto:").unwrap_or(url).to_owned());
        (String::new(), ())
    }

    fn decorate_link_end(&mut self) -> String {
        self.links.pop().map(|url| format!(" <{url}>")).unwrap_or_default()
    }

    fn decorate_em_start(&self) -> (String, ()) {
        ("/".into(), ())
    }

    fn decorate_em_end(&self) -> String {
        "/".into()
    }

    fn decorate_strong_start(&self) -> (String, ()) {
        ("*".into(), ())
    }

    fn decorate_strong_end(&self) -> String {
        "*".into()
    }

    fn decorate_strikeout_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }

    fn decorate_code_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_code_end(&self) -> String {
        String::new()
    }

    fn decorate_preformat_first(&self) {}

    fn decorate_preformat_cont(&self) {}

    fn decorate_image(&mut self, _src: &str, title: &str) -> (String, ()) {
        let title = title.trim();
        (if title.is_empty() { String::new() } else { format!("[{title}]") }, ())
    }

    fn header_prefix(&self, _level: usize) -> String {
        String::new()
    }

    fn quote_prefix(&self) -> String {
        "> ".into()
    }

    fn unordered_item_prefix(&self) -> String {
        "- ".into()
    }

    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }

    fn make_subblock_decorator(&self) -> Self {
        Self::default()
    }

    fn finalise(&mut self, _urls: Vec<String>) -> Vec<TaggedLine<()>> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &str =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    #[test]
    fn images_become_parts_once_and_nothing_remote_stays() {
        let html = format!(
            r#"<div>a<img src="data:image/png;base64,{PNG}" alt="dot"><img src="data:image/png;base64,{PNG}"></div>
               <img src="https://tracker.example/p.gif"><img src="cid:other@x"><img src="data:text/html;base64,PGI+"><script>x()</script>"#
        );
        let body = prepare(&html, "<m1@example.org>");
        assert_eq!(body.images.len(), 1, "{body:?}");
        assert_eq!(body.images[0].content_id, "image1.m1@example.org");
        assert_eq!(body.images[0].content_type, "image/png");
        assert_eq!(&body.images[0].bytes[1..4], b"PNG");
        assert_eq!(body.html.matches("cid:image1.m1@example.org").count(), 2, "{}", body.html);
        for gone in ["tracker", "cid:other", "text/html", "script", "x()"] {
            assert!(!body.html.contains(gone), "{gone} in {}", body.html);
        }
    }

    #[test]
    fn the_text_part_reads_like_mail() {
        let html = r#"<div>Hello&nbsp;<b>bold</b>, <i>it</i> and <a href="https://example.org/x">a link</a>, <a href="https://example.org/y">https://example.org/y</a>.</div>
            <ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>
            <blockquote type="cite"><div>quoted</div><blockquote><div>deeper</div></blockquote></blockquote>
            <h2>Heading</h2><div>-- <br>Taro</div>"#;
        let text = plain_text(html);
        for expected in [
            "Hello *bold*, /it/ and a link <https://example.org/x>, https://example.org/y.",
            "- one\n- two",
            "1. first\n2. second",
            "> quoted",
            "> > deeper",
            "Heading",
            "-- \nTaro",
        ] {
            assert!(text.contains(expected), "{expected:?} not in:\n{text}");
        }
    }

    #[test]
    fn flowed_lines_rejoin_to_the_original_text() {
        let long = "word ".repeat(40);
        let japanese = "日本語の文章です。".repeat(20);
        let text = format!("{long}\n> {long}\nFrom here\n>not a quote? it is\n{japanese}\n-- \nsig");
        let encoded = flowed(&text);
        assert!(encoded.lines().all(|l| l.chars().count() <= 78), "{encoded}");
        assert!(encoded.contains("\r\n From here\r\n"), "{encoded}");
        assert!(encoded.contains("\r\n-- \r\n"), "{encoded}");
        // A reader of format=flowed; DelSp=yes joins soft-broken lines without their last space.
        let mut joined: Vec<String> = Vec::new();
        let mut open = false;
        for line in encoded.split("\r\n").filter(|l| !l.is_empty()) {
            let depth = line.chars().take_while(|&c| c == '>').count();
            let body = line[depth..].strip_prefix(' ').unwrap_or(&line[depth..]);
            let (body, soft) = match body.strip_suffix(' ') {
                Some(b) if body != "-- " => (b, true),
                _ => (body, false),
            };
            if open {
                joined.last_mut().unwrap().push_str(body);
            } else {
                joined.push(format!("{}{body}", "> ".repeat(depth)));
            }
            open = soft;
        }
        assert_eq!(joined[0], long.trim_end());
        assert_eq!(joined[1], format!("> {}", long.trim_end()));
        assert_eq!(joined[2], "From here");
        assert_eq!(joined[4], japanese);
    }
}
