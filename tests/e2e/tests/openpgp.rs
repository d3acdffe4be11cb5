//! OpenPGP with GnuPG as the peer, in real Chromium: keys made by `gpg` imported into the
//! browser, a PGP/MIME message GnuPG encrypted and signed (its Japanese subject protected
//! inside) decrypted in the browser with the right passphrase and not with a wrong one, a
//! PGP/MIME signature found valid, and the same signature over altered text found bad;
//! cleartext-signed text checked; and mail written in the browser, encrypted and signed or
//! signed only, read and verified by gpg; the secret key exported from one browser profile
//! opens the message in another; keys announced in mail (Autocrypt) both ways.
//!
//! The gateway's log at TRACE (this file is a test binary of its own, so it installs the
//! global subscriber) never holds a word of what was encrypted in the browser.
//!
//! gwen is this test's alone.

use base64::Engine;
use mail_parser::MimeHeaders;
use yubin_e2e::Browser;
use yubin_test_support::gnupg::GpgHome;
use yubin_test_support::{unique_subject, MailStack};

const PASSPHRASE: &str = "correct horse battery";
const SENDER: &str = "Sato Hanako <hanako@example.jp>";

/// The text from the line starting `begin` to the end of the line starting `end`.
fn between<'a>(text: &'a str, begin: &str, end: &str) -> &'a str {
    let start = text.find(begin).unwrap_or_else(|| panic!("no {begin} in {text}"));
    let stop = start + text[start..].find(end).unwrap_or_else(|| panic!("no {end} in {text}")) + end.len();
    &text[start..stop]
}

/// The gateway's log, as written.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn gnupg_mail_is_decrypted_and_its_signatures_checked_in_the_browser() {
    let log = Captured::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_env_filter(yubin_gateway::log_filter("trace"))
        .with_writer(move || writer.clone())
        .init();
    let stack = MailStack::ensure();
    let home = GpgHome::new("peer");
    let recipient = stack.address("gwen");
    // GnuPG's default keys (Ed25519 and Curve25519): the recipient's under a passphrase, the
    // sender's without one.
    home.run(
        &["--passphrase", PASSPHRASE, "--quick-gen-key", &format!("Gwen <{recipient}>"), "default", "default", "never"],
        b"",
    );
    home.run(&["--passphrase", "", "--quick-gen-key", SENDER, "default", "default", "never"], b"");
    let secret = home.text(&["--passphrase", PASSPHRASE, "--armor", "--export-secret-keys", &recipient], b"");
    let sender_public = home.text(&["--armor", "--export", "hanako@example.jp"], b"");

    // Encrypted and signed, the real subject inside (protected headers), the outer one a stand-in.
    let tag = unique_subject("pgp");
    // With a file (named in RFC 2231's way), saved decrypted from the browser byte for byte.
    let pdf: Vec<u8> = b"%PDF-1.4\n".iter().copied().chain((0..=255u8).cycle().take(3000)).collect();
    let inner = format!(
        "Content-Type: multipart/mixed; boundary=\"inner\"; protected-headers=\"v1\"\r\n\
Subject: 秘密の打ち合わせ\r\n\r\n--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\r\n明日十時に会いましょう。\r\n--inner\r\n\
Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=UTF-8''%E8%A6%8B%E7%A9%8D.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--inner--\r\n",
        base64::engine::general_purpose::STANDARD
            .encode(&pdf)
            .as_bytes()
            .chunks(76)
            .map(|line| std::str::from_utf8(line).unwrap())
            .collect::<Vec<_>>()
            .join("\r\n")
    );
    let armored = home.text(
        &["--passphrase", "", "--armor", "--encrypt", "--sign", "-r", &recipient, "-u", "hanako@example.jp"],
        inner.as_bytes(),
    );
    let encrypted = format!(
        "From: {SENDER}\r\nTo: {recipient}\r\nSubject: ... {tag}\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"outer\"\r\n\r\n\
--outer\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n\
--outer\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\r\n{armored}\r\n--outer--\r\n"
    );
    stack.deliver("gwen", encrypted.as_bytes()).await;

    // Signed only, and the same again with its text altered on the way.
    let part = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
請求書をお送りします。金額は 10,000 円です。\r\n";
    let signature =
        home.text(&["--passphrase", "", "--armor", "--detach-sign", "-u", "hanako@example.jp"], part.as_bytes());
    let signed = |subject: &str, part: &str| {
        format!(
            "From: {SENDER}\r\nTo: {recipient}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/signed; micalg=pgp-sha512; protocol=\"application/pgp-signature\"; boundary=\"s\"\r\n\r\n\
--s\r\n{part}\r\n--s\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n{signature}\r\n--s--\r\n"
        )
    };
    let signed_tag = unique_subject("signed");
    let altered_tag = unique_subject("altered");
    stack.deliver("gwen", signed(&signed_tag, part).as_bytes()).await;
    stack.deliver("gwen", signed(&altered_tag, &part.replace("10,000", "90,000")).as_bytes()).await;

    // Cleartext-signed text in a plain message (gpg --clearsign): a dash-escaped line, and a
    // signature separator whose trailing space the signature does not cover.
    let clear = home.text(
        &["--passphrase", "", "--clearsign", "-u", "hanako@example.jp"],
        "お知らせです。\n- 箇条書き\n-- \n佐藤\n".as_bytes(),
    );
    let clear_tag = unique_subject("clearsigned");
    let clear_message = format!(
        "From: {SENDER}\r\nTo: {recipient}\r\nSubject: {clear_tag}\r\nMIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}",
        clear.replace('\n', "\r\n")
    );
    stack.deliver("gwen", clear_message.as_bytes()).await;

    let browser = Browser::signed_in("gwen").await;
    // The keys, as a GnuPG user brings them: pasted, armored.
    browser.click("#keys-button").await;
    browser.find("#no-keys").await;
    browser.set_value("#import-key-text", &format!("{secret}\n{sender_public}")).await;
    browser.click("#import-key-button:not([disabled])").await;
    browser.wait_for_text("#key-list", &recipient).await;
    browser.wait_for_text("#key-list", "hanako@example.jp").await;
    browser.click("#keys-dialog .dismiss").await;

    // Before the passphrase: ciphertext is not shown as the message.
    browser.wait_for_text(".message-row", &tag).await.click().await.unwrap();
    browser.find("#pgp-passphrase").await;
    let reader = browser.find("#reader").await.text().await.unwrap();
    assert!(!reader.contains("BEGIN PGP MESSAGE"), "{reader}");
    browser.type_into("#pgp-passphrase", "not the passphrase").await;
    browser.click("#pgp-decrypt").await;
    browser.wait_for_text("#pgp-error", "does not unlock").await;
    browser.type_into("#pgp-passphrase", PASSPHRASE).await;
    browser.click("#pgp-decrypt").await;
    browser.wait_for_text("#decrypted-body", "明日十時に会いましょう。").await;
    browser.wait_for_text("#protected-subject", "秘密の打ち合わせ").await;
    browser.wait_for_text("#pgp-signature.valid", "hanako@example.jp").await;
    browser.wait_for_text("#openpgp .attachments", "見積.pdf").await;
    browser.click("#openpgp .save-decrypted").await;
    assert_eq!(browser.downloaded("見積.pdf").await, pdf, "the decrypted file, byte for byte");
    // A reply to it is encrypted from the start, and quotes no ciphertext.
    browser.click("#reply").await;
    browser.find("#pgp-encrypt:checked").await;
    browser.wait_for_text("#pgp-ready", "every recipient").await;
    let body = browser.find("#compose-body").await.prop("value").await.unwrap().unwrap_or_default();
    assert!(body.contains("wrote:") && !body.contains("PGP MESSAGE"), "{body}");
    browser.click("#discard-button").await;

    browser.wait_for_text(".message-row", &signed_tag).await.click().await.unwrap();
    browser.wait_for_text("#pgp-signature.valid", "Sato Hanako").await;
    browser.wait_for_text("#reader", "10,000 円").await;
    browser.wait_for_text(".message-row", &altered_tag).await.click().await.unwrap();
    browser.wait_for_text("#pgp-signature.bad", "Bad signature").await;
    browser.wait_for_text(".message-row", &clear_tag).await.click().await.unwrap();
    browser.wait_for_text("#pgp-signature.valid", "Sato Hanako").await;

    // Keys survive a reload (IndexedDB, sealed), and the secret one exports under its passphrase.
    browser.client.refresh().await.unwrap();
    browser.find("#identity-button, #login-button:not([disabled])").await;
    if browser.client.find(fantoccini::Locator::Css("#login-button")).await.is_ok() {
        browser.sign_in("gwen", "gwen-pass").await;
    }
    browser.click("#keys-button").await;
    browser.wait_for_text("#key-list", &recipient).await;
    browser.click("#key-list .export-secret").await;
    let exported = browser.wait_for_value("#exported-key", "BEGIN PGP PRIVATE KEY BLOCK").await;
    let back = GpgHome::new("back");
    back.run(&["--passphrase", PASSPHRASE, "--import"], exported.as_bytes());
    browser.click("#keys-dialog .dismiss").await;

    // Written here, encrypted and signed (to gwen's own key, which gpg holds too), with a
    // Japanese subject and a binary file: gpg decrypts it, finds the signature good, and gets
    // the subject, the text and the file back exactly; nothing readable went outside.
    stack.empty_mailbox("gwen", "Sent");
    let secret_tag = unique_subject("暗号の件");
    browser.click("#compose-button").await;
    browser.type_into("#compose-subject", &secret_tag).await;
    browser.type_into("#compose-body", "中身は秘密です。\nmarker-plain-7731").await;
    // Saved in Drafts as written so far, to no one yet. Gwen imported her own key, so writing
    // to herself is encrypted by default: Encrypt ticks itself, and takes that copy back.
    browser.wait_for_text("#draft-status", "Draft saved").await;
    assert!(stack.has_subject("gwen", "Drafts", &secret_tag));
    browser.type_into("#compose-to", &recipient).await;
    browser.wait_for_text("#pgp-by-default", "every recipient").await;
    browser.find("#pgp-encrypt:checked").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while stack.has_subject("gwen", "Drafts", &secret_tag) {
        assert!(std::time::Instant::now() < deadline, "the plain draft stayed in Drafts");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    browser.click("#pgp-sign").await;
    browser.wait_for_text("#pgp-ready", "every recipient").await;
    let file = std::env::temp_dir().join("yubin-e2e-見積.bin");
    let file_bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    std::fs::write(&file, &file_bytes).unwrap();
    browser.find("#compose-files").await.send_keys(&file.display().to_string()).await.expect("attach");
    browser.wait_for_text("#compose-attachments", "見積").await;
    browser.type_into("#pgp-sign-passphrase", PASSPHRASE).await;
    browser.click("#send-button").await;
    stack.wait_for_count("gwen", "Sent", 1).await;
    let sent = stack.source_by_subject("gwen", "Sent", "...");
    assert!(sent.contains("multipart/encrypted"), "{sent}");
    assert!(!sent.contains("marker-plain") && !sent.contains("暗号"), "plaintext outside: {sent}");
    let armored = between(&sent, "-----BEGIN PGP MESSAGE-----", "-----END PGP MESSAGE-----");
    let (inner, said) = home.run_telling(&["--passphrase", PASSPHRASE, "--decrypt"], armored.as_bytes());
    assert!(said.contains("Good signature"), "{said}");
    let inner = mail_parser::MessageParser::default().parse(&inner).expect("a MIME entity inside");
    assert_eq!(inner.subject(), Some(secret_tag.as_str()), "the protected subject");
    assert!(inner.body_text(0).unwrap().contains("中身は秘密です。"));
    let attachment = inner.attachment(0).expect("the file inside");
    assert_eq!(attachment.attachment_name(), Some("yubin-e2e-見積.bin"));
    assert_eq!(attachment.contents(), &file_bytes[..], "the file byte for byte");

    // Signed only: gpg verifies the part exactly as it arrived.
    let signed_tag = unique_subject("署名だけ");
    browser.click("#compose-button").await;
    browser.type_into("#compose-to", &recipient).await;
    browser.find("#pgp-encrypt:checked").await;
    // A recipient without a key unticks what ticked itself; the user's own choice then stays.
    browser.type_into("#compose-to", &format!("{recipient}, nobody@example.test")).await;
    browser.find("#pgp-encrypt:not(:checked)").await;
    browser.type_into("#compose-to", &recipient).await;
    browser.find("#pgp-encrypt:checked").await;
    browser.click("#pgp-encrypt").await;
    browser.find("#pgp-encrypt:not(:checked)").await;
    browser.type_into("#compose-subject", &signed_tag).await;
    browser.type_into("#compose-body", "署名だけのメールです。\n-- \nGwen").await;
    browser.click("#pgp-sign").await;
    browser.type_into("#pgp-sign-passphrase", "not the passphrase").await;
    browser.click("#send-button").await;
    browser.wait_for_text("#send-error", "does not unlock").await;
    browser.type_into("#pgp-sign-passphrase", PASSPHRASE).await;
    browser.click("#send-button").await;
    stack.wait_for_count("gwen", "Sent", 2).await;
    let sent = stack.source_by_subject("gwen", "Sent", &signed_tag).replace("\r\n", "\n").replace('\n', "\r\n");
    let outer = mail_parser::MessageParser::default().parse(sent.as_bytes()).expect("the message");
    let boundary = outer.content_type().and_then(|t| t.attribute("boundary")).expect("a boundary").to_owned();
    let delimiter = format!("\r\n--{boundary}\r\n");
    let mut parts = sent.split(&delimiter).skip(1);
    let part = parts.next().expect("the signed part");
    let signature =
        between(parts.next().expect("the signature"), "-----BEGIN PGP SIGNATURE-----", "-----END PGP SIGNATURE-----");
    let dir = GpgHome::new("verify");
    let (part_file, signature_file) = (dir.path().join("part"), dir.path().join("part.asc"));
    std::fs::write(&part_file, part).unwrap();
    std::fs::write(&signature_file, signature).unwrap();
    let (_, said) =
        home.run_telling(&["--verify", &signature_file.display().to_string(), &part_file.display().to_string()], b"");
    assert!(said.contains("Good signature"), "{said}");

    // Mail sent from here announces gwen's key (Autocrypt), which GnuPG reads.
    let announced = outer.header_raw("Autocrypt").expect("an Autocrypt header");
    assert!(announced.contains(&format!("addr={recipient}; prefer-encrypt=mutual")), "{announced}");
    let keydata: String =
        announced.split("keydata=").nth(1).expect("keydata").split_ascii_whitespace().collect::<String>();
    let key = base64::engine::general_purpose::STANDARD.decode(keydata.trim_end_matches(';')).expect("base64");
    let reader = GpgHome::new("autocrypt");
    reader.run(&["--import"], &key);
    assert!(reader.text(&["--list-keys"], b"").contains(&recipient));

    // A new correspondent's key comes with their mail (Autocrypt): kept, shown as learned from
    // mail rather than confirmed, and enough to encrypt to them.
    const KENJI: &str = "Kenji <kenji@example.jp>";
    home.run(&["--passphrase", "", "--quick-gen-key", KENJI, "default", "default", "never"], b"");
    let keydata = base64::engine::general_purpose::STANDARD.encode(home.run(&["--export", "kenji@example.jp"], b""));
    let folded: Vec<&str> = keydata.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
    let kenji_part =
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nはじめまして。\r\n";
    let kenji_signature =
        home.text(&["--passphrase", "", "--armor", "--detach-sign", "-u", "kenji@example.jp"], kenji_part.as_bytes());
    let kenji_tag = unique_subject("autocrypt");
    let kenji_message = format!(
        "From: {KENJI}\r\nTo: {recipient}\r\nSubject: {kenji_tag}\r\n\
Autocrypt: addr=kenji@example.jp; prefer-encrypt=mutual; keydata=\r\n {}\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/signed; micalg=pgp-sha512; protocol=\"application/pgp-signature\"; boundary=\"k\"\r\n\r\n\
--k\r\n{kenji_part}\r\n--k\r\nContent-Type: application/pgp-signature\r\n\r\n{kenji_signature}\r\n--k--\r\n",
        folded.join("\r\n ")
    );
    stack.deliver("gwen", kenji_message.as_bytes()).await;
    // The key is kept as the message opens; its signature is checked at the same time, so it
    // may take a second opening to show as valid.
    let mut learned = false;
    for _ in 0..10 {
        browser.wait_for_text(".message-row", &signed_tag).await.click().await.unwrap();
        browser.wait_for_text(".message-row", &kenji_tag).await.click().await.unwrap();
        browser.wait_for_text("#reader", "はじめまして").await;
        let badge = browser.find("#pgp-signature:not(.checking)").await;
        if badge.attr("class").await.unwrap().unwrap_or_default().contains("learned") {
            learned = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    assert!(learned, "Kenji's key was not learned from his mail");
    browser.wait_for_text("#pgp-signature.valid.learned", "earlier mail").await;
    browser.click("#compose-button").await;
    browser.type_into("#compose-to", "kenji@example.jp, nobody@example.test").await;
    browser.type_into("#compose-subject", "x").await;
    browser.click("#pgp-encrypt").await;
    browser.wait_for_text("#pgp-missing-keys", "nobody@example.test").await;
    // Each recipient's state: a key from their mail, or none.
    browser.wait_for_text("#pgp-recipients .learned", "kenji@example.jp").await;
    browser.wait_for_text("#pgp-recipients .no-key", "nobody@example.test").await;
    browser.click("#send-button").await;
    browser.wait_for_text("#send-error", "No key to encrypt to for nobody@example.test").await;
    browser.type_into("#compose-to", "kenji@example.jp").await;
    browser.wait_for_text("#pgp-ready", "every recipient").await;

    // Encrypted to two, each reader is handed the other's key inside (Autocrypt gossip), in a
    // form GnuPG imports; the Sent copy opens with the sender's key as before.
    stack.empty_mailbox("gwen", "Sent");
    browser.type_into("#compose-to", &format!("kenji@example.jp, {recipient}")).await;
    browser.wait_for_text("#pgp-ready", "every recipient").await;
    browser.click("#send-button").await;
    stack.wait_for_count("gwen", "Sent", 1).await;
    let sent = stack.source_by_subject("gwen", "Sent", "...");
    let armored = between(&sent, "-----BEGIN PGP MESSAGE-----", "-----END PGP MESSAGE-----");
    let inner = home.text(&["--passphrase", PASSPHRASE, "--decrypt"], armored.as_bytes()).replace("\r\n ", " ");
    let gossip = |addr: &str| {
        let header = format!("Autocrypt-Gossip: addr={addr}; keydata=");
        let keydata = inner.split(&header).nth(1).unwrap_or_else(|| panic!("no gossip for {addr}: {inner}"));
        let keydata: String = keydata.lines().next().unwrap().split_ascii_whitespace().collect();
        base64::engine::general_purpose::STANDARD.decode(keydata).expect("base64")
    };
    let peer = GpgHome::new("gossip");
    peer.run(&["--import"], &gossip("kenji@example.jp"));
    peer.run(&["--import"], &gossip(&recipient));
    let listed = peer.text(&["--list-keys"], b"");
    assert!(listed.contains("kenji@example.jp") && listed.contains(&recipient), "{listed}");
    browser.close().await;

    // A second browser (a profile of its own): without the key the message says so; with the
    // secret key exported from the first browser imported, it opens here too.
    let second = Browser::signed_in("gwen").await;
    second.wait_for_text(".message-row", &tag).await.click().await.unwrap();
    second.type_into("#pgp-passphrase", PASSPHRASE).await;
    second.click("#pgp-decrypt").await;
    second.wait_for_text("#pgp-error", "not encrypted to a key in this browser").await;
    second.click("#keys-button").await;
    // A binary key file (`gpg --export`, no armor) is read as it is.
    let binary = std::env::temp_dir().join("yubin-e2e-hanako.gpg");
    std::fs::write(&binary, home.run(&["--export", "hanako@example.jp"], b"")).unwrap();
    second.find("#import-key-file").await.send_keys(&binary.display().to_string()).await.expect("choose the file");
    second.wait_for_text("#key-list", "hanako@example.jp").await;
    second.set_value("#import-key-text", &exported).await;
    second.click("#import-key-button:not([disabled])").await;
    second.wait_for_text("#key-list", &recipient).await;
    second.click("#keys-dialog .dismiss").await;
    second.type_into("#pgp-passphrase", PASSPHRASE).await;
    second.click("#pgp-decrypt").await;
    second.wait_for_text("#decrypted-body", "明日十時に会いましょう。").await;
    second.close().await;

    let log = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    assert!(log.contains("TRACE"), "the log was captured");
    for plaintext in ["marker-plain-7731", "中身は秘密", "明日十時に会いましょう", "秘密の打ち合わせ"]
    {
        assert!(!log.contains(plaintext), "the gateway's log holds {plaintext}");
    }
}

/// The fingerprint of `address`'s key in `home`, upper-case hex.
fn fingerprint_of(home: &GpgHome, address: &str) -> String {
    let listed = home.text(&["--with-colons", "--list-keys", address], b"");
    let line = listed.lines().find(|line| line.starts_with("fpr:")).unwrap_or_else(|| panic!("no key: {listed}"));
    line.split(':').nth(9).unwrap().to_owned()
}

/// Keys missing for recipients are looked up on the gateway's one keyserver (VKS over HTTPS,
/// answered from files by tests/mailstack/keyserver.py, as Hagrid is not in Debian), shown
/// with their fingerprint, and kept only when the user takes them: in the keys dialog by
/// fingerprint, in the composer for each recipient without a key. A keyserver's key that is
/// not for the address asked is never offered. ugo is this test's alone.
#[tokio::test(flavor = "multi_thread")]
async fn missing_keys_are_looked_up_on_the_allow_listed_keyserver() {
    let stack = MailStack::ensure();
    let home = GpgHome::new("keyserver");
    let (yuki, ren, mallory) = ("yuki.lookup@example.jp", "ren.lookup@example.jp", "mallory.lookup@example.jp");
    for address in [yuki, ren] {
        home.run(&["--passphrase", "", "--quick-gen-key", &format!("<{address}>"), "default", "default", "never"], b"");
    }
    let (yuki_fingerprint, ren_fingerprint) = (fingerprint_of(&home, yuki), fingerprint_of(&home, ren));
    stack.publish_key(yuki, &yuki_fingerprint, &home.text(&["--armor", "--export", yuki], b""));
    let ren_key = home.text(&["--armor", "--export", ren], b"");
    stack.publish_key(ren, &ren_fingerprint, &ren_key);
    // A keyserver that answers for an address with somebody else's key.
    std::fs::write(stack.keyserver_dir.join("by-email").join(mallory), &ren_key).unwrap();
    let grouped =
        |hex: &str| hex.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(" ");

    let browser = Browser::signed_in("ugo").await;
    browser.click("#keys-button").await;
    browser.find("#no-keys").await;
    // By fingerprint, spaced as people copy it: shown, not kept until taken.
    browser.type_into("#lookup-key-query", &grouped(&ren_fingerprint)).await;
    browser.click("#lookup-key-button:not([disabled])").await;
    browser.wait_for_text("#found-keys", ren).await;
    browser.find("#no-keys").await;
    browser.click("#found-keys .import-found").await;
    browser.wait_for_text("#key-list", ren).await;
    browser.type_into("#lookup-key-query", mallory).await;
    browser.click("#lookup-key-button:not([disabled])").await;
    browser.wait_for_text("#keys-status", &format!("has no key for {mallory}")).await;
    browser.type_into("#lookup-key-query", "nobody.lookup@example.jp").await;
    browser.click("#lookup-key-button:not([disabled])").await;
    browser.wait_for_text("#keys-status", "has no key for nobody.lookup@example.jp").await;
    browser.click("#keys-dialog .dismiss").await;

    // In the composer, for each recipient without a key.
    browser.click("#compose-button").await;
    browser.type_into("#compose-to", &format!("{yuki}, {mallory}, {ren}")).await;
    browser.type_into("#compose-subject", "x").await;
    browser.click("#pgp-encrypt").await;
    browser.wait_for_text("#pgp-missing-keys", yuki).await;
    browser.wait_for_text("#pgp-recipients .imported", ren).await;
    browser.click("#pgp-look-up").await;
    browser.wait_for_text("#pgp-found .key", &grouped(&yuki_fingerprint)).await;
    browser.wait_for_text("#pgp-found .nothing", mallory).await;
    browser.click("#pgp-found .pgp-use-key").await;
    browser.wait_for_text("#pgp-recipients .imported", yuki).await;
    browser.wait_for_text("#pgp-recipients .no-key", mallory).await;
    browser.click("#discard-button").await;
    browser.close().await;

    // The keyserver was asked on VKS's paths only, by what the user looked up.
    let asked = stack.keyserver_requests();
    assert!(asked.iter().all(|request| request.starts_with("/vks/v1/by-")), "{asked:?}");
    for expected in [format!("/vks/v1/by-fingerprint/{ren_fingerprint} 200"), format!("/vks/v1/by-email/{yuki} 200")] {
        assert!(asked.contains(&expected), "{expected} not in {asked:?}");
    }
}
