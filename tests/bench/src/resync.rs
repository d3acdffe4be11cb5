//! Keeping an open list current after another client changed the folder: one incremental
//! resync (QRESYNC underneath) against listing the held rows again, and the folder list in one
//! LIST-STATUS round trip against LIST + a STATUS per folder.

use yubin_protocol::{MessagePage, Request, Response, SyncPoint, Uid};
use yubin_test_support::{MailStack, TestGateway, WsClient};

use crate::{median, ms, raw, timed, Row, RUNS};

/// Rows a browser holds after scrolling a while: 20 blocks of 50.
const HELD_BLOCKS: u32 = 20;
const BLOCK: u32 = 50;

async fn gateway_client(stack: &MailStack, user: &str) -> (TestGateway, WsClient) {
    let gateway = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gateway).await;
    client.login(user, &format!("{user}-pass")).await.expect("login");
    (gateway, client)
}

async fn list(client: &mut WsClient, offset: u32) -> MessagePage {
    let request = Request::ListMessages { folder: "INBOX".into(), offset, limit: BLOCK, sort: Default::default() };
    match client.request(request).await.expect("list") {
        Response::Messages(page) => page,
        other => panic!("unexpected {other:?}"),
    }
}

/// One flag changed by another client in a 100k folder, 1,000 rows held.
pub async fn refresh_after_change(stack: &MailStack, user: &str) -> Vec<Row> {
    let (_gateway, mut client) = gateway_client(stack, user).await;
    let mut pages = Vec::new();
    for block in 0..HELD_BLOCKS {
        pages.push(list(&mut client, block * BLOCK).await);
    }
    let held: Vec<Uid> = pages.iter().flat_map(|p| p.messages.iter().map(|m| m.uid)).collect();
    let mut since = SyncPoint {
        uid_validity: pages[0].uid_validity,
        modseq: pages.iter().map(|p| p.modseq).min().flatten(),
        newest: held.iter().copied().max().unwrap_or(0),
        uids: held.clone(),
    };
    // The messages other clients will flag start unflagged (earlier runs flagged them).
    let targets: Vec<Uid> = (0..RUNS).map(|run| held[run * 7 + 3]).collect();
    for uid in &targets {
        stack.remove_flag(user, "\\Flagged", *uid);
    }
    // The browser hears of that first, untimed.
    let request = Request::SyncMessages { folder: "INBOX".into(), since: since.clone() };
    let Ok(Response::Changes(changes)) = client.request(request).await else { panic!("sync failed") };
    since.modseq = changes.modseq;
    let mut raw_imap = raw::Imap::login(stack, user).await;
    raw_imap.command("ENABLE QRESYNC").await;
    raw_imap.select("INBOX").await;

    let (mut sync_ms, mut sync_bytes, mut relist_ms, mut relist_bytes, mut raw_ms) =
        (Vec::new(), 0, Vec::new(), 0, Vec::new());
    for target in &targets {
        // Another client flags a message: a different one each run, so each is a change.
        stack.add_flag(user, "\\Flagged", *target);
        let raw_since = since.modseq.expect("Dovecot has CONDSTORE");

        let request = Request::SyncMessages { folder: "INBOX".into(), since: since.clone() };
        let (took, response) = timed(client.request(request)).await;
        let Ok(Response::Changes(changes)) = response else { panic!("sync failed: {response:?}") };
        assert_eq!(changes.changed.len(), 1, "one flag changed, told once: {changes:?}");
        sync_ms.push(took);
        sync_bytes = serde_json::to_vec(&Response::Changes(changes.clone())).unwrap().len();
        since.modseq = changes.modseq;

        let (took, bytes) = timed(async {
            let mut bytes = 0;
            for block in 0..HELD_BLOCKS {
                bytes += serde_json::to_vec(&Response::Messages(list(&mut client, block * BLOCK).await)).unwrap().len();
            }
            bytes
        })
        .await;
        relist_ms.push(took);
        relist_bytes = bytes;

        let newest = since.newest;
        let command = format!("UID FETCH 1:{newest} (UID FLAGS) (CHANGEDSINCE {raw_since} VANISHED)");
        let (took, _) = timed(raw_imap.command(&command)).await;
        raw_ms.push(took);
    }
    raw_imap.logout().await;
    let raw = median(raw_ms);
    vec![
        Row::new(
            "Refresh after another client's change, 100k folder, 1,000 rows held: incremental resync",
            format!("{} ({} B on the WebSocket)", ms_fine(median(sync_ms)), sync_bytes),
            format!("{} raw `UID FETCH 1:n (FLAGS) (CHANGEDSINCE m VANISHED)`", ms_fine(raw)),
            "—",
        ),
        Row::new(
            "… the same by listing the 1,000 rows again",
            format!("{} ({} KB)", ms(median(relist_ms)), relist_bytes / 1024),
            format!("{} (the resync above's raw command)", ms_fine(raw)),
            "—",
        ),
    ]
}

/// The folder list of an account with `folders` folders.
pub async fn folder_list(stack: &MailStack, user: &str, folders: usize) -> Row {
    let (_gateway, mut client) = gateway_client(stack, user).await;
    let Response::Folders(existing) = client.request(Request::ListFolders).await.unwrap() else { panic!() };
    for n in existing.len()..folders {
        client.request(Request::CreateFolder { name: format!("Projects/p{n:03}") }).await.expect("create folder");
    }
    let mut raw_imap = raw::Imap::login(stack, user).await;
    let (mut yubin, mut one_trip, mut per_folder) = (Vec::new(), Vec::new(), Vec::new());
    let mut count = 0;
    for _ in 0..RUNS {
        let (took, response) = timed(client.request(Request::ListFolders)).await;
        let Ok(Response::Folders(list)) = response else { panic!("list folders") };
        count = list.len();
        yubin.push(took);
        let command = r#"LIST "" "*" RETURN (SUBSCRIBED SPECIAL-USE STATUS (MESSAGES UNSEEN))"#;
        one_trip.push(timed(raw_imap.command(command)).await.0);
        let (took, _) = timed(async {
            let (names, _) = raw_imap.command(r#"LIST "" "*""#).await;
            raw_imap.command(r#"LSUB "" "*""#).await;
            let selectable = names.iter().filter(|line| !line.to_ascii_lowercase().contains("\\noselect"));
            for name in selectable.filter_map(|line| line.trim_end().rsplit(' ').next()) {
                raw_imap.command(&format!("STATUS {name} (MESSAGES UNSEEN)")).await;
            }
        })
        .await;
        per_folder.push(took);
    }
    raw_imap.logout().await;
    Row::new(
        format!("Folder list with counts, {count} folders"),
        ms_fine(median(yubin)),
        format!(
            "{} raw LIST-STATUS; {} raw LIST + LSUB + STATUS per folder",
            ms_fine(median(one_trip)),
            ms_fine(median(per_folder))
        ),
        "—",
    )
}

/// Milliseconds with a decimal, for figures under 10 ms.
fn ms_fine(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.1} ms")
    } else {
        ms(value)
    }
}
