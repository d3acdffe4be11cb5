//! The hostile HTML corpus (`tests/corpus/hostile-html/`) through the gateway's sanitizer:
//! whatever the vector, what comes out has no script, no handler, no dangerous URL, no CSS that
//! loads or escapes, and anything that would reach a remote host is flagged as remote content
//! (blocked by the reader until the user allows it). The same corpus is rendered in real
//! Chromium by `tests/e2e/tests/html_corpus.rs`.

use yubin_gateway::html::sanitize;
use yubin_test_support::repo_root;

/// Things that must never survive sanitizing, in lower case.
const FORBIDDEN: &[&str] = &[
    "<script",
    "<iframe",
    "<object",
    "<embed",
    "<form",
    "<meta",
    "<base",
    "<link",
    "<svg",
    "<math",
    "<style",
    "<template",
    "<input",
    "<textarea",
    "<video",
    "<audio",
    "<marquee",
    "<noscript",
    "javascript:",
    "data:text/html",
    "expression(",
    "-moz-binding",
    "behavior",
    "@import",
    "@font-face",
    "position:fixed",
    "position: fixed",
    "onerror",
    "onload",
    "onbegin",
    "onfocus",
    "ontoggle",
    "onstart",
    "onclick",
    "srcdoc",
    "xlink:href",
];

#[test]
fn every_vector_in_the_corpus_is_defused() {
    let dir = repo_root().join("tests/corpus/hostile-html");
    let mut cases: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    assert!(cases.len() >= 40, "the corpus has {} cases", cases.len());
    for path in cases {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let html = std::fs::read_to_string(&path)
            .unwrap()
            .replace("CANARY", "http://canary.invalid")
            .replace("PROTOREL", "//canary.invalid");
        let safe = sanitize(&html, Default::default());
        let marker = format!("case {}", name.trim_end_matches(".html"));
        assert!(safe.html.contains(&marker), "{name}: the text itself is kept: {}", safe.html);
        // The marker names the vector ("onerror"…); what is checked is everything else.
        let out = safe.html.replace(&marker, "").to_lowercase();
        for needle in FORBIDDEN {
            assert!(!out.contains(needle), "{name}: {needle:?} survived in {}", safe.html);
        }
        // Tabs and entities inside a scheme are decoded by the parser before this check.
        assert!(!out.replace(['\t', '\n', '\r'], "").contains("javascript:"), "{name}: {}", safe.html);
        if out.contains("canary.invalid") {
            assert!(safe.has_remote_content, "{name}: a remote reference not flagged as remote content: {}", safe.html);
        }
    }
}
