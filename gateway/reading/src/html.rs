//! Sanitizing HTML mail with ammonia before it reaches the browser.
//!
//! This is the first of two walls; the second is the browser app, which shows the result in an
//! `<iframe sandbox>` without `allow-scripts`, under a CSP of `default-src 'none'` that only
//! lets remote images load when the user asks for them.
//!
//! The allow-list is strict: formatting and table markup, links and images. No scripts, no
//! event handlers, no forms, no SVG or MathML (foreign content is where mXSS lives), no
//! `<style>` elements (ammonia cannot sanitize selectors), and inline `style` attributes keep
//! only properties that cannot load anything (no `background`, `list-style`, `content`, …, so
//! no `url()`). The output is ammonia's own serialization and is never edited afterwards.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use yubin_protocol::text::percent_decode;

/// Sanitized HTML and whether it refers to anything remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeHtml {
    pub html: String,
    /// True if images (or other resources) would be fetched from the network when allowed.
    pub has_remote_content: bool,
}

const TAGS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "b",
    "bdi",
    "bdo",
    "big",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

const GENERIC_ATTRIBUTES: &[&str] = &["align", "dir", "lang", "title", "style", "valign", "width", "height"];

/// CSS properties kept in `style` attributes: layout, text and colour only; none take `url()`.
const STYLE_PROPERTIES: &[&str] = &[
    "background-color",
    "border",
    "border-bottom",
    "border-collapse",
    "border-color",
    "border-left",
    "border-radius",
    "border-right",
    "border-spacing",
    "border-style",
    "border-top",
    "border-width",
    "color",
    "direction",
    "display",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-variant",
    "font-weight",
    "height",
    "letter-spacing",
    "line-height",
    "margin",
    "margin-bottom",
    "margin-left",
    "margin-right",
    "margin-top",
    "max-width",
    "min-width",
    "padding",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "padding-top",
    "table-layout",
    "text-align",
    "text-decoration",
    "text-indent",
    "text-transform",
    "vertical-align",
    "white-space",
    "width",
    "word-break",
    "word-spacing",
    "overflow-wrap",
];

/// Images the message carries itself, by Content-ID, as `data:` URLs.
pub type InlineImages = HashMap<String, String>;

/// Sanitizes one HTML body; `cid:` images found in `inline` become `data:` URLs on the way.
pub fn sanitize(html: &str, inline: InlineImages) -> SafeHtml {
    let remote = Arc::new(AtomicBool::new(false));
    let inline = Arc::new(inline);
    let mut builder = allow_list();
    builder
        // Links open outside the app, and tell the target nothing about where they came from.
        .link_rel(Some("noopener noreferrer"))
        .set_tag_attribute_value("a", "target", "_blank")
        .url_schemes(["http", "https", "mailto", "cid", "data"].into_iter().collect())
        .attribute_filter({
            let remote = remote.clone();
            move |element, attribute, value| filter_attribute(element, attribute, value, &remote, &inline)
        });
    let html = builder.clean(html).to_string();
    SafeHtml { html, has_remote_content: remote.load(Ordering::Relaxed) }
}

/// Cleans the HTML of a message being sent with the reader's allow-list. Each image goes
/// through `image` with its `data:` URL, which returns the `cid:` URL it is sent under, or
/// `None` to drop it; remote and `cid:` images are always dropped, so a sent message never
/// loads anything from anywhere.
pub fn sanitize_outgoing(html: &str, image: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> String {
    let mut builder = allow_list();
    builder.link_rel(None).url_schemes(["http", "https", "mailto", "data"].into_iter().collect()).attribute_filter(
        move |element, attribute, value| {
            checked_attribute(attribute, value, |url| match (element, attribute, url.scheme()) {
                ("img", "src", "data") => image(url.as_str()).map(Cow::Owned),
                ("a", "href", "http" | "https" | "mailto") => Some(Cow::Owned(url.into())),
                _ => None,
            })
        },
    );
    builder.clean(html).to_string()
}

/// What the reader and the composer both allow: the tags, attributes and style properties
/// above, no relative URLs, no comments, and the contents of script-like elements dropped.
fn allow_list() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(TAGS.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(
            [
                ("a", ["href", "name"].into_iter().collect::<HashSet<_>>()),
                ("img", ["src", "alt"].into_iter().collect()),
                ("font", ["color", "face", "size"].into_iter().collect()),
                ("table", ["border", "cellpadding", "cellspacing", "bgcolor"].into_iter().collect()),
                ("td", ["colspan", "rowspan", "bgcolor", "nowrap"].into_iter().collect()),
                ("th", ["colspan", "rowspan", "bgcolor", "scope"].into_iter().collect()),
                ("ol", ["start", "type"].into_iter().collect()),
                ("blockquote", ["type"].into_iter().collect()),
                ("col", ["span"].into_iter().collect()),
                ("colgroup", ["span"].into_iter().collect()),
                ("time", ["datetime"].into_iter().collect()),
            ]
            .into_iter()
            .collect(),
        )
        .url_relative(ammonia::UrlRelative::Deny)
        .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect())
        .clean_content_tags(["script", "style", "title", "noscript", "template", "svg", "math"].into_iter().collect())
        .strip_comments(true);
    builder
}

/// Attributes whose value is a URL, in any element (only some are allowed today; any that is
/// allowed later is decided here too).
const URL_ATTRIBUTES: &[&str] = &["href", "src", "cite", "background", "longdesc", "poster", "action", "srcset"];

fn filter_attribute<'u>(
    element: &str,
    attribute: &str,
    value: &'u str,
    remote: &AtomicBool,
    inline: &InlineImages,
) -> Option<Cow<'u, str>> {
    checked_attribute(attribute, value, |url| match (element, attribute, url.scheme()) {
        ("img", "src", "cid") => {
            // An image of the message itself, or nothing: a cid: URL leads nowhere else.
            let id = percent_decode(url.path());
            inline.get(id.trim_matches(['<', '>'])).map(|data| Cow::Owned(data.clone()))
        }
        ("img", "src", "http" | "https") => {
            remote.store(true, Ordering::Relaxed);
            Some(Cow::Owned(url.into()))
        }
        // data: URLs only as images, never as documents.
        ("img", "src", "data") if url.path().to_ascii_lowercase().starts_with("image/") => Some(Cow::Owned(url.into())),
        // A link goes to the web or starts a message; a data: or cid: URL is no link a person
        // means to follow, and anything else is no link at all.
        ("a", "href", "http" | "https" | "mailto") => Some(Cow::Owned(url.into())),
        _ => None,
    })
}

/// The allow-list's first word on an attribute: a style keeps only harmless declarations, an
/// attribute that holds no URL is kept, and a URL is parsed and judged by `judge`.
fn checked_attribute<'u>(
    attribute: &str,
    value: &'u str,
    judge: impl FnOnce(url::Url) -> Option<Cow<'u, str>>,
) -> Option<Cow<'u, str>> {
    if attribute == "style" {
        return Some(Cow::Owned(safe_declarations(value)));
    }
    if !URL_ATTRIBUTES.contains(&attribute) {
        return Some(value.into());
    }
    // The scheme is decided the way the browser will read the URL: a WHATWG parser drops
    // leading C0 controls and spaces and tabs or newlines anywhere, so `\x01data:` and
    // `java\tscript:` are data: and javascript: URLs. What goes out is the parsed URL, so
    // nothing the check did not see reaches the browser.
    judge(url::Url::parse(value).ok()?)
}

/// The declarations of a `style` attribute whose values can neither load nor run anything.
/// Property names are allow-listed by ammonia; values are checked here, because an allowed
/// property can still carry `expression()` (old IE), `url()`, `image-set()`, or a CSS escape
/// (`u\72l(`) that a browser decodes into one of them. Functions other than colours and
/// `calc()` are dropped with their declaration.
fn safe_declarations(style: &str) -> String {
    const HARMLESS_FUNCTIONS: [&str; 5] = ["rgb(", "rgba(", "hsl(", "hsla(", "calc("];
    style
        .split(';')
        .filter(|declaration| {
            let value = declaration.split_once(':').map_or("", |(_, v)| v).to_ascii_lowercase();
            let mut rest = value.replace(char::is_whitespace, "");
            for function in HARMLESS_FUNCTIONS {
                rest = rest.replace(function, "");
            }
            !rest.contains(['(', '\\', '@', '<']) && !rest.contains("javascript") && !rest.contains("url")
        })
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sanitize(html: &str) -> SafeHtml {
        super::sanitize(html, InlineImages::new())
    }

    #[test]
    fn cid_images_become_data_urls_and_unknown_ones_vanish() {
        let inline = InlineImages::from([("logo@x".to_owned(), "data:image/png;base64,iVBOR".to_owned())]);
        let clean = super::sanitize(r#"<img src="cid:logo%40x" alt="logo"><img src="cid:missing@x">"#, inline).html;
        assert!(clean.contains(r#"src="data:image/png;base64,iVBOR""#), "{clean}");
        assert!(!clean.contains("cid:"), "{clean}");
    }

    #[test]
    fn scripts_handlers_and_foreign_content_are_gone() {
        let dirty = r#"<p onclick="x()">hi<script>alert(1)</script></p>
            <img src=x onerror=alert(1)>
            <svg><animate onbegin=alert(1) attributeName=x dur=1s></svg>
            <math><mi xlink:href="javascript:alert(1)">x</mi></math>
            <a href="javascript:alert(1)">j</a><iframe src="https://evil.example"></iframe>
            <form action="https://evil.example"><input name=p></form>"#;
        let clean = sanitize(dirty).html;
        for bad in ["script", "onclick", "onerror", "svg", "animate", "math", "javascript", "iframe", "form", "input"] {
            assert!(!clean.to_lowercase().contains(bad), "{bad} survived: {clean}");
        }
        assert!(clean.contains("<p>hi</p>"), "{clean}");
    }

    #[test]
    fn styles_keep_only_harmless_properties() {
        let clean = sanitize(
            r#"<div style="color: red; background: url(https://track.example/p.gif); position: fixed; top: 0">x</div>
               <style>body { background: url(https://track.example/s.gif) }</style>"#,
        )
        .html;
        assert!(clean.contains("color:red"), "{clean}");
        assert!(!clean.contains("url("), "{clean}");
        assert!(!clean.contains("position"), "overlays must not escape: {clean}");
        assert!(!clean.contains("track.example"), "{clean}");
    }

    #[test]
    fn remote_images_are_flagged_and_links_open_outside() {
        let safe =
            sanitize(r#"<a href="https://example.org/">site</a><img src="https://example.org/logo.png" alt="logo">"#);
        assert!(safe.has_remote_content);
        assert!(safe.html.contains(r#"target="_blank""#), "{}", safe.html);
        assert!(safe.html.contains(r#"rel="noopener noreferrer""#), "{}", safe.html);
        assert!(!sanitize("<p>plain</p>").has_remote_content);
    }

    #[test]
    fn data_urls_only_as_images() {
        let clean = sanitize(r#"<img src="data:text/html,<script>alert(1)</script>"><a href="data:text/html,x">d</a><img src="data:image/png;base64,iVBOR">"#).html;
        assert!(!clean.contains("data:text"), "{clean}");
        assert!(clean.contains("data:image/png"), "{clean}");
    }

    #[test]
    fn schemes_are_decided_as_a_browser_parses_the_url() {
        // Leading C0 controls and spaces, and tabs or newlines inside, are dropped by URL
        // parsers: each of these is a data: or javascript: URL to the browser.
        let dirty = "<a href=\"&#x01;data:text/html,<script>alert(1)</script>\">a</a>\
            <a href=\"&#x1f; javascript:alert(1)\">b</a>\
            <a href=\"java&#x09;script:alert(1)\">c</a>\
            <a href=\"jav&#x0A;ascript:alert(1)\">d</a>\
            <img src=\"&#x01;data:text/html,<b>x</b>\">\
            <img src=\"&#x02;javascript:alert(1)\">\
            <a href=\"vbscript:x\">e</a><a href=\"file:///etc/passwd\">f</a>";
        let clean = sanitize(dirty).html;
        for bad in ["data:", "javascript", "script", "vbscript", "file:"] {
            assert!(!clean.to_lowercase().contains(bad), "{bad} survived: {clean}");
        }
        // Good links and images come out as the parsed URL.
        let good =
            sanitize("<a href=\"&#x01;https://example.org/a b\">x</a><img src=\" data:image/png;base64,iVBOR\">").html;
        assert!(good.contains("href=\"https://example.org/a%20b\""), "{good}");
        assert!(good.contains("src=\"data:image/png;base64,iVBOR\""), "{good}");
        assert!(sanitize("<a href=\"mailto:a@example.org\">m</a>").html.contains("mailto:a@example.org"));
    }

    #[test]
    fn style_values_that_could_load_or_run_are_dropped() {
        let out = sanitize(
            r#"<p style="color: rgb(1, 2, 3); width: expression(alert(1)); border: 1px solid red; height: u\72l(x)">x</p>"#,
        )
        .html;
        assert!(out.contains("rgb(1, 2, 3)") && out.contains("1px solid red"), "{out}");
        assert!(!out.contains("expression") && !out.contains("\\72"), "{out}");
    }
}
