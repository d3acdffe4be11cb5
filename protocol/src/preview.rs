//! Which attachments can be looked at without downloading them, and as what.
//!
//! One function for both sides: the app picks the element to show a part in, and the gateway
//! picks the type it serves the part under — never the sender's type as it stands. Anything
//! a browser could run as a page of our origin (HTML, SVG, XML with stylesheets) is shown, if
//! at all, as plain text.

/// How an attachment is previewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviewKind {
    Image,
    /// The browser's own PDF viewer, in a frame.
    Pdf,
    /// Text, source code, CSV and the like: shown as plain text, decoded to UTF-8.
    Text,
    Audio,
    Video,
}

/// A preview: how to show it, and the only type the gateway serves the bytes as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preview {
    pub kind: PreviewKind,
    pub served_as: &'static str,
}

/// Image types browsers decode themselves (HEIC only Safari: the viewer says so if not).
const IMAGES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/bmp",
    "image/x-icon",
    "image/vnd.microsoft.icon",
    "image/heic",
    "image/heif",
];
const AUDIO: &[&str] = &[
    "audio/mpeg",
    "audio/mp4",
    "audio/aac",
    "audio/ogg",
    "audio/opus",
    "audio/wav",
    "audio/x-wav",
    "audio/webm",
    "audio/flac",
];
const VIDEO: &[&str] = &["video/mp4", "video/webm", "video/ogg", "video/quicktime"];
/// Types that are text in all but name: source code, data, configuration.
const TEXTUAL: &[&str] = &[
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-javascript",
    "application/x-sh",
    "application/x-shellscript",
    "application/x-python",
    "application/sql",
    "application/x-yaml",
    "application/yaml",
    "application/toml",
    "application/x-patch",
    "application/x-diff",
    "message/delivery-status",
];
/// Extensions, for parts sent as `application/octet-stream` (as many clients do).
const BY_EXTENSION: &[(&str, &str)] = &[
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("avif", "image/avif"),
    ("bmp", "image/bmp"),
    ("heic", "image/heic"),
    ("heif", "image/heif"),
    ("pdf", "application/pdf"),
    ("mp3", "audio/mpeg"),
    ("m4a", "audio/mp4"),
    ("ogg", "audio/ogg"),
    ("opus", "audio/opus"),
    ("wav", "audio/wav"),
    ("flac", "audio/flac"),
    ("mp4", "video/mp4"),
    ("m4v", "video/mp4"),
    ("webm", "video/webm"),
    ("mov", "video/quicktime"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
    ("tsv", "text/tab-separated-values"),
    ("log", "text/plain"),
    ("md", "text/markdown"),
    ("json", "application/json"),
    ("xml", "application/xml"),
    ("yaml", "application/yaml"),
    ("yml", "application/yaml"),
    ("toml", "application/toml"),
    ("ini", "text/plain"),
    ("conf", "text/plain"),
    ("rs", "text/plain"),
    ("py", "text/plain"),
    ("js", "text/plain"),
    ("ts", "text/plain"),
    ("c", "text/plain"),
    ("h", "text/plain"),
    ("cpp", "text/plain"),
    ("java", "text/plain"),
    ("go", "text/plain"),
    ("rb", "text/plain"),
    ("sh", "text/plain"),
    ("sql", "text/plain"),
    ("diff", "text/plain"),
    ("patch", "text/plain"),
    ("html", "text/html"),
    ("htm", "text/html"),
    ("svg", "text/plain"),
];

/// How the part with `content_type` (its media type, parameters ignored) and `filename`
/// can be previewed, if it can.
pub fn preview(content_type: &str, filename: Option<&str>) -> Option<Preview> {
    let declared = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let generic = declared.is_empty() || declared == "application/octet-stream" || declared == "binary/octet-stream";
    let media = if generic {
        let extension = filename?.rsplit_once('.')?.1.to_ascii_lowercase();
        BY_EXTENSION.iter().find(|(ext, _)| *ext == extension)?.1.to_owned()
    } else {
        declared
    };
    let found = |list: &[&'static str]| list.iter().copied().find(|t| *t == media);
    let (kind, served_as) = if let Some(image) = found(IMAGES) {
        (PreviewKind::Image, image)
    } else if media == "application/pdf" {
        (PreviewKind::Pdf, "application/pdf")
    } else if let Some(audio) = found(AUDIO) {
        (PreviewKind::Audio, audio)
    } else if let Some(video) = found(VIDEO) {
        (PreviewKind::Video, video)
    } else if media.starts_with("text/")
        || found(TEXTUAL).is_some()
        || media.ends_with("+xml")
        || media.ends_with("+json")
    {
        (PreviewKind::Text, "text/plain; charset=utf-8")
    } else {
        return None;
    };
    Some(Preview { kind, served_as })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(content_type: &str, name: &str) -> Option<(PreviewKind, &'static str)> {
        preview(content_type, Some(name)).map(|p| (p.kind, p.served_as))
    }

    #[test]
    fn pages_and_scripts_are_shown_as_text_never_run() {
        for risky in ["text/html", "image/svg+xml", "application/xhtml+xml", "text/xml; charset=utf-8"] {
            assert_eq!(kind(risky, "x"), Some((PreviewKind::Text, "text/plain; charset=utf-8")), "{risky}");
        }
        assert_eq!(kind("application/octet-stream", "logo.svg").unwrap().0, PreviewKind::Text);
        assert_eq!(kind("application/octet-stream", "page.html").unwrap().1, "text/plain; charset=utf-8");
    }

    #[test]
    fn media_types_and_extensions() {
        assert_eq!(kind("IMAGE/JPEG; name=a.jpg", "a.jpg"), Some((PreviewKind::Image, "image/jpeg")));
        assert_eq!(kind("application/pdf", "見積書.pdf"), Some((PreviewKind::Pdf, "application/pdf")));
        assert_eq!(kind("application/octet-stream", "写真.JPG"), Some((PreviewKind::Image, "image/jpeg")));
        assert_eq!(kind("audio/mpeg", "a.mp3").unwrap().0, PreviewKind::Audio);
        assert_eq!(kind("video/mp4", "a.mp4").unwrap().0, PreviewKind::Video);
        assert_eq!(kind("text/csv", "a.csv").unwrap().0, PreviewKind::Text);
        assert_eq!(kind("application/json", "a").unwrap().0, PreviewKind::Text);
        assert_eq!(kind("application/zip", "a.zip"), None);
        assert_eq!(kind("application/octet-stream", "a.exe"), None);
        assert_eq!(preview("application/octet-stream", None), None);
        // A declared type wins over the name: an image named .pdf is still an image.
        assert_eq!(kind("image/png", "a.pdf").unwrap().0, PreviewKind::Image);
    }
}
