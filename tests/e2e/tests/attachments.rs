//! Attachments looked at, taken away and printed, in Chromium: an image, a PDF (in the
//! browser's own viewer, in a frame the gateway's CSP sandboxes), a Japanese text and an HTML
//! page shown as text, one after another; all of them as one zip; the message printed as a
//! page of its own (Ctrl+P too). prue is this file's own user.

use yubin_e2e::Browser;
use yubin_test_support::{unique_subject, MailStack};

/// A 1×1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const PDF: &str = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn message(subject: &str) -> String {
    format!(
        "From: Yamada <yamada@example.jp>\r\nTo: prue@example.test\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Body line for printing.\r\n\
         --b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=dot.png\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{PNG}\r\n\
         --b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=quote.pdf\r\n\r\n{PDF}\r\n\
         --b\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n\
         Content-Disposition: attachment; filename*=UTF-8''%E8%AD%B0%E4%BA%8B%E9%8C%B2.txt\r\n\r\n\
         \x1b$B5D;vO?\x1b(B\r\n\
         --b\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename=page.html\r\n\r\n\
         <script>parent.document.title='pwned'</script>\r\n--b--\r\n"
    )
}

/// The preview frame's response, fetched again by the page: (content type, CSP, text).
const FRAME_RESPONSE: &str = "const done = arguments[0]; const src = document.querySelector('#preview-frame').src; \
    fetch(src).then(async r => done([r.headers.get('content-type'), r.headers.get('content-security-policy') || '', \
    await r.text()]));";

#[tokio::test(flavor = "multi_thread")]
async fn attachments_are_shown_zipped_and_printed() {
    let stack = MailStack::ensure();
    let subject = unique_subject("files to look at");
    stack.deliver("prue", message(&subject).as_bytes()).await;
    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("prue", "prue-pass").await;
    browser.wait_for_text(".message-row", &subject).await.click().await.unwrap();

    // The image opens over the message, loaded from a preview link.
    browser.wait_for_text("button.attachment", "dot.png").await.click().await.unwrap();
    browser.find("#attachment-viewer #preview-image").await;
    let loaded = "const done = arguments[0]; const img = document.querySelector('#preview-image'); \
                  const check = () => img.complete ? done([img.naturalWidth, img.src]) : setTimeout(check, 50); check();";
    let (width, src): (u32, String) =
        serde_json::from_value(browser.client.execute_async(loaded, vec![]).await.unwrap()).unwrap();
    assert_eq!(width, 1);
    assert!(src.contains("/download/"), "{src}");

    // Next: the PDF, in a frame without a sandbox attribute (Chromium's viewer refuses one)
    // whose response sandboxes it.
    browser.click("#preview-next").await;
    browser.find("#preview-frame.pdf").await;
    let (content_type, policy, _): (String, String, String) =
        serde_json::from_value(browser.client.execute_async(FRAME_RESPONSE, vec![]).await.unwrap()).unwrap();
    assert_eq!(content_type, "application/pdf");
    assert!(policy.starts_with("sandbox;"), "{policy}");

    // Next (→ this time): the Japanese text, decoded.
    browser.find("body").await.send_keys("\u{E014}").await.unwrap(); // ArrowRight
    browser.wait_for_text("#attachment-viewer .name", "議事録.txt").await;
    browser.find("#preview-frame.text").await;
    let (content_type, _, text): (String, String, String) =
        serde_json::from_value(browser.client.execute_async(FRAME_RESPONSE, vec![]).await.unwrap()).unwrap();
    assert_eq!(content_type, "text/plain; charset=utf-8");
    assert!(text.contains("議事録"), "{text}");

    // The HTML page is its source, as text: nothing in it runs.
    browser.click("#preview-next").await;
    browser.wait_for_text("#attachment-viewer .name", "page.html").await;
    let (content_type, _, text): (String, String, String) =
        serde_json::from_value(browser.client.execute_async(FRAME_RESPONSE, vec![]).await.unwrap()).unwrap();
    assert_eq!(content_type, "text/plain; charset=utf-8");
    assert!(text.contains("<script>"));
    assert_ne!(browser.client.title().await.unwrap(), "pwned");
    browser.screenshot("attachment-preview").await;

    // Escape closes the viewer, not the message.
    browser.find("body").await.send_keys("\u{E00C}").await.unwrap();
    browser.find("#reader .message").await;
    assert!(browser.client.find(fantoccini::Locator::Css("#attachment-viewer")).await.is_err());

    // All four as one zip, with the bytes that were sent.
    browser.click("#download-all").await;
    let zip = browser.downloaded(&format!("{subject}.zip")).await;
    let path = std::env::temp_dir().join(format!("{}.zip", subject.replace(' ', "-")));
    std::fs::write(&path, &zip).unwrap();
    let listing = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; \
             print('|'.join(i.filename for i in z.infolist())); print(z.read('quote.pdf').decode())",
            path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    std::fs::remove_file(&path).ok();
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(listing.starts_with("dot.png|quote.pdf|議事録.txt|page.html\n"), "{listing}");
    // (Sent unencoded, its line ends became CRLF on the way, as SMTP wants.)
    assert!(listing.contains("1 0 obj << /Type /Catalog >> endobj"), "{listing}");

    // Print: the message alone, as a page of its own, from a frame no script runs in.
    browser.click("#print").await;
    let printed = "const done = arguments[0]; const check = () => { const f = document.getElementById('print-frame'); \
        if (f && f.dataset.printed) done([f.getAttribute('sandbox'), f.contentDocument.body.innerText]); \
        else setTimeout(check, 50); }; check();";
    let (sandbox, text): (String, String) =
        serde_json::from_value(browser.client.execute_async(printed, vec![]).await.unwrap()).unwrap();
    assert_eq!(sandbox, "allow-same-origin allow-modals");
    for expected in
        [subject.as_str(), "Yamada <yamada@example.jp>", "Body line for printing.", "議事録.txt", "quote.pdf"]
    {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    // The browser's own Print (its menu): with print media, the app around the message is gone,
    // and the page makes a PDF.
    browser.cdp("Emulation.setEmulatedMedia", serde_json::json!({ "media": "print" })).await;
    let hidden: Vec<String> = serde_json::from_value(
        browser
            .client
            .execute(
                "return ['.topbar', '.folders', '.list', '.actions'].map(s => getComputedStyle(document.querySelector(s)).display)",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(hidden.iter().all(|d| d == "none"), "{hidden:?}");
    let pdf = browser.cdp("Page.printToPDF", serde_json::json!({})).await;
    let pdf = pdf["data"].as_str().expect("a PDF");
    assert!(pdf.len() > 1000, "a PDF of the page");
    browser.cdp("Emulation.setEmulatedMedia", serde_json::json!({ "media": "" })).await;
    // Ctrl+P prints the message too, not the app.
    browser.client.execute("document.getElementById('print-frame').remove()", vec![]).await.unwrap();
    browser.find("body").await.send_keys("\u{E009}p").await.unwrap();
    browser.find("#print-frame[data-printed]").await;
    browser.close().await;
}
