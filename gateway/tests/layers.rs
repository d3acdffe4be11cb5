//! The gateway's and the app's modules import only downwards, in the order ARCHITECTURE.md
//! draws: no import loop, no module reaching one above it. A new module takes its place in
//! [`ORDER`] or [`APP_ORDER`] (and in ARCHITECTURE.md) or this test fails.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Top to bottom. A module may import those after it, never those before it.
const ORDER: &[&str] = &[
    // Serving: routes, a tab's socket, an attachment stream.
    "http",
    "session",
    "downloads",
    "oauth_flow",
    // What requests do, and the signed-in account they work on.
    "handlers",
    "account",
    // Shared state and what it is made of.
    "gateway",
    "tickets",
    "mail_servers",
    "security_headers",
    "app_page",
    "sealed",
    "server",
    "limits",
    "tls_config",
    // Talking to mail servers, and reading and writing mail.
    "upstream",
    "compose",
    "pgp_mime",
    "rich_text",
    "draft_info",
    "threading",
    "vcard",
    "mbox",
    "uploads",
    // Configuration and plumbing.
    "config",
    "origin",
    "client_address",
    "metrics",
];

/// Items of the crate root (`lib.rs`) everything may use.
const ROOT_ITEMS: &[&str] = &[
    "lock",
    "Config",
    "Gateway",
    // Reading mail, a crate below the gateway (`gateway/reading`), its modules re-exported.
    "mime",
    "dsn",
    "parser",
    "charset",
    "html",
    "trust",
    "filenames",
    "transfer_decoding",
];

/// Reading mail (`gateway/reading`, the crate `yubin-reading`), top to bottom.
const READING_ORDER: &[&str] =
    &["mime", "openpgp", "dsn", "draft_info", "trust", "html", "filenames", "charset", "transfer_decoding", "parser"];

/// The app's modules, top to bottom: the app, its views, then services and models.
const APP_ORDER: &[&str] = &[
    "app",
    "printing",
    "components",
    // The app's state by concern, each with a pure reducer.
    "list_view",
    "reading",
    "everywhere",
    "preferences",
    "gateway_link",
    "outbox",
    "scheduled",
    "remember",
    "oauth_return",
    "early_sign_in",
    "accounts",
    "pop3_sync",
    "contacts",
    "settings",
    "notifications",
    "offline_accounts",
    "theme",
    "list_cache",
    "local_store",
    "upload",
    "local_mailbox",
    "rich_text",
    "extras",
    "openpgp_worker",
    "mail_import",
    "connection",
    "shortcuts",
    "message_window",
    "drafting",
    "i18n",
    "identity",
    "sign_in",
    "search_syntax",
    "format",
    "prefs",
    "window_events",
    "timing",
];

/// The filters module (`frontend/filters`, loaded on first use), top to bottom.
const FILTERS_ORDER: &[&str] = &["dialog", "rule_editor", "editing", "sieve_rules", "i18n"];

/// The contacts module (`frontend/contacts`, loaded on first use), top to bottom.
const CONTACTS_ORDER: &[&str] = &["dialog", "sync", "store", "files", "book", "i18n"];

/// The OpenPGP keys dialog (`frontend/keys`, loaded on first use), top to bottom.
const KEYS_ORDER: &[&str] = &["dialog", "keyring", "i18n"];

#[test]
fn gateway_modules_import_only_downwards() {
    check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), ORDER, ROOT_ITEMS);
}

#[test]
fn reading_modules_import_only_downwards() {
    check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("reading/src"), READING_ORDER, &[]);
}

#[test]
fn app_modules_import_only_downwards() {
    check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/src"), APP_ORDER, &[]);
}

#[test]
fn contacts_modules_import_only_downwards() {
    check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/contacts/src"), CONTACTS_ORDER, &[]);
}

#[test]
fn keys_modules_import_only_downwards() {
    check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/keys/src"), KEYS_ORDER, &[]);
}

#[test]
fn filters_modules_import_only_downwards() {
    check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/filters/src"), FILTERS_ORDER, &[]);
}

fn check(src: &Path, order: &[&str], root_items: &[&str]) {
    let mut wrong = Vec::new();
    for file in rust_files(src) {
        let relative = file.strip_prefix(src).unwrap();
        let module = top_module(relative);
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(rank) = order.iter().position(|m| *m == module) else {
            wrong.push(format!("{}: module {module} has no place in the order", relative.display()));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for used in crate_imports(&text) {
            if used == module || root_items.contains(&used.as_str()) {
                continue;
            }
            match order.iter().position(|m| *m == used) {
                Some(used_rank) if used_rank > rank => {}
                Some(_) => wrong.push(format!("{}: {module} imports {used}, which is above it", relative.display())),
                None => wrong.push(format!("{}: imports {used}, which has no place in the order", relative.display())),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// `handlers/mailbox.rs` → `handlers`; `mime.rs` → `mime`.
fn top_module(relative: &Path) -> String {
    let first = relative.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_owned()
}

/// The crate's top-level modules (and root items) named through `crate::` in code, leaving out
/// comments and the unit tests.
fn crate_imports(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut used = BTreeSet::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or_default();
                for item in inner.split(',') {
                    let name = item.trim().split("::").next().unwrap_or_default();
                    if !name.is_empty() {
                        used.insert(name.to_owned());
                    }
                }
            } else {
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                used.insert(name);
            }
        }
    }
    used
}

/// Code that runs in the browser is built without `Debug` text (`-Zfmt-debug=none`, for size):
/// `{:?}` there formats to nothing, so a key or a message built from it is silently empty.
/// Panics, assertions and tests may use it; nothing else in browser code may.
#[test]
fn browser_code_formats_nothing_with_debug() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dirs =
        ["frontend/src", "frontend/contacts/src", "frontend/keys/src", "frontend/filters/src", "frontend/openpgp/src"]
            .into_iter()
            .chain(["frontend/shared/src", "frontend/i18n/src", "gateway/reading/src", "protocol/src"]);
    let allowed = ["panic!", "assert", "expect(", "unreachable!", "tracing::", "debug!"];
    let mut found = Vec::new();
    for dir in dirs {
        for file in rust_files(&root.join(dir)) {
            let text = std::fs::read_to_string(&file).unwrap();
            // Tests sit at the end of a file, after `#[cfg(test)]`.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (number, line) in code.lines().enumerate() {
                if line.contains(":?}") && !allowed.iter().any(|a| line.contains(a)) {
                    found.push(format!("{}:{}: {}", file.display(), number + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "Debug text in browser code:\n{}", found.join("\n"));
}
