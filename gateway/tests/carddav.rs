//! Contacts through the gateway against a real CardDAV server (Radicale, HTTPS, the mail
//! stack's users): discovery, a new address book, cards written and read back with plain
//! WebDAV requests, sync by token, conflicts refused, imports that do not duplicate. cora and
//! cody are this file's own users.

use yubin_protocol::calls::{
    CreateAddressBook, DeleteContact, GetContacts, ImportContacts, ListAddressBooks, SaveContact, SyncAddressBook,
};
use yubin_protocol::{AddressBook, Contact, ErrorKind, Imported, Labelled};
use yubin_test_support::{unique_subject, MailStack, TestGateway, WsClient};

async fn signed_in(stack: &MailStack, user: &str) -> (TestGateway, WsClient) {
    let gateway = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gateway).await;
    let session = client.login_to("demo", user, &format!("{user}-pass")).await.expect("signed in");
    assert!(session.contacts, "the app is told this account has contacts");
    (gateway, client)
}

/// The user's book named `name`, made if it is not there yet.
async fn book_named(client: &mut WsClient, name: &str) -> AddressBook {
    let books = client.call(ListAddressBooks {}).await.expect("books listed");
    if let Some(book) = books.into_iter().find(|b| b.name == name) {
        return book;
    }
    let made = client.call(CreateAddressBook { name: name.into() }).await.expect("book made");
    let books = client.call(ListAddressBooks {}).await.unwrap();
    assert!(books.iter().any(|b| b.href == made[0].href && b.name == name && b.syncs), "{books:?}");
    made.into_iter().next().unwrap()
}

#[tokio::test]
async fn contacts_are_written_read_synced_and_never_overwritten() {
    let stack = MailStack::ensure();
    let (_gateway, mut client) = signed_in(stack, "cora").await;
    let book = book_named(&mut client, &unique_subject("Contacts")).await;
    let first = client.call(SyncAddressBook { book: book.href.clone(), token: None }).await.unwrap();
    assert!(first.complete && first.changed.is_empty() && first.token.is_some(), "{first:?}");

    // A contact made in the app is on the server, as a vCard another app reads.
    let contact = Contact {
        family: "山田".into(),
        given: "花子".into(),
        phonetic_family: "やまだ".into(),
        phonetic_given: "はなこ".into(),
        emails: vec![Labelled { label: "work".into(), value: "hanako@example.jp".into() }],
        categories: vec!["友達".into()],
        ..Default::default()
    };
    let request = SaveContact {
        book: book.href.clone(),
        href: None,
        etag: None,
        contact: Box::new(contact.clone()),
        vcard: None,
    };
    let saved = client.call(request).await.expect("stored").remove(0);
    assert!(saved.href.starts_with(&book.href) && !saved.etag.is_empty(), "{saved:?}");
    assert_eq!(saved.contact.full_name, "山田 花子");
    let on_server = stack.dav("cora", "GET", &saved.href, &[], "").await;
    assert_eq!(on_server.status, 200, "{on_server:?}");
    for line in
        ["N:山田;花子;;;", "X-PHONETIC-LAST-NAME:やまだ", "EMAIL;TYPE=work:hanako@example.jp", "CATEGORIES:友達"]
    {
        assert!(on_server.body.contains(line), "{line} in {}", on_server.body);
    }

    // A contact made by another app appears at the next sync, and only it.
    let other = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:other-1\r\nFN:John Smith\r\nN:Smith;John;;;\r\nEMAIL:john@example.org\r\nADR:;;1 Main St;Springfield;;;\r\nEND:VCARD\r\n";
    let href = format!("{}other-1.vcf", book.href);
    let put = stack.dav("cora", "PUT", &href, &[("Content-Type", "text/vcard")], other).await;
    assert!(put.status == 201 || put.status == 204, "{put:?}");
    let changes = client.call(SyncAddressBook { book: book.href.clone(), token: first.token.clone() }).await.unwrap();
    assert!(!changes.complete, "{changes:?}");
    let changed: Vec<&str> = changes.changed.iter().map(|c| c.href.as_str()).collect();
    assert!(changed.contains(&href.as_str()) && changed.contains(&saved.href.as_str()), "{changes:?}");
    let fetched = client.call(GetContacts { book: book.href.clone(), hrefs: vec![href.clone()] }).await.unwrap();
    assert_eq!(fetched[0].contact.display_name(), "John Smith");

    // Edited in the app over the version it read: what the app does not edit (the address) stays.
    let mut edited = fetched[0].clone();
    edited.contact.phones.push(Labelled { label: "cell".into(), value: "+1 555 0100".into() });
    let request = SaveContact {
        book: book.href.clone(),
        href: Some(edited.href.clone()),
        etag: Some(edited.etag.clone()),
        contact: Box::new(edited.contact.clone()),
        vcard: Some(edited.vcard.clone()),
    };
    let stored = client.call(request.clone()).await.expect("stored over its version").remove(0);
    let on_server = stack.dav("cora", "GET", &href, &[], "").await.body;
    assert!(on_server.contains("ADR:;;1 Main St;Springfield;;;") && on_server.contains("+1 555 0100"), "{on_server}");

    // Changed on the server meanwhile: the app's change is refused as a conflict, nothing lost.
    let theirs = on_server.replace("John Smith", "Johnny Smith");
    stack.dav("cora", "PUT", &href, &[("Content-Type", "text/vcard")], &theirs).await;
    let mut stale = request;
    stale.etag = Some(stored.etag.clone());
    stale.contact.note = "mine".into();
    let refused = client.call(stale).await.expect_err("a conflict");
    assert_eq!(refused.kind, ErrorKind::Conflict, "{refused:?}");
    assert!(stack.dav("cora", "GET", &href, &[], "").await.body.contains("Johnny Smith"), "theirs kept");
    let delete = DeleteContact { book: book.href.clone(), href: href.clone(), etag: stored.etag.clone() };
    assert_eq!(client.call(delete).await.expect_err("stale").kind, ErrorKind::Conflict);

    // Deleted over the right version; the next sync says it is gone.
    let current = client.call(GetContacts { book: book.href.clone(), hrefs: vec![href.clone()] }).await.unwrap();
    let delete = DeleteContact { book: book.href.clone(), href: href.clone(), etag: current[0].etag.clone() };
    client.call(delete).await.expect("deleted");
    assert_eq!(stack.dav("cora", "GET", &href, &[], "").await.status, 404);
    let changes = client.call(SyncAddressBook { book: book.href.clone(), token: changes.token }).await.unwrap();
    assert!(changes.removed.contains(&href), "{changes:?}");

    // A token the server does not know gives the whole book again.
    let again = client
        .call(SyncAddressBook { book: book.href.clone(), token: Some("http://radicale.org/ns/sync/nonsense".into()) })
        .await
        .unwrap();
    assert!(again.complete && again.changed.len() == 1, "{again:?}");
}

#[tokio::test]
async fn an_import_stores_cards_as_they_are_and_a_second_run_adds_nothing() {
    let stack = MailStack::ensure();
    let (_gateway, mut client) = signed_in(stack, "cody").await;
    let book = book_named(&mut client, &unique_subject("Imported")).await;
    let with_uid = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:imp-1\r\nFN:佐藤 一郎\r\nN:佐藤;一郎;;;\r\nX-PHONETIC-LAST-NAME:さとう\r\nEMAIL;TYPE=INTERNET:ichiro@example.jp\r\nEND:VCARD\r\n";
    let without_uid = "BEGIN:VCARD\nVERSION:3.0\nFN:No Uid\nEMAIL:nouid@example.org\nEND:VCARD\n";
    let cards = vec![with_uid.to_owned(), without_uid.to_owned(), "not a card".to_owned()];
    let outcomes = client.call(ImportContacts { book: book.href.clone(), cards: cards.clone() }).await.unwrap();
    let [Imported::Stored(first), Imported::Stored(second), Imported::Refused { .. }] = outcomes.as_slice() else {
        panic!("{outcomes:?}")
    };
    assert_eq!(first.contact.phonetic_family, "さとう");
    // Stored as it was (Radicale orders the lines its own way).
    let stored = stack.dav("cody", "GET", &first.href, &[], "").await.body;
    let lines = |text: &str| {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines.sort();
        lines
    };
    assert_eq!(lines(&stored), lines(with_uid));
    assert!(!second.contact.uid.is_empty());
    let again = client.call(ImportContacts { book: book.href.clone(), cards }).await.unwrap();
    assert!(
        matches!(again[0], Imported::AlreadyThere { .. }) && matches!(again[1], Imported::AlreadyThere { .. }),
        "{again:?}"
    );
    let all = client.call(SyncAddressBook { book: book.href.clone(), token: None }).await.unwrap();
    assert_eq!(all.changed.len(), 2, "{all:?}");

    // Nothing outside the user's server paths.
    let outside = GetContacts { book: "https://evil.example/".into(), hrefs: vec![] };
    assert_eq!(client.call(outside).await.expect_err("refused").kind, ErrorKind::BadRequest);
    let other_book = GetContacts { book: book.href.clone(), hrefs: vec!["/cora@example.test/x.vcf".into()] };
    assert_eq!(client.call(other_book).await.expect_err("refused").kind, ErrorKind::BadRequest);
}

#[tokio::test]
async fn an_account_without_carddav_has_no_contacts() {
    let stack = MailStack::ensure();
    let gateway = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gateway).await;
    let session = client.login_to("demo-pop3", "cody", "cody-pass").await.expect("signed in");
    assert!(!session.contacts);
    assert_eq!(client.call(ListAddressBooks {}).await.expect_err("none").kind, ErrorKind::BadRequest);
}

/// A scripted HTTP server for what a real CardDAV server will not do: it records each request
/// line and answers with `reply(request line)`, closing the connection after each answer.
async fn hostile_server(reply: fn(&str) -> Vec<u8>) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = heard.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(n) if n > 0 => request.extend_from_slice(&buf[..n]),
                        _ => return,
                    }
                }
                let line = String::from_utf8_lossy(&request).lines().next().unwrap_or_default().to_owned();
                log.lock().unwrap().push(line.clone());
                let _ = socket.write_all(&reply(&line)).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (port, heard)
}

fn hostile_client(port: u16) -> yubin_gateway::upstream::carddav::Client {
    let config = yubin_gateway::config::CardDavConfig {
        url: format!("http://127.0.0.1:{port}/"),
        ca_file: None,
        tls_name: None,
        allow_plaintext_password: true,
    };
    let upstream = yubin_gateway::upstream::carddav::CardDavUpstream::new(&config).unwrap();
    let proof = yubin_gateway::upstream::sasl::Proof::Password(yubin_protocol::Secret("pass".into()));
    upstream.client("user", &proof).unwrap()
}

#[tokio::test]
async fn a_server_that_redirects_elsewhere_is_not_followed_and_a_flood_is_cut() {
    // Discovery redirected to another host (a cloud metadata address): the gateway never
    // connects there, and goes on with the configured host alone.
    let (port, heard) = hostile_server(|line| {
        if line.contains("/.well-known/carddav") {
            b"HTTP/1.1 301 Moved\r\nLocation: http://169.254.169.254/latest/meta-data/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
        } else {
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
        }
    })
    .await;
    let refused = hostile_client(port).address_books("/").await.expect_err("no books there");
    assert_ne!(refused.kind, ErrorKind::Internal, "{refused:?}");
    let heard = heard.lock().unwrap().clone();
    assert!(heard.iter().all(|line| !line.contains("169.254") && !line.contains("meta-data")), "{heard:?}");
    assert!(heard.iter().any(|line| line.starts_with("PROPFIND /")), "went on with the configured host: {heard:?}");

    // A reply that never ends is cut at the gateway's cap, in bounded time and memory.
    let (port, _) = hostile_server(|_| {
        let mut reply =
            b"HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nContent-Length: 200000000\r\n\r\n".to_vec();
        reply.extend(std::iter::repeat_n(b'x', 40 << 20));
        reply
    })
    .await;
    let started = std::time::Instant::now();
    let cut = hostile_client(port).sync("/book/", None).await.err().expect("cut");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{cut:?}");
}
