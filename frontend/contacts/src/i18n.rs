//! The contacts module's words in English and Japanese, looked up like the app's own (the
//! mechanism is `yubin-i18n`'s); the app tells the module which language is on screen.

pub use yubin_i18n::Lang;

yubin_i18n::lookups!(CATALOG);

/// English → Japanese.
const CATALOG: yubin_i18n::Catalog = &[
    ("Close", "閉じる"),
    ("Contacts", "連絡先"),
    ("Search contacts", "連絡先を検索"),
    ("New contact", "新しい連絡先"),
    ("New group", "新しいグループ"),
    ("Import…", "インポート…"),
    ("Export", "エクスポート"),
    ("All contacts", "すべての連絡先"),
    ("New address book…", "新しいアドレス帳…"),
    ("Name of the new address book", "新しいアドレス帳の名前"),
    ("Make", "作成"),
    ("Address books and groups", "アドレス帳とグループ"),
    ("No contacts yet.", "連絡先はまだありません。"),
    ("No contact matches.", "一致する連絡先はありません。"),
    ("{count} more: search to narrow.", "ほかに {count} 件あります。検索で絞り込んでください。"),
    ("Birthday", "誕生日"),
    ("Groups", "グループ"),
    ("Edit", "編集"),
    ("Delete", "削除"),
    ("Delete {name}?", "{name} を削除しますか?"),
    ("Saved.", "保存しました。"),
    ("Deleted.", "削除しました。"),
    ("Group", "グループ"),
    ("Edit contact", "連絡先を編集"),
    ("Name", "名前"),
    ("Members", "メンバー"),
    ("Family name", "姓"),
    ("Given name", "名"),
    ("Family name reading", "姓（ふりがな）"),
    ("Given name reading", "名（ふりがな）"),
    ("Name shown (if not the above)", "表示名（上と異なる場合）"),
    ("Nickname", "ニックネーム"),
    ("E-mail", "メール"),
    ("Phone", "電話"),
    ("Kind", "種類"),
    ("Remove", "削除"),
    ("Add an address", "アドレスを追加"),
    ("Add a number", "番号を追加"),
    ("Organization", "会社・組織"),
    ("Title", "役職"),
    ("Birthday (YYYY-MM-DD)", "誕生日（YYYY-MM-DD）"),
    ("Groups (separated by commas)", "グループ（カンマ区切り）"),
    ("Note", "メモ"),
    ("Choose a photo…", "写真を選択…"),
    ("Remove the photo", "写真を削除"),
    ("Save", "保存"),
    ("Cancel", "キャンセル"),
    ("Changed elsewhere meanwhile", "ほかの場所で変更されました"),
    (
        "This contact was changed on the server while you were editing it. Nothing was overwritten: add your changes to the server's version, or keep the server's as it is.",
        "編集中にこの連絡先がサーバー上で変更されました。何も上書きされていません。あなたの変更をサーバー上の内容に加えるか、サーバー上の内容をそのまま残すかを選んでください。",
    ),
    ("Your version", "あなたの変更"),
    ("The server's version", "サーバー上の内容"),
    ("Add my changes to it", "自分の変更を加えて保存"),
    ("Keep the server's", "サーバー上の内容を残す"),
    ("Bringing contacts up to date…", "連絡先を同期しています…"),
    ("{done} of {total} contacts…", "{total} 件中 {done} 件…"),
    ("Home", "自宅"),
    ("Work", "勤務先"),
    ("Other", "その他"),
    ("Mobile", "携帯"),
    ("Fax", "FAX"),
    ("—", "—"),
    (
        "The contacts server cannot be reached now; what this browser keeps is shown.",
        "連絡先サーバーに接続できません。このブラウザーに保存されている内容を表示しています。",
    ),
    (
        "This contact was deleted elsewhere meanwhile. Save to keep it as a new contact.",
        "この連絡先はほかの場所で削除されました。保存すると新しい連絡先として残ります。",
    ),
    (
        "Not deleted: it was changed elsewhere meanwhile. Here is its newer version.",
        "削除していません。ほかの場所で変更されていました。新しい内容を表示しています。",
    ),
    (
        "Imported {stored} of {total} ({already} already there, {refused} not readable).",
        "{total} 件中 {stored} 件をインポートしました（既存 {already} 件、読み取れないもの {refused} 件）。",
    ),
    ("Give the contact a name or an address.", "名前かメールアドレスを入力してください。"),
    ("An address is not an e-mail address (name@example.org).", "メールアドレスの形式ではないものがあります（name@example.org）。"),
    ("That is not an image.", "画像ではありません。"),
    ("Choose a smaller photo (under 256 KB).", "256 KB 未満の写真を選んでください。"),
    ("The photo cannot be read.", "写真を読み込めません。"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_in_the_code_has_a_japanese_entry_with_the_same_placeholders() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let missing = yubin_i18n::untranslated(CATALOG, &[src]);
        assert!(missing.is_empty(), "no Japanese for:\n{}", missing.join("\n"));
    }
}
