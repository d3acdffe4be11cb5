//! Japanese mail as it arrives in the wild, in real Chromium: encoded-words split inside a
//! character, a UTF-8 body labelled ISO-2022-JP, an RFC 2231 file name split inside a
//! character, a file name with a right-to-left override — all read right, and no line of the
//! list or the reader cuts off the bottom of Japanese glyphs.
//!
//! mai is this test's alone.

use base64::Engine;
use yubin_e2e::Browser;
use yubin_test_support::{unique_subject, MailStack};

/// For every element matching one of `selectors` that holds text, whether its text's glyph box
/// (the font's ascent and descent) reaches outside the element, which clips it.
const CLIPPED_TEXT: &str = r#"
const clipped = [];
for (const el of document.querySelectorAll(arguments[0])) {
  if (!el.textContent.trim()) continue;
  const range = document.createRange();
  range.selectNodeContents(el);
  const text = range.getBoundingClientRect(), box = el.getBoundingClientRect();
  if (text.height && (text.bottom > box.bottom + 0.5 || text.top < box.top - 0.5)) {
    clipped.push(`${el.className}: text ${text.top.toFixed(1)}–${text.bottom.toFixed(1)}, box ${box.top.toFixed(1)}–${box.bottom.toFixed(1)}`);
  }
}
return clipped;
"#;

#[tokio::test(flavor = "multi_thread")]
async fn japanese_mail_in_the_wild_reads_right_and_is_not_clipped() {
    let stack = MailStack::ensure();
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let tag = unique_subject("件");
    let subject = format!("打ち合わせの{tag}");
    let (s, name) = (subject.as_bytes(), "山田太郎".as_bytes());
    let raw = format!(
        "From: =?UTF-8?B?{}?= =?UTF-8?B?{}?= <yamada@example.jp>\r\n\
To: mai@example.test\r\n\
Subject: =?UTF-8?B?{}?=\r\n =?UTF-8?B?{}?=\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n\
--m\r\nContent-Type: text/plain; charset=iso-2022-jp\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
お世話になっております。資料をお送りします。\r\n\
--m\r\nContent-Type: application/pdf\r\n\
Content-Disposition: attachment; filename*0*=UTF-8''%E8%AB; filename*1*=%8B%E6%B1%82%E6%9B%B8.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n\
--m\r\nContent-Type: application/octet-stream\r\n\
Content-Disposition: attachment; filename=\"invoice\u{202E}fdp.exe\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nTVo=\r\n--m--\r\n",
        b64(&name[..4]),
        b64(&name[4..]),
        b64(&s[..5]),
        b64(&s[5..]),
    );
    stack.deliver("mai", raw.as_bytes()).await;

    let browser = Browser::start().await;
    browser.open_app().await;
    browser.sign_in("mai", "mai-pass").await;
    let row = browser.wait_for_text(".message-row", &tag).await;
    let row_text = row.text().await.unwrap();
    assert!(row_text.contains(&subject) && row_text.contains("山田太郎"), "{row_text:?}");
    assert!(!row_text.contains('\u{FFFD}'), "{row_text:?}");
    let clipped = browser.client.execute(CLIPPED_TEXT, vec![".message-row > *, .folder .label".into()]).await.unwrap();
    assert_eq!(clipped, serde_json::json!([]), "list lines cut off Japanese glyphs");

    row.click().await.unwrap();
    browser.wait_for_text("#reader .message .subject", &subject).await;
    browser.wait_for_text("#reader", "お世話になっております。資料をお送りします。").await;
    browser.wait_for_text("#reader .attachment", "請求書.pdf").await;
    // The override is shown, not obeyed, and the name is isolated from the size beside it.
    let spoof = browser.wait_for_text("#reader .attachment", "[U+202E]").await;
    assert!(spoof.text().await.unwrap().contains("invoice[U+202E]fdp.exe"));
    let isolated = browser.client.execute(
        "return [...document.querySelectorAll('#reader .attachment')].every(b => b.querySelector('bdi.name'))",
        vec![],
    );
    assert_eq!(isolated.await.unwrap(), serde_json::json!(true));
    let reader_text = browser.find("#reader").await.text().await.unwrap();
    assert!(!reader_text.contains('\u{FFFD}') && !reader_text.contains('\u{202E}'), "{reader_text}");
    let clipped = browser
        .client
        .execute(CLIPPED_TEXT, vec!["#reader .subject, #reader .attachment .name, #reader .from".into()])
        .await
        .unwrap();
    assert_eq!(clipped, serde_json::json!([]), "reader lines cut off Japanese glyphs");
    browser.close().await;
}
