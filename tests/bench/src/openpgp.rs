//! OpenPGP in the browser: a 1 MB message GnuPG encrypted and signed, decrypted in Chromium —
//! from the click on "Decrypt" to its text on screen (the worker's decryption, the signature
//! check, the reading of the decrypted mail and the drawing) — against `gpg --decrypt` of the
//! same message in the same run. The worker's size is the `size` rows' (its module).

use std::time::{Duration, Instant};

use yubin_e2e::Browser;
use yubin_test_support::gnupg::GpgHome;
use yubin_test_support::{unique_subject, MailStack};

use crate::{median, ms, within, Row, RUNS};

const PASSPHRASE: &str = "bench passphrase";

/// Clicks "Decrypt" and resolves with the milliseconds until the decrypted text is on screen.
const DECRYPT: &str = r#"
    const done = arguments[arguments.length - 1];
    const start = performance.now();
    document.querySelector('#pgp-decrypt').click();
    (function check() {
        const body = document.querySelector('#decrypted-body');
        if (body && body.textContent.length > 0) requestAnimationFrame(() => done(performance.now() - start));
        else if (document.querySelector('#pgp-error')) done(-1);
        else requestAnimationFrame(check);
    })();"#;

/// About 1 MB of text, Japanese and Latin words in an order that does not repeat (GnuPG
/// compresses what it encrypts: a repeated line would shrink to nothing).
fn megabyte_of_text() -> String {
    const WORDS: &[&str] = &[
        "会議",
        "議事録",
        "来週",
        "火曜日",
        "予算",
        "見積書",
        "確認",
        "お願いします",
        "資料",
        "東京",
        "meeting",
        "minutes",
        "budget",
        "estimate",
        "Tuesday",
        "please",
        "review",
        "the",
        "attached",
        "numbers",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut text = String::with_capacity(1_050_000);
    let mut line = 0;
    while text.len() < 1_000_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        text.push_str(WORDS[(state % WORDS.len() as u64) as usize]);
        line += 1;
        text.push_str(if line % 12 == 0 { "\r\n" } else { " " });
    }
    text
}

pub async fn decrypt_one_megabyte(stack: &MailStack, user: &str) -> Vec<Row> {
    let home = GpgHome::new("bench");
    let address = stack.address(user);
    home.run(
        &["--passphrase", PASSPHRASE, "--quick-gen-key", &format!("Bench <{address}>"), "default", "default", "never"],
        b"",
    );
    let secret = home.text(&["--passphrase", PASSPHRASE, "--armor", "--export-secret-keys", &address], b"");
    let inner = format!(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}",
        megabyte_of_text()
    );
    let armored = home.text(
        &["--passphrase", PASSPHRASE, "--armor", "--encrypt", "--sign", "-r", &address, "-u", &address],
        inner.as_bytes(),
    );

    // gpg's own time for the same message: the process, the passphrase and the signature check.
    let mut baseline = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        home.run(&["--passphrase", PASSPHRASE, "--decrypt"], armored.as_bytes());
        baseline.push(start.elapsed().as_secs_f64() * 1000.0);
    }

    stack.empty_mailbox(user, "INBOX");
    let (big, small) = (unique_subject("1 MB encrypted"), unique_subject("plain"));
    let encrypted = format!(
        "From: {address}\r\nTo: {address}\r\nSubject: {big}\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"outer\"\r\n\r\n\
--outer\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n\
--outer\r\nContent-Type: application/octet-stream\r\n\r\n{armored}\r\n--outer--\r\n"
    );
    stack.deliver(user, encrypted.as_bytes()).await;
    let plain = format!("From: {address}\r\nTo: {address}\r\nSubject: {small}\r\n\r\nhello\r\n");
    stack.deliver(user, plain.as_bytes()).await;

    let browser = Browser::signed_in(user).await;
    browser.click("#keys-button").await;
    browser.set_value("#import-key-text", &secret).await;
    browser.click("#import-key-button:not([disabled])").await;
    browser.wait_for_text("#key-list", &address).await;
    browser.click("#keys-dialog .dismiss").await;
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        // Another message first, so the encrypted one opens afresh, its passphrase asked again.
        browser.wait_for_text(".message-row", &small).await.click().await.unwrap();
        browser.wait_for_text(".message-row", &big).await.click().await.unwrap();
        browser.set_value("#pgp-passphrase", PASSPHRASE).await;
        let took = within(Duration::from_secs(300), browser.client.execute_async(DECRYPT, vec![]))
            .await
            .expect("decrypted")
            .as_f64()
            .unwrap();
        assert!(took >= 0.0, "the browser could not decrypt it");
        runs.push(took);
    }
    browser.close().await;
    let first = runs[0];
    vec![Row::new(
        format!(
            "OpenPGP: a 1 MB message (encrypted and signed by GnuPG, compressed as it does: {:.2} MB armored) decrypted in Chromium, click → text on screen (first run {})",
            armored.len() as f64 / 1e6,
            ms(first)
        ),
        ms(median(runs)),
        format!("{} `gpg --decrypt` of the same message (a process, signature checked)", ms(median(baseline))),
        "",
    )
]
}
