//! Formatted mail in real headless Chromium against the real stack: the toolbar and its keys,
//! a link, Japanese typed through an IME, a paste from Word and Google Docs cleaned, a picture
//! put in the text, a reload that keeps the formatting, and what arrives: HTML with its picture
//! as a related part beside a format=flowed text part; then a formatted reply quoting that
//! HTML under a formatted signature. rex writes to ria; both are this file's alone among the
//! browser tests.

use std::time::Duration;

use mail_parser::{MessageParser, MimeHeaders, PartType};
use yubin_e2e::Browser;
use yubin_test_support::{unique_subject, MailStack};

/// WebDriver key codes: a chord is the modifier, the key, then NULL to release the modifier.
const CONTROL: char = '\u{E009}';
const SHIFT: char = '\u{E008}';
const RELEASE: char = '\u{E000}';
const ENTER: char = '\u{E007}';
const HOME: char = '\u{E011}';
const END: char = '\u{E010}';

/// A clipboard from Word for Windows (trimmed): conditional comments, a style sheet, Office
/// namespaces, mso styles, a remote picture, and lists as Word writes them (paragraphs with their
/// markers: bullets with a nested item, then numbers); and one from Google Docs, whose whole
/// paste sits in a `<b style="font-weight:normal">`.
const WORD: &str = r#"<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{margin:0;font-family:"Calibri"}</style><!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]--></head>
<body lang=JA><!--StartFragment--><p class=MsoNormal><span style='font-size:11.0pt;font-family:"Calibri",sans-serif;mso-fareast-language:JA'>Word paragraph <b>strong</b><o:p></o:p></span></p>
<p class=MsoNormal><span style='color:red;mso-bidi-font-family:Arial'>red words</span><img src="https://tracker.example/pixel.png" width=1 height=1><script>window.pasted = 1</script></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>first point<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='margin-left:72.0pt;text-indent:-18.0pt;mso-list:l0 level2 lfo1'><![if !supportLists]><span style='font-family:"Courier New"'><span style='mso-list:Ignore'>o<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><![endif]>nested point<o:p></o:p></p>
<p class=MsoNormal>between</p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l1 level1 lfo2'><![if !supportLists]><span><span style='mso-list:Ignore'>1.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><![endif]>step one<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l1 level1 lfo2'><![if !supportLists]><span><span style='mso-list:Ignore'>2.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><![endif]>step two<o:p></o:p></p><!--EndFragment--></body></html>"#;
const DOCS: &str = r#"<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1a2b"><p dir="ltr" style="line-height:1.38;margin-top:0pt;"><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;font-weight:400;">Docs plain </span><span style="font-size:11pt;font-family:Arial,sans-serif;font-weight:700;">Docs bold</span></p></b>"#;

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xfc, 0xcf, 0xc0, 0x50, 0x0f, 0x00, 0x04, 0x85, 0x01, 0x80, 0x84, 0xa9, 0x8c,
    0x21, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

async fn editor_html(browser: &Browser) -> String {
    let html = browser.client.execute("return document.querySelector('#compose-rich').innerHTML", vec![]).await;
    html.expect("read the editor").as_str().unwrap_or_default().to_owned()
}

/// Waits until the editor's HTML satisfies `check`.
async fn wait_for_editor(browser: &Browser, what: &str, check: impl Fn(&str) -> bool) -> String {
    for _ in 0..100 {
        let html = editor_html(browser).await;
        if check(&html) {
            return html;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the editor never had {what}: {}", editor_html(browser).await);
}

async fn paste_html(browser: &Browser, html: &str, text: &str) {
    let script = "const data = new DataTransfer(); data.setData('text/html', arguments[0]); \
                  data.setData('text/plain', arguments[1]); \
                  document.querySelector('#compose-rich').dispatchEvent(new ClipboardEvent('paste', \
                  { clipboardData: data, bubbles: true, cancelable: true }));";
    browser.client.execute(script, vec![html.into(), text.into()]).await.expect("paste");
}

#[tokio::test(flavor = "multi_thread")]
async fn formatted_mail_is_written_with_the_toolbar_and_arrives_as_html_beside_its_text() {
    let stack = MailStack::ensure();
    stack.empty_mailbox("ria", "INBOX");
    let browser = Browser::signed_in("rex").await;

    let subject = unique_subject("書式 formatted");
    browser.click("#compose-button").await;
    browser.type_into("#compose-to", "Ria <ria@example.test>").await;
    browser.type_into("#compose-subject", &subject).await;
    browser.click("#formatting-toggle").await;
    let body = browser.find("#compose-rich[contenteditable='true']").await;
    browser.find("#format-bold").await;

    // Keys: Ctrl+B around a word; a bulleted list from the toolbar; Ctrl+K makes a link.
    body.send_keys(&format!("Hello {CONTROL}b{RELEASE}bold{CONTROL}b{RELEASE} world{ENTER}")).await.unwrap();
    browser.click("#format-bullets").await;
    body.send_keys(&format!("one{ENTER}two{ENTER}{ENTER}our site{SHIFT}{HOME}{RELEASE}")).await.unwrap();
    body.send_keys(&format!("{CONTROL}k{RELEASE}")).await.unwrap();
    browser.type_into("#link-address", &format!("example.org/docs{ENTER}")).await;
    let html = wait_for_editor(&browser, "a link", |h| h.contains("href=\"https://example.org/docs\"")).await;
    assert!(html.contains("<b>bold</b>"), "{html}");
    assert!(html.contains("<ul><li>one</li><li>two</li></ul>"), "{html}");
    body.send_keys(&format!("{END}{ENTER}")).await.unwrap();

    // Japanese through the IME: composing, then committed — once, nothing lost or doubled.
    browser
        .cdp(
            "Input.imeSetComposition",
            serde_json::json!({ "text": "にほんご", "selectionStart": 4, "selectionEnd": 4 }),
        )
        .await;
    browser.cdp("Input.insertText", serde_json::json!({ "text": "日本語" })).await;
    let html = wait_for_editor(&browser, "the committed Japanese", |h| h.contains("日本語")).await;
    assert_eq!(html.matches("日本語").count(), 1, "{html}");
    assert!(!html.contains("にほんご"), "{html}");
    body.send_keys(&format!("です{ENTER}")).await.unwrap();

    // Pastes from Word and Google Docs keep their words and what the toolbar can express.
    paste_html(
        &browser,
        WORD,
        "Word paragraph strong\nred words\n· first point\no nested point\nbetween\n1. step one\n2. step two",
    )
    .await;
    paste_html(&browser, DOCS, "Docs plain Docs bold").await;
    let html = wait_for_editor(&browser, "both pastes", |h| h.contains("Docs bold")).await;
    assert!(html.contains("Word paragraph") && html.contains("<b>strong</b>") && html.contains("red words"), "{html}");
    for gone in ["mso-", "Calibri", "MsoNormal", "tracker.example", "<script", "o:p", "font-size", "docs-internal"] {
        assert!(!html.contains(gone), "{gone} kept: {html}");
    }
    assert!(!html.contains("Docs plain</b>") && !html.contains("<b style"), "the Docs wrapper made it bold: {html}");
    assert!(html.contains("color: red"), "a colour the toolbar can give stays: {html}");
    // (The next paste goes on in the list's last item, where the caret was left.)
    assert!(html.contains("<ol><li>step one</li><li>step two"), "Word's numbered paragraphs: {html}");
    let nested = "return document.querySelector('#compose-rich ul ul')?.textContent ?? ''";
    let nested = browser.client.execute(nested, vec![]).await.unwrap();
    assert_eq!(nested, serde_json::json!("nested point"), "Word's bullets, nested: {html}");
    assert!(html.contains("first point") && html.contains("between"), "{html}");
    assert!(!html.contains('·') && !html.contains(">o<") && !html.contains(">1."), "Word's markers kept: {html}");
    assert!(!html.contains("rgb(0, 0, 0)") && !html.contains("font-weight: 400"), "defaults are not kept: {html}");
    let pasted = browser.client.execute("return window.pasted === undefined", vec![]).await.unwrap();
    assert_eq!(pasted, serde_json::json!(true), "a pasted script ran");
    browser.wait_for_text("#draft-status", "remote pictures left out").await;

    // A picture from a file goes into the text.
    let picture = std::env::temp_dir().join("yubin-e2e-dot.png");
    std::fs::write(&picture, PNG).unwrap();
    browser.find("#format-image").await.send_keys(&picture.display().to_string()).await.unwrap();
    wait_for_editor(&browser, "the picture", |h| h.contains("<img src=\"data:image/png;base64,")).await;

    // A reload keeps the formatting (the draft in the browser holds the HTML).
    browser.wait_for_text("#draft-status", "Draft saved").await;
    browser.client.refresh().await.expect("reload");
    browser.sign_in("rex", "rex-pass").await;
    browser.find("#compose-rich[contenteditable='true']").await;
    let html = wait_for_editor(&browser, "the formatting back", |h| h.contains("<b>bold</b>")).await;
    assert!(html.contains("href=\"https://example.org/docs\"") && html.contains("<img"), "{html}");

    browser.click("#send-button").await;
    browser.wait_for_text(".notice.info", "Message sent").await;
    stack.wait_for_count("ria", "INBOX", 1).await;
    let source = stack.source_by_subject("ria", "INBOX", "formatted");
    let message = MessageParser::default().parse(source.as_bytes()).expect("a message");
    let types: Vec<String> = message
        .parts
        .iter()
        .map(|p| p.content_type().map(|t| format!("{}/{}", t.ctype(), t.subtype().unwrap_or(""))).unwrap_or_default())
        .collect();
    assert_eq!(
        types,
        ["multipart/alternative", "text/plain", "multipart/related", "text/html", "image/png"],
        "{source}"
    );
    let flowed = message.parts[1].content_type().unwrap();
    assert_eq!((flowed.attribute("format"), flowed.attribute("delsp")), (Some("flowed"), Some("yes")));
    let text = message.body_text(0).unwrap();
    for expected in [
        "Hello *bold* world",
        "- one\n- two",
        "our site <https://example.org/docs>",
        "日本語です",
        "*strong*",
        "*Docs bold",
        "[yubin-e2e-dot.png]",
    ] {
        assert!(text.contains(expected), "{expected:?} not in the text part:\n{text}");
    }
    let html = message.body_html(0).unwrap();
    let image = &message.parts[4];
    assert_eq!(image.contents(), PNG);
    let cid = image.content_id().expect("the picture's Content-ID");
    assert!(html.contains(&format!("src=\"cid:{cid}\"")), "{html}");
    assert!(html.contains("<b>bold</b>") && html.contains("<li>"), "{html}");
    assert!(matches!(message.parts[0].body, PartType::Multipart(_)));

    // The recipient answers formatted: the reply quotes the HTML, picture and all.
    let reader = Browser::start().await;
    reader.open_app().await;
    reader.sign_in("ria", "ria-pass").await;
    reader.wait_for_text("#identity-button", "ria@example.test").await;
    reader.click("#identity-button").await;
    // Formatted (a run before on this machine may have left it so: the settings roam).
    let checked = reader.find("#identity-formatted").await.prop("checked").await.unwrap();
    if checked.as_deref() != Some("true") {
        reader.click("#identity-formatted").await;
    }
    let signature = reader.find("#signature-rich[contenteditable='true']").await;
    signature.send_keys(&format!("Ria {CONTROL}b{RELEASE}Example{CONTROL}b{RELEASE}")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    reader.click("#identity-save").await;
    reader.wait_for_text(".message-row", "formatted").await;
    reader.click(".message-row").await;
    reader.find("#reply").await;
    reader.click("#reply").await;
    reader.find("#compose-rich[contenteditable='true']").await;
    let quoted = wait_for_editor(&reader, "the quote", |h| h.contains("<blockquote")).await;
    assert!(quoted.contains("<b>bold</b>") && quoted.contains("<img src=\"data:image/png;base64,"), "{quoted}");
    assert!(quoted.contains("wrote:"), "{quoted}");
    let at = |needle: &str| quoted.find(needle).unwrap_or_else(|| panic!("no {needle} in {quoted}"));
    assert!(at("<div>--") < at("<b>Example</b>") && at("<b>Example</b>") < at("<blockquote"), "{quoted}");
    reader.close().await;
    browser.close().await;
}

/// A message kept as a template (with its file) roams in the Templates folder; put into a new
/// message it brings its subject, text and file along. tess writes to herself.
#[tokio::test(flavor = "multi_thread")]
async fn a_template_is_kept_on_the_server_and_put_into_a_new_message() {
    let stack = MailStack::ensure();
    let browser = Browser::signed_in("tess").await;

    let subject = unique_subject("ご注文 order template");
    browser.click("#compose-button").await;
    browser.type_into("#compose-subject", &subject).await;
    browser.type_into("#compose-body", "ご注文ありがとうございます。\nThanks for your order.").await;
    let file = std::env::temp_dir().join("yubin-e2e-terms.txt");
    std::fs::write(&file, "Terms of sale\n").unwrap();
    browser.find("#compose-files").await.send_keys(&file.display().to_string()).await.expect("attach");
    browser.wait_for_text("#send-button", "Send").await;
    browser.click("#templates-button").await;
    browser.click("#save-template").await;
    browser.wait_for_text("#draft-status", "Kept as a template").await;
    assert!(stack.has_subject("tess", "Templates", "order template"));
    browser.click("#discard-button").await;

    browser.click("#compose-button").await;
    browser.type_into("#compose-to", "tess@example.test").await;
    browser.click("#templates-button").await;
    browser.wait_for_text("#templates .template", "order template").await.click().await.expect("pick the template");
    // The template is read from the server: its subject arrives after the click.
    assert_eq!(browser.wait_for_value("#compose-subject", &subject).await, subject);
    let body = browser.find("#compose-body").await.prop("value").await.unwrap().unwrap_or_default();
    assert!(body.starts_with("ご注文ありがとうございます。\nThanks for your order."), "{body}");
    browser.wait_for_text("#compose-attachments", "yubin-e2e-terms.txt").await;
    browser.click("#send-button").await;
    browser.wait_for_text(".notice.info", "Message sent").await;
    for _ in 0..100 {
        if stack.has_subject("tess", "INBOX", "order template") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let source = stack.source_by_subject("tess", "INBOX", "order template");
    let message = MessageParser::default().parse(source.as_bytes()).expect("the message arrived");
    assert_eq!(message.attachments().next().map(|a| a.contents()), Some(&b"Terms of sale\n"[..]), "{source}");
    assert!(stack.has_subject("tess", "Templates", "order template"), "the template stays");
    browser.close().await;
}
