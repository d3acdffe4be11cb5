//! Which folder is Sent, Drafts, Trash, Junk, Archive.
//!
//! The server says so with SPECIAL-USE attributes (RFC 6154) where it has them. Many servers
//! do not (Courier, older Cyrus and Dovecot setups, ISPs): without a fallback, Delete would
//! expunge for good, and no Sent copy or server draft would be kept. So a role no folder claims
//! goes to a top-level folder (directly under the personal namespace's prefix, such as
//! `INBOX.` on Courier) with a name other mail clients give that role, in the languages our
//! users write.

use yubin_protocol::{Folder, FolderRole, RoleChoice};

/// Well-known names by role, compared without case. The first folder found (in the server's
/// order) of the first name that matches wins.
const WELL_KNOWN: &[(FolderRole, &[&str])] = &[
    (
        FolderRole::Sent,
        &[
            "Sent",
            "Sent Items",
            "Sent Messages",
            "Sent Mail",
            "送信済み",
            "送信済みメール",
            "送信済みアイテム",
            "送信箱",
            "Gesendet",
            "Gesendete Objekte",
            "Gesendete Elemente",
            "Envoyés",
            "Éléments envoyés",
            "Enviados",
            "Elementos enviados",
            "Posta inviata",
            "Inviati",
            "Verzonden",
            "Verzonden items",
            "已发送",
            "寄件備份",
        ],
    ),
    (
        FolderRole::Drafts,
        &["Drafts", "Draft", "下書き", "Entwürfe", "Brouillons", "Borradores", "Bozze", "Concepten", "草稿"],
    ),
    (
        FolderRole::Trash,
        &[
            "Trash",
            "Deleted Items",
            "Deleted Messages",
            "Deleted",
            "Bin",
            "ゴミ箱",
            "ごみ箱",
            "削除済み",
            "削除済みアイテム",
            "Papierkorb",
            "Gelöschte Objekte",
            "Gelöschte Elemente",
            "Corbeille",
            "Éléments supprimés",
            "Papelera",
            "Elementos eliminados",
            "Cestino",
            "Prullenbak",
            "已删除",
            "垃圾桶",
        ],
    ),
    (
        FolderRole::Junk,
        &[
            "Junk",
            "Spam",
            "Junk E-mail",
            "Junk Email",
            "Junk Mail",
            "Bulk Mail",
            "迷惑メール",
            "Junk-E-Mail",
            "Courrier indésirable",
            "Indésirables",
            "Correo no deseado",
            "Posta indesiderata",
            "Ongewenste e-mail",
            "垃圾邮件",
        ],
    ),
    (FolderRole::Archive, &["Archive", "Archives", "アーカイブ", "Archiv", "Archivo", "Archivio", "Archief", "归档"]),
];

/// The personal namespace's prefix, as far as LIST shows it: `INBOX.` (or `INBOX/`) when every
/// other folder lives under the inbox (Courier, Cyrus with `altnamespace: no`), else none.
/// (async-imap cannot parse a NAMESPACE reply; the tree tells the same for these servers.)
pub fn personal_prefix(folders: &[Folder]) -> String {
    let Some(inbox) = folders.iter().find(|f| f.id.eq_ignore_ascii_case("INBOX")) else { return String::new() };
    let Some(delimiter) = inbox.delimiter.as_deref().filter(|d| !d.is_empty()) else { return String::new() };
    let prefix = format!("{}{delimiter}", inbox.id);
    let others: Vec<&Folder> = folders.iter().filter(|f| !f.id.eq_ignore_ascii_case("INBOX")).collect();
    if !others.is_empty() && others.iter().all(|f| f.id.starts_with(&prefix)) {
        prefix
    } else {
        String::new()
    }
}

/// Gives each folder its role: the user's choice first, then what the server marks, then a
/// well-known name ([`assign_by_name`]).
pub fn assign(folders: &mut [Folder], chosen: &[RoleChoice]) {
    for choice in chosen {
        // A choice of a folder that is gone (renamed, deleted elsewhere) is ignored.
        let Some(index) = folders.iter().position(|f| f.id == choice.folder && f.selectable) else { continue };
        for folder in folders.iter_mut().filter(|f| f.role == Some(choice.role)) {
            folder.role = None;
        }
        folders[index].role = Some(choice.role);
    }
    assign_by_name(folders);
}

/// Gives each role no folder claims to a top-level folder with a well-known name for it.
pub fn assign_by_name(folders: &mut [Folder]) {
    let prefix = personal_prefix(folders);
    for (role, names) in WELL_KNOWN {
        if folders.iter().any(|f| f.role == Some(*role)) {
            continue;
        }
        let found = names.iter().find_map(|wanted| {
            folders.iter().position(|f| {
                f.role.is_none()
                    && f.selectable
                    && top_level_name(f, &prefix).is_some_and(|name| name.to_lowercase() == wanted.to_lowercase())
            })
        });
        if let Some(index) = found {
            folders[index].role = Some(*role);
        }
    }
    // A folder with a role is shown whether subscribed or not (Cyrus creates them unsubscribed).
    for folder in folders.iter_mut().filter(|f| f.role.is_some()) {
        folder.subscribed = true;
    }
}

/// The folder's name below `prefix` when it is directly below it (not in a subfolder).
fn top_level_name<'f>(folder: &'f Folder, prefix: &str) -> Option<&'f str> {
    let display_prefix = super::mutf7::decode(prefix);
    let name = folder.name.strip_prefix(display_prefix.as_str())?;
    let nested = folder.delimiter.as_deref().is_some_and(|d| !d.is_empty() && name.contains(d));
    (!nested && !name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_users_choice_wins_and_a_gone_folder_is_ignored() {
        let mut folders = vec![
            folder("INBOX", ".", Some(FolderRole::Inbox)),
            folder("INBOX.Sent", ".", Some(FolderRole::Sent)),
            folder("INBOX.Gesendet", ".", None),
            folder("INBOX.Trash", ".", None),
        ];
        let chosen = [
            RoleChoice { role: FolderRole::Sent, folder: "INBOX.Gesendet".into() },
            RoleChoice { role: FolderRole::Archive, folder: "INBOX.Gone".into() },
        ];
        assign(&mut folders, &chosen);
        let role_of = |id: &str| folders.iter().find(|f| f.id == id).and_then(|f| f.role);
        assert_eq!(role_of("INBOX.Gesendet"), Some(FolderRole::Sent));
        assert_eq!(role_of("INBOX.Sent"), None, "one folder per role");
        assert_eq!(role_of("INBOX.Trash"), Some(FolderRole::Trash), "the others still by name");
        assert!(folders.iter().all(|f| f.role != Some(FolderRole::Archive)));
    }

    fn folder(id: &str, delimiter: &str, role: Option<FolderRole>) -> Folder {
        Folder {
            id: id.into(),
            name: crate::upstream::mutf7::decode(id),
            delimiter: Some(delimiter.into()),
            role,
            subscribed: false,
            selectable: true,
            total: None,
            unread: None,
        }
    }

    fn roles(folders: &[Folder]) -> Vec<(String, Option<FolderRole>)> {
        folders.iter().map(|f| (f.id.clone(), f.role)).collect()
    }

    #[test]
    fn courier_style_tree_gets_its_roles_under_the_inbox_prefix() {
        let mut folders: Vec<Folder> = ["INBOX", "INBOX.Sent", "INBOX.Drafts", "INBOX.Trash", "INBOX.Projects.Trash"]
            .into_iter()
            .map(|id| folder(id, ".", (id == "INBOX").then_some(FolderRole::Inbox)))
            .collect();
        assert_eq!(personal_prefix(&folders), "INBOX.");
        assign_by_name(&mut folders);
        assert_eq!(
            roles(&folders),
            [
                ("INBOX".into(), Some(FolderRole::Inbox)),
                ("INBOX.Sent".into(), Some(FolderRole::Sent)),
                ("INBOX.Drafts".into(), Some(FolderRole::Drafts)),
                ("INBOX.Trash".into(), Some(FolderRole::Trash)),
                ("INBOX.Projects.Trash".into(), None),
            ]
        );
        assert!(folders[1].subscribed, "folders with a role are shown");
    }

    #[test]
    fn special_use_wins_and_other_languages_are_known() {
        let mut folders = vec![
            folder("INBOX", "/", Some(FolderRole::Inbox)),
            folder("Trash", "/", None),
            folder("Papierkorb", "/", Some(FolderRole::Trash)),
            folder("&kAFP4W4IMH8w4TD8MOs-", "/", None), // 送信済みメール
            folder("&j,dg0TDhMPww6w-", "/", None),      // 迷惑メール
            folder("Deleted Items", "/", None),
        ];
        assign_by_name(&mut folders);
        assert_eq!(folders[1].role, None, "the server's SPECIAL-USE Trash is Papierkorb");
        assert_eq!(folders[3].role, Some(FolderRole::Sent), "{}", folders[3].name);
        assert_eq!(folders[4].role, Some(FolderRole::Junk), "{}", folders[4].name);
        assert_eq!(folders[5].role, None);
        assert_eq!(personal_prefix(&folders), "");
    }
}
