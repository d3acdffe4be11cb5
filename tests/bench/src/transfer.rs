//! What the browser downloads to start the app: the built files in `dist/`, compressed as a
//! web server would send them.

use std::io::Write;

use crate::Row;

/// The files of the app in `dir` (and its `snippets/`, the JS its wasm imports).
fn app_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("dist/ (scripts/build.sh app)")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .flat_map(|p| if p.ends_with("snippets") { app_files_deep(&p) } else { vec![p] })
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("wasm" | "js" | "css" | "html")))
        .filter(|p| p.file_name().is_some_and(|n| n != "sw.js"))
        .collect();
    files.sort();
    files
}

fn app_files_deep(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .flat_map(|p| if p.is_dir() { app_files_deep(&p) } else { vec![p] })
                .collect()
        })
        .unwrap_or_default()
}

/// What the modules loaded on first use (`dist/modules/`) weigh, each: name and gzip bytes.
pub fn modules() -> Vec<(String, usize)> {
    let dir = yubin_test_support::repo_root().join("dist/modules");
    let mut modules: Vec<(String, usize)> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|module| {
            let name = module.file_name().unwrap().to_string_lossy().rsplit_once('-').map(|(n, _)| n.to_owned());
            let gzip = app_files_deep(&module)
                .iter()
                .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("wasm" | "js" | "mjs")))
                .map(|p| gzip_size(&std::fs::read(p).unwrap()))
                .sum();
            (name.unwrap_or_default(), gzip)
        })
        .collect();
    modules.sort();
    modules
}

/// The first load: the page, the JS loader, the wasm and the CSS (not the PWA icon or manifest,
/// which the browser fetches later and caches, nor the modules loaded on first use).
pub fn first_load() -> (Row, f64) {
    let files = app_files(&yubin_test_support::repo_root().join("dist"));
    let (mut raw, mut gzip, mut brotli) = (0, 0, 0);
    let mut wasm_gzip = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let (g, b) = (gzip_size(&bytes), brotli_size(&bytes));
        eprintln!("{}: {} B, gzip {g} B, brotli {b} B", path.display(), bytes.len());
        if path.extension().is_some_and(|e| e == "wasm") {
            wasm_gzip = g;
        }
        raw += bytes.len();
        gzip += g;
        brotli += b;
    }
    let kb = |n: usize| format!("{:.0} KB", n as f64 / 1024.0);
    let gzip_kb = gzip as f64 / 1024.0;
    let row = Row::new(
        "First load: page + JS + wasm + CSS",
        format!("{} gzip, {} brotli ({} uncompressed; wasm {} gzip)", kb(gzip), kb(brotli), kb(raw), kb(wasm_gzip)),
        "SnappyMail's user JS: 109 KB gzip; a bare Yew app: 52 KB gzip".into(),
        "≤ 150 KB gzip",
    )
    .met(gzip_kb <= 150.0);
    (row, gzip_kb)
}

fn gzip_size(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len()
}

fn brotli_size(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).unwrap();
    out.len()
}
