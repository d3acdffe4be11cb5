//! The filters module's words in English and Japanese, looked up like the app's own (the
//! mechanism is `yubin-i18n`'s); the app tells the module which language is on screen.

pub use yubin_i18n::Lang;

/// `en` in `lang`.
pub fn tr(lang: Lang, en: &'static str) -> &'static str {
    yubin_i18n::translate(CATALOG, lang, en)
}

/// `en` in `lang`, with each `{name}` replaced by its value.
pub fn trf(lang: Lang, en: &'static str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    yubin_i18n::fill(tr(lang, en), values)
}

/// English → Japanese.
const CATALOG: yubin_i18n::Catalog = &[
    ("Close", "閉じる"),
    ("Delete", "削除"),
    ("Save", "保存"),
    ("Cancel", "キャンセル"),
    ("Not connected to the gateway.", "ゲートウェイに接続されていません。"),
    ("From", "差出人"),
    ("To", "宛先"),
    ("Cc", "Cc"),
    ("Subject", "件名"),
    ("Reply", "返信"),
    ("Star", "スターを付ける"),
    ("Filters", "フィルタ"),
    ("Rules", "ルール"),
    ("Vacation reply", "不在時の自動返信"),
    ("Loading filters…", "フィルタを読み込み中…"),
    ("New rule", "新しいルール"),
    ("Edit", "編集"),
    ("Edit as Sieve script", "Sieve スクリプトとして編集"),
    ("Drag, or Alt+↑/↓, to change the order: the first rule that stops wins.", "ドラッグまたは Alt+↑/↓ で順序を変更できます。「ここで終了」のある最初のルールが優先されます。"),
    ("Rule on", "ルールを有効にする"),
    ("(no name)", "（名前なし）"),
    ("Move up", "上へ"),
    ("Move down", "下へ"),
    ("Check", "検査"),
    ("Save script", "スクリプトを保存"),
    ("Use Yubin's rules instead", "代わりに Yubin のルールを使う"),
    ("Back to the rules", "ルールに戻る"),
    ("Saved on the server.", "サーバーに保存しました。"),
    ("The server found no errors.", "サーバーはエラーを見つけませんでした。"),
    ("The server warns: {text}", "サーバーからの警告: {text}"),
    ("The server refused it: {text}", "サーバーに拒否されました: {text}"),
    ("This mail server's filters cannot do that (it lacks the Sieve extensions {names}).", "このメールサーバーのフィルタではできません（Sieve 拡張 {names} がありません）。"),
    ("The filters could not be loaded: {text}", "フィルタを読み込めませんでした: {text}"),
    ("This account's server has no filters (no ManageSieve server is configured for it).", "このアカウントのサーバーにはフィルタがありません（ManageSieve サーバーが設定されていません）。"),
    ("These filters were changed outside Yubin since. Saving a rule here replaces those changes; look at the script first if you are unsure.", "このフィルタは Yubin 以外で変更されています。ここでルールを保存するとその変更は置き換えられます。不安な場合は先にスクリプトを確認してください。"),
    ("These rules are not active on the server yet: saving one makes them active.", "これらのルールはまだサーバーで有効になっていません。ルールを保存すると有効になります。"),
    ("No rules yet. A rule sorts new mail as it arrives, on the server, even while Yubin is closed.", "ルールはまだありません。ルールは Yubin を閉じている間も、届いたメールをサーバー上で振り分けます。"),
    ("Rules are kept on the mail server, in the Sieve script “{name}”.", "ルールはメールサーバーの Sieve スクリプト「{name}」に保存されます。"),
    ("The active script “{name}” was not written by Yubin, so it is shown as it is. Edit it here (the server checks it), or keep it and use Yubin's rules instead (the script stays on the server, turned off).", "有効なスクリプト「{name}」は Yubin が作成したものではないため、そのまま表示しています。ここで編集する（サーバーが検査します）か、そのまま残して代わりに Yubin のルールを使うことができます（スクリプトはサーバーに無効の状態で残ります）。"),
    ("Sieve script “{name}”", "Sieve スクリプト「{name}」"),
    ("Delete the rule “{name}”?", "ルール「{name}」を削除しますか？"),
    ("Every message", "すべてのメッセージ"),
    (" and ", " かつ "),
    (" or ", " または "),
    ("not", "否定"),
    ("Out of office", "不在のお知らせ"),
    ("Rule name", "ルール名"),
    ("When a message matches", "メッセージが次の条件の"),
    ("All or any", "すべてまたはいずれか"),
    ("all of", "すべてに一致するとき"),
    ("any of", "いずれかに一致するとき"),
    ("No conditions: the rule applies to every message.", "条件なし: すべてのメッセージに適用されます。"),
    ("+ Condition", "+ 条件"),
    ("Then", "実行する操作"),
    ("+ Action", "+ 操作"),
    ("Save rule", "ルールを保存"),
    ("Header name", "ヘッダー名"),
    ("Value", "値"),
    ("Remove this condition", "この条件を削除"),
    ("Remove this action", "この操作を削除"),
    ("Folder", "フォルダ"),
    ("Choose a folder…", "フォルダを選択…"),
    ("Address", "アドレス"),
    ("Text for the sender", "差出人への文面"),
    ("Header…", "ヘッダー…"),
    ("Size", "サイズ"),
    ("Body", "本文"),
    ("contains", "が次を含む"),
    ("is", "が次と一致"),
    ("matches (* ?)", "が次のパターンに一致 (* ?)"),
    ("matches the regular expression", "が次の正規表現に一致"),
    ("is over", "が次より大きい"),
    ("is under", "が次より小さい"),
    ("Move to", "移動先"),
    ("Copy to", "コピー先"),
    ("Mark as read", "既読にする"),
    ("Forward to", "転送先"),
    ("Reject with", "拒否して返す文面"),
    ("Stop here", "ここで終了"),
    ("Choose at least one action.", "操作を 1 つ以上選んでください。"),
    ("Fill in what each condition looks for.", "各条件の値を入力してください。"),
    ("Name the header (letters, digits and dashes, no colon).", "ヘッダー名を入力してください（英数字とハイフン、コロンなし）。"),
    ("A size is a number, with K, M or G if you like (e.g. 2M).", "サイズは数値で指定します。K、M、G を付けることもできます（例: 2M）。"),
    ("Choose the folder.", "フォルダを選んでください。"),
    ("Enter one e-mail address.", "メールアドレスを 1 つ入力してください。"),
    ("A rejected message is refused: it cannot also be moved, copied or forwarded.", "拒否したメッセージは受け取られないため、移動・コピー・転送はできません。"),
    ("Write the reply.", "返信の文面を書いてください。"),
    ("The first day must be on or before the last day.", "開始日は終了日以前にしてください。"),
    ("Days between replies: 1 to 60.", "返信の間隔は 1〜60 日です。"),
    ("Reply automatically while I am away", "不在中に自動で返信する"),
    ("First day", "開始日"),
    ("Last day", "終了日"),
    ("Leave the days empty to reply from now until you turn it off.", "日付を空にすると、今からオフにするまで返信します。"),
    ("Days before the same sender is answered again", "同じ差出人に再び返信するまでの日数"),
    ("My addresses (it answers mail sent to these)", "自分のアドレス（これら宛てのメールに返信します）"),
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
