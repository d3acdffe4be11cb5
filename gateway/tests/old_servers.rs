//! A server configured like the older ones people still run (Courier, old Cyrus and Dovecot
//! setups): no SPECIAL-USE, every folder under `INBOX.` with `.` as delimiter, no MOVE, no
//! METADATA — the stack's user `olga`, with folders named as Outlook names them. Roles come
//! from the folders' names, new folders go under the prefix, and nothing is lost: delete goes
//! to Trash, drafts and Sent copies are kept.

const FOLDERS: [(FolderRole, &str); 5] = [
    (FolderRole::Sent, "INBOX.Sent Items"),
    (FolderRole::Drafts, "INBOX.Draft"),
    (FolderRole::Trash, "INBOX.Deleted Items"),
    (FolderRole::Junk, "INBOX.Junk E-mail"),
    (FolderRole::Archive, "INBOX.Archives"),
];

use yubin_protocol::{Folder, FolderRole, OutgoingMessage, Request, Response};
use yubin_test_support::{unique_subject, MailStack, TestGateway, WsClient};

async fn olga() -> (TestGateway, WsClient) {
    let stack = MailStack::ensure();
    for (_, mailbox) in FOLDERS {
        stack.create_mailbox("olga", mailbox);
    }
    let gw = TestGateway::start(stack.gateway_config(std::path::Path::new("/nonexistent"))).await;
    let mut client = WsClient::connect(&gw).await;
    client.login("olga", "olga-pass").await.expect("login");
    (gw, client)
}

async fn folders(client: &mut WsClient) -> Vec<Folder> {
    match client.request(Request::ListFolders).await.expect("folders") {
        Response::Folders(folders) => folders,
        other => panic!("{other:?}"),
    }
}

fn with_role(folders: &[Folder], role: FolderRole) -> Option<&Folder> {
    folders.iter().find(|f| f.role == Some(role))
}

#[tokio::test]
async fn roles_by_name_folders_under_the_prefix_and_nothing_lost() {
    let stack = MailStack::ensure();
    let (_gw, mut client) = olga().await;
    let tree = folders(&mut client).await;
    for (role, id) in FOLDERS {
        let folder = with_role(&tree, role).unwrap_or_else(|| panic!("no {role:?} in {tree:?}"));
        assert_eq!(folder.id, id);
        assert!(folder.subscribed, "folders with a role are shown");
    }

    // A new folder goes under the personal namespace's prefix.
    let name = unique_subject("Projects").replace(' ', "-");
    client.request(Request::CreateFolder { name: name.clone() }).await.expect("create");
    let tree = folders(&mut client).await;
    assert!(tree.iter().any(|f| f.id == format!("INBOX.{name}")), "{tree:?}");

    // Drafts and the Sent copy land in the folders found by name.
    let Response::ComposeInfo(info) = client.request(Request::ComposeInfo).await.expect("info") else { panic!() };
    assert_eq!((info.drafts.as_deref(), info.sent.as_deref()), (Some("INBOX.Draft"), Some("INBOX.Sent Items")));
    let subject = unique_subject("old server");
    let message = OutgoingMessage {
        message_id: Some(format!("<{}@example.test>", subject.replace(' ', "-"))),
        to: vec!["olga@example.test".into()],
        subject: subject.clone(),
        text: "hello".into(),
        ..Default::default()
    };
    let Response::DraftSaved { folder, .. } =
        client.request(Request::SaveDraft { message: message.clone() }).await.expect("draft")
    else {
        panic!()
    };
    assert_eq!(folder, "INBOX.Draft");
    let Response::Sent(receipt) = client.request(Request::Send { message }).await.expect("send") else { panic!() };
    assert_eq!(receipt.saved_in.as_deref(), Some("INBOX.Sent Items"));
    assert!(stack.message_count("olga", "INBOX.Sent Items") >= 1, "the Sent copy is on the server");
}
