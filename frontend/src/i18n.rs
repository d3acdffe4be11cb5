//! The UI's languages: English and Japanese (the mechanism is `yubin-i18n`'s, shared with the
//! modules loaded on first use; the app's words are in [`CATALOG`]).
//!
//! Texts are written in English in the code and looked up by that English text (gettext
//! style), so a view reads naturally and a missing translation falls back to English rather
//! than to a key. `{name}` placeholders are filled by [`trf`]. A unit test checks that every
//! text the code passes to [`tr`] or [`trf`] has a Japanese entry.

pub use yubin_i18n::Lang;

const STORAGE_KEY: &str = "yubin.lang";

/// The user's choice if they made one, else the browser's language.
pub fn detect_lang() -> Lang {
    let stored = crate::prefs::get(STORAGE_KEY);
    let wanted = stored.or_else(|| web_sys::window()?.navigator().language()).unwrap_or_default();
    if wanted.to_ascii_lowercase().starts_with("ja") {
        Lang::Ja
    } else {
        Lang::En
    }
}

pub fn save_lang(lang: Lang) {
    crate::prefs::set(STORAGE_KEY, lang.tag());
}

yubin_i18n::lookups!(CATALOG);

/// English → Japanese.
const CATALOG: yubin_i18n::Catalog = &[
    // Top bar, notices, connection
    ("Compose", "作成"),
    ("Sign out", "ログアウト"),
    ("Signed in as", "ログイン中のアカウント"),
    ("Search mail", "メールを検索"),
    ("Folders", "フォルダ"),
    ("Messages", "メッセージ"),
    ("Message source", "メッセージのソース"),
    ("Close", "閉じる"),
    ("Dismiss", "閉じる"),
    ("Language", "言語"),
    ("Message sent.", "送信しました。"),
    (
        "Message sent, but no copy was kept: this account has no Sent folder. Choose one under Special folders.",
        "送信しましたが、控えは保存されていません。このアカウントには送信済みフォルダがありません。「特別なフォルダ」で選んでください。",
    ),
    (
        "Message sent, but its copy could not be filed in {folder}: {reason}",
        "送信しましたが、控えを {folder} に保存できませんでした: {reason}",
    ),
    ("Connection to the gateway lost. Reconnecting…", "ゲートウェイとの接続が切れました。再接続しています…"),
    (
        "Your sign-in has ended at the identity provider. Sign in again to go on.",
        "ID プロバイダーでのログインが終了しました。続けるにはもう一度ログインしてください。",
    ),
    ("Not connected to the gateway.", "ゲートウェイに接続されていません。"),
    ("This browser could not open a WebSocket to the gateway.", "このブラウザはゲートウェイへの WebSocket を開けませんでした。"),
    ("The gateway was updated. Reload the page to get the matching app.", "ゲートウェイが更新されました。ページを再読み込みしてください。"),
    ("Unexpected reply from the gateway.", "ゲートウェイから予期しない応答がありました。"),
    ("Unexpected local reply.", "予期しない応答がありました。"),
    ("Delete every message in this folder for good?", "このフォルダのメッセージをすべて完全に削除しますか？"),
    (
        "Settings could not be saved on the server of {account} ({error}). They are kept in this browser.",
        "{account} のサーバーに設定を保存できませんでした（{error}）。設定はこのブラウザーに保存されています。",
    ),
    (
        "This account has no Trash folder. Delete for good? This cannot be undone.",
        "このアカウントにはゴミ箱フォルダがありません。完全に削除しますか？元に戻せません。",
    ),
    ("Delete this folder and every message in it?", "このフォルダと中のメッセージをすべて削除しますか？"),
    ("This message had already been sent; it was not sent again.", "このメッセージは送信済みでした。再送信はしていません。"),
    (
        "The gateway is unreachable. The message is in the outbox and goes out when it is back.",
        "ゲートウェイに接続できません。メッセージは送信トレイに保存され、接続が戻ると送信されます。",
    ),
    ("{n} more unsent drafts are in Drafts.", "未送信の下書きがほかに {n} 件あります。"),
    ("{n} message(s) from the outbox sent.", "送信トレイのメッセージを {n} 件送信しました。"),
    ("A message in the outbox could not be sent: {error}", "送信トレイのメッセージを送信できませんでした: {error}"),
    ("Outbox: {n}", "送信トレイ: {n}"),
    ("Sent when the gateway is reachable again", "ゲートウェイに接続できると送信されます"),
    ("The sent message was not kept: {error}", "送信済みメッセージを保存できませんでした: {error}"),
    (
        "This browser's storage for Yubin is {percent}% full ({used} of {quota}). Delete or archive old mail, or new POP3 mail cannot be kept.",
        "このブラウザの Yubin 用ストレージが {percent}% 使われています（{quota} 中 {used}）。古いメールを削除してください。新しい POP3 メールを保存できなくなります。",
    ),
    // POP3
    ("Check now", "今すぐ確認"),
    ("Checking…", "確認中…"),
    ("Checking for new mail…", "新着メールを確認しています…"),
    ("Downloading {done} of {total}…", "{total} 件中 {done} 件をダウンロード中…"),
    ("{n} new · checked {time}", "新着 {n} 件・{time} に確認"),
    ("Checked {time}", "{time} に確認"),
    ("Could not check: {error}", "確認できませんでした: {error}"),
    ("Mail on the server", "サーバー上のメール"),
    ("After downloading", "ダウンロード後"),
    ("Leave it on the server", "サーバーに残す"),
    ("Delete it after some days", "数日後にサーバーから削除"),
    ("Delete it when I delete it here", "ここで削除したらサーバーからも削除"),
    ("Days", "日数"),
    ("Check every (minutes)", "確認の間隔（分）"),
    ("POP3 mail", "POP3 メール"),
    // Sign-in
    ("Sign in to your mail", "メールにログイン"),
    ("Mail server", "メールサーバー"),
    ("User name", "ユーザー名"),
    ("Password", "パスワード"),
    ("Sign in", "ログイン"),
    ("Add an account", "アカウントを追加"),
    ("The gateway stopped while sending this message, so it may not have gone out. It was not sent again, to be sure it is not sent twice: check with a recipient, and send it again from Sent if needed.", "送信中にゲートウェイが停止したため、このメッセージは送信されていない可能性があります。二重送信を防ぐため再送信はしていません。受信者に確認し、必要なら「送信済み」から送り直してください。"),
    ("Remember me on this browser", "このブラウザに記憶する"),
    ("+ Add account", "＋ アカウントを追加"),
    ("Test connection", "接続をテスト"),
    ("works", "正常"),
    ("Sending (SMTP)", "送信 (SMTP)"),
    ("Accounts", "アカウント"),
    ("All inboxes", "すべての受信トレイ"),
    ("Name and signature", "名前と署名"),
    ("Your name, as recipients see it", "受信者に表示される名前"),
    ("Signature", "署名"),
    ("Save", "保存"),
    ("Signing in…", "ログイン中…"),
    ("Connecting…", "接続中…"),
    // Folders
    ("Inbox", "受信トレイ"),
    ("Drafts", "下書き"),
    ("Sent", "送信済み"),
    ("Archive", "アーカイブ"),
    ("Junk", "迷惑メール"),
    ("Trash", "ゴミ箱"),
    ("All Mail", "すべてのメール"),
    ("Starred", "スター付き"),
    ("New folder", "新しいフォルダ"),
    ("Special folders", "特別なフォルダ"),
    ("Special folders…", "特別なフォルダ…"),
    (
        "Where sent mail, drafts and deleted mail go. Automatic follows the server.",
        "送信済みメール・下書き・削除したメールの保存先です。「自動」はサーバーの設定に従います。",
    ),
    ("Automatic", "自動"),
    ("Automatic ({folder})", "自動（{folder}）"),
    ("Create “{name}”", "「{name}」を作成"),
    ("Folder name", "フォルダ名"),
    ("Parent/Name", "親フォルダ/名前"),
    ("Create", "作成"),
    ("Cancel", "キャンセル"),
    ("Rename", "名前を変更"),
    ("Delete", "削除"),
    ("Hide", "非表示"),
    ("Show", "表示"),
    ("All folders", "すべてのフォルダ"),
    // Message list
    ("{n} messages", "{n} 件"),
    ("1 message", "1 件"),
    ("{n} found", "{n} 件見つかりました"),
    ("Sort", "並べ替え"),
    ("Newest first", "新しい順"),
    ("Oldest first", "古い順"),
    ("By date sent", "送信日時順"),
    ("Conversations", "スレッド表示"),
    ("Conversation", "スレッド"),
    ("Messages in this conversation", "このスレッドのメッセージ数"),
    ("{n} messages in this conversation", "このスレッドのメッセージ: {n} 件"),
    ("Sender A–Z", "差出人順"),
    ("Subject A–Z", "件名順"),
    ("Largest first", "大きい順"),
    ("Mark all read", "すべて既読にする"),
    ("Empty", "空にする"),
    ("Loading…", "読み込み中…"),
    ("No messages in this folder.", "このフォルダにはメッセージがありません。"),
    ("Flagged", "スター付き"),
    ("Has attachments", "添付ファイルあり"),
    ("Select: {subject}", "選択: {subject}"),
    ("(no subject)", "（件名なし）"),
    // Actions
    ("Message actions", "メッセージの操作"),
    ("Selected messages", "選択したメッセージ"),
    ("{n} selected", "{n} 件選択中"),
    ("Reply", "返信"),
    ("Reply all", "全員に返信"),
    ("Forward", "転送"),
    ("Forward as file", "ファイルとして転送"),
    ("Forward as attachment", "添付ファイルとして転送"),
    ("Edit draft", "下書きを編集"),
    ("★ Unstar", "★ スターを外す"),
    ("☆ Star", "☆ スターを付ける"),
    ("Star", "スターを付ける"),
    ("Mark read", "既読にする"),
    ("Mark unread", "未読にする"),
    ("Spam", "迷惑メール"),
    ("Source", "ソース"),
    ("Move to…", "移動…"),
    ("Move to folder", "フォルダへ移動"),
    ("Move selected to folder", "選択したメッセージをフォルダへ移動"),
    ("Clear", "選択解除"),
    // Reader
    ("Select a message to read it.", "メッセージを選択してください。"),
    ("From", "差出人"),
    ("Search in every folder", "すべてのフォルダを検索"),
    ("Print all", "すべて印刷"),
    ("Save these messages as an .mbox file", "これらのメッセージを .mbox ファイルとして保存"),
    (
        "Only IMAP accounts can be searched in every folder; searched here.",
        "すべてのフォルダを検索できるのは IMAP アカウントだけです。このフォルダを検索しました。",
    ),
    ("Searching…", "検索中…"),
    ("More results", "さらに表示"),
    ("“{search}” in every folder", "すべてのフォルダで「{search}」"),
    ("{n} not added: {why}", "{n} 件は追加されませんでした: {why}"),
    ("Save this folder as an .mbox file", "このフォルダを .mbox ファイルとして保存"),
    ("Export", "エクスポート"),
    ("Add the messages of .mbox or .eml files to this folder", ".mbox / .eml ファイルのメッセージをこのフォルダに追加"),
    ("Import…", "インポート…"),
    ("Import done: {added} added, {present} already in the folder.", "インポート完了: {added} 件を追加、{present} 件はフォルダにありました。"),
    (
        "Import stopped after {done} messages: {error} Import the same files again to finish: nothing is added twice.",
        "{done} 件でインポートが止まりました: {error} 同じファイルをもう一度インポートすると続きから追加されます（重複はしません）。",
    ),
    ("Importing: {done} of {total} messages…", "インポート中: {total} 件中 {done} 件…"),
    ("Download {name}", "{name} をダウンロード"),
    ("Download all ({n})", "すべてダウンロード（{n} 件）"),
    ("Print (Ctrl+P)", "印刷 (Ctrl+P)"),
    ("Print", "印刷"),
    ("Print the open message", "開いているメッセージを印刷"),
    ("This file cannot be shown here; download it.", "このファイルはここでは表示できません。ダウンロードしてください。"),
    ("This browser cannot show this file; download it.", "このブラウザではこのファイルを表示できません。ダウンロードしてください。"),
    ("Previous attachment", "前の添付ファイル"),
    ("Next attachment", "次の添付ファイル"),
    ("{n} of {count}", "{count} 件中 {n} 件目"),
    ("To", "宛先"),
    ("Cc", "Cc"),
    ("Bcc", "Bcc"),
    ("Reply-To", "返信先"),
    ("Date", "日時"),
    ("Subject", "件名"),
    ("Attachments", "添付ファイル"),
    ("Download", "ダウンロード"),
    ("Forwarded message", "転送されたメッセージ"),
    ("Forwarded message: {subject}", "転送されたメッセージ: {subject}"),
    ("Delivery report", "配信レポート"),
    ("Your message could not be delivered", "メッセージを配信できませんでした"),
    ("reported by {mta}", "報告元: {mta}"),
    ("Show the sent message", "送信したメッセージを表示"),
    ("Message content", "メッセージの内容"),
    ("Remote images in this message are blocked to protect your privacy.", "プライバシー保護のため、このメッセージの外部画像はブロックされています。"),
    ("Always from {sender}", "{sender} からは常に読み込む"),
    ("Load remote content", "外部コンテンツを読み込む"),
    ("Checked by the receiving server", "受信サーバーによる検証"),
    ("The sender's name shows {claimed}, but the message is from {actual}.", "差出人名は {claimed} ですが、実際の送信元は {actual} です。"),
    (
        "The sender's domain {domain} uses international characters; it is spelled {ascii}. It may imitate another domain.",
        "差出人のドメイン {domain} は国際化文字を使っています（表記: {ascii}）。別のドメインを装っている可能性があります。",
    ),
    ("Replies to this message go to {reply_to}, not to the sender's domain.", "このメッセージへの返信は差出人のドメインではなく {reply_to} に届きます。"),
    // Composer
    ("New message", "新規メッセージ"),
    ("Message", "本文"),
    ("Cc/Bcc", "Cc/Bcc"),
    ("Attach files", "ファイルを添付"),
    ("or drop them here", "またはここにドロップ"),
    (" · up to {size} per message", "・1 通あたり最大 {size}"),
    ("Remove", "削除"),
    ("Remove {name}", "{name} を削除"),
    ("Upload progress", "アップロードの進行状況"),
    ("Send", "送信"),
    ("Sending…", "送信中…"),
    ("Uploading…", "アップロード中…"),
    ("Discard", "破棄"),
    ("Suggestions", "候補"),
    ("Add at least one recipient.", "宛先を 1 つ以上入力してください。"),
    ("{field}: “{text}” is not an email address", "{field}: 「{text}」はメールアドレスではありません"),
    ("The attachments are too big for this server (at most {size} per message).", "添付ファイルが大きすぎます（このサーバーでは 1 通あたり最大 {size}）。"),
    ("Draft saved in {folder}", "{folder} に下書きを保存しました"),
    ("Draft kept in this browser (server: {error})", "下書きをこのブラウザに保存しました（サーバー: {error}）"),
    ("Not sent, and {error}", "送信されませんでした。{error}"),
    ("name@example.org, …", "name@example.org, …"),
    ("Theme", "テーマ"),
    ("Try again", "再試行"),
    ("{n} new message(s)", "新着メッセージ {n} 件"),
    ("Desktop notifications are on", "デスクトップ通知: オン"),
    ("Notify me of new mail", "新着メールを通知する"),
    ("Mail kept in this browser, readable without signing in:", "このブラウザに保存されたメール（ログインせずに読めます）:"),
    (
        "Offline: this is the mail kept in this browser. Sign out and sign in again to check for new mail.",
        "オフライン: このブラウザに保存されたメールを表示しています。新着メールを確認するには、ログアウトしてからログインし直してください。",
    ),
    ("← Back", "← 戻る"),
    ("System theme", "システムに合わせる"),
    ("Light", "ライト"),
    ("Dark", "ダーク"),
    // Search
    ("There is no folder “{name}”: searched here.", "フォルダ「{name}」はありません。このフォルダを検索しました。"),
    ("Search mail: from:, to:, subject:, has:attachment, is:unread, is:starred, before:, after:, larger:, in:", "メールを検索: 差出人:、宛先:、件名:、添付:あり、is:未読、is:スター、before:、after:、larger:、in:"),
    // Export
    ("Save as .eml", ".eml で保存"),
    ("Save the message as an .eml file", "メッセージを .eml ファイルとして保存"),
    // Quota
    ("Mailbox use", "メールボックスの使用量"),
    ("{used} of {limit} used ({percent}%)", "{limit} 中 {used} 使用（{percent}%）"),
    ("Your mailbox is nearly full.", "メールボックスの容量がもうすぐいっぱいです。"),
    ("Your mailbox is full: new mail may be refused and sent mail is not copied to Sent. Delete mail or empty Trash.", "メールボックスがいっぱいです。新しいメールが届かないことがあり、送信済みメールは「送信済み」に保存されません。メールを削除するか、ごみ箱を空にしてください。"),
    ("Your mailbox is full, so the server would not store this. Delete mail or empty Trash to make room.", "メールボックスがいっぱいのため、サーバーに保存できませんでした。メールを削除するか、ごみ箱を空にして空きを作ってください。"),
    // Filters (the dialog itself is the filters module's)
    ("Loading filters…", "フィルタを読み込み中…"),
    ("The filters could not be loaded: {error}", "フィルタを読み込めませんでした: {error}"),
    ("Filters…", "フィルタ…"),
    ("Contacts", "連絡先"),
    ("Loading contacts…", "連絡先を読み込み中…"),
    ("The contacts could not be loaded: {error}", "連絡先を読み込めませんでした: {error}"),
    ("Encrypt", "暗号化"),
    ("Sign", "署名"),
    ("You have no key of your own for {address}: make one under Encryption keys (🔑).", "{address} の自分の鍵がありません。「暗号化の鍵」（🔑）で作成してください。"),
    ("No key to encrypt to for {addresses}: import theirs under Encryption keys, or send without encryption.", "{addresses} の暗号化用の鍵がありません。「暗号化の鍵」で相手の公開鍵をインポートするか、暗号化せずに送信してください。"),
    ("🔒 Encrypted to every recipient and to you. Drafts of it stay in this browser.", "🔒 すべての宛先とあなた自身に暗号化します。下書きはこのブラウザにだけ保存されます。"),
    ("Encrypted or signed mail is sent as plain text: switch formatting off first.", "暗号化・署名するメールはプレーンテキストで送信されます。先に書式をオフにしてください。"),
    ("Attachments from the server cannot be encrypted or signed yet: remove them, or attach the files again.", "サーバー上の添付ファイルはまだ暗号化・署名できません。削除するか、ファイルを添付し直してください。"),
    ("Encrypted or signed mail cannot be sent later yet: send it now.", "暗号化・署名するメールはまだ予約送信できません。今すぐ送信してください。"),
    ("Type the passphrase of your key to sign.", "署名するには鍵のパスフレーズを入力してください。"),
    ("Loading keys…", "鍵を読み込み中…"),
    ("The keys could not be loaded: {error}", "鍵を読み込めませんでした: {error}"),
    ("Add to contacts", "連絡先に追加"),
    ("Sending…", "送信中…"),
    ("Undo", "取り消す"),
    ("If this tab closes now, the message goes out when Yubin next opens.", "このタブを閉じた場合、メッセージは次に Yubin を開いたときに送信されます。"),
    ("Too late to undo: the message was sent.", "取り消せませんでした。メッセージは送信済みです。"),
    ("{n} message(s) sent.", "{n} 件のメッセージを送信しました。"),
    ("Time to undo a send (in this browser)", "送信を取り消せる時間（このブラウザー）"),
    ("Off: send at once", "なし（すぐに送信）"),
    ("{n} seconds", "{n} 秒"),
    ("Not sent: {error} The message is back in the composer.", "送信できませんでした: {error} メッセージを作成画面に戻しました。"),
    ("Filter messages like this", "このようなメールをフィルタ"),
    // Keyboard shortcuts
    ("Keyboard shortcuts", "キーボードショートカット"),
    ("Next / previous message", "次 / 前のメッセージ"),
    ("Back to the list", "一覧に戻る"),
    ("Star or unstar", "スターを付ける / 外す"),
    ("Select the open message", "開いているメッセージを選択"),
    ("Search", "検索"),
    // The composer's formatted text.
    ("Formatting", "書式"),
    ("Plain text", "プレーンテキスト"),
    ("Bold", "太字"),
    ("Italic", "斜体"),
    ("Underline", "下線"),
    ("Strikethrough", "取り消し線"),
    ("Heading", "見出し"),
    ("Bulleted list", "箇条書き"),
    ("Numbered list", "番号付きリスト"),
    ("Decrease indent", "インデントを減らす"),
    ("Increase indent", "インデントを増やす"),
    ("Quote", "引用"),
    ("Horizontal line", "横線"),
    ("Clear formatting", "書式をクリア"),
    ("Redo", "やり直し"),
    ("Link", "リンク"),
    ("Text colour", "文字の色"),
    ("Insert picture", "画像を挿入"),
    ("Link address", "リンク先"),
    ("Apply", "適用"),
    ("Remove link", "リンクを解除"),
    ("Write formatted mail (bold, lists, links, pictures)", "書式付きメールを書く（太字・リスト・リンク・画像）"),
    ("Switch to plain text? Bold, lists, links and pictures are lost.", "プレーンテキストに切り替えますか？太字・リスト・リンク・画像は失われます。"),
    ("{n} remote pictures left out: they would load from elsewhere. Attach them instead.", "外部の画像 {n} 件を除きました（外部から読み込まれるため）。添付してください。"),
    ("The pictures in the text are too big to send (at most {size} in all). Attach the big ones instead.", "本文中の画像が大きすぎて送信できません（合計 {size} まで）。大きな画像は添付してください。"),
    ("Templates", "テンプレート"),
    ("No templates yet: write a message and keep it as one.", "テンプレートはまだありません。メッセージを書いてテンプレートとして保存できます。"),
    ("Keep this message as a template", "このメッセージをテンプレートとして保存"),
    ("Kept as a template in {folder}", "{folder} にテンプレートとして保存しました"),
    ("Send later…", "あとで送信…"),
    ("Send at", "送信日時"),
    ("Schedule", "予約"),
    ("It waits in Drafts; Yubin open in any browser sends it.", "下書きフォルダで待機し、どのブラウザでも Yubin が開いていれば送信されます。"),
    ("Choose a time that is still to come.", "これから先の日時を選んでください。"),
    ("The message waits in Drafts and goes out at {time}, sent by Yubin open in any browser.", "メッセージは下書きフォルダで待機し、{time} に送信されます（どのブラウザの Yubin からでも）。"),
    ("{n} message(s) sent at their chosen time.", "予約した {n} 件のメッセージを送信しました。"),
    ("“{subject}” was to be sent now but was not: {error}. It is in Drafts.", "「{subject}」は予約時刻に送信できませんでした: {error}。下書きフォルダにあります。"),
    ("A message was to be sent now but could not be read: {error}. It is in Drafts, no longer scheduled.", "予約送信のメッセージを読み込めず、送信できませんでした: {error}。予約は解除され、下書きフォルダにあります。"),
    ("The signature is too big (at most {size}): use smaller pictures.", "署名が大きすぎます（{size} まで）。小さな画像を使ってください。"),
    ("Goes out at {time}", "{time} に送信予定"),
    ("Don’t send it", "送信しない"),
    ("It will not be sent: it stays in Drafts.", "送信しません。下書きフォルダに残ります。"),
    ("It is not waiting any more: it was sent, or taken off already.", "もう待機していません（送信済みか、すでに取り消されています）。"),
    // OpenPGP: keys, decrypting, signatures
    ("Encryption keys (OpenPGP)", "暗号化の鍵（OpenPGP）"),
    ("This message was not encrypted to a key in this browser: import your secret key under Encryption keys.", "このメッセージは、このブラウザにある鍵あてに暗号化されていません。「暗号化の鍵」で秘密鍵をインポートしてください。"),
    ("That passphrase does not unlock your key.", "このパスフレーズでは鍵を開けられません。"),
    ("Decrypted message", "復号したメッセージ"),
    ("Decrypted in this browser. Search and previews cannot see this text.", "このブラウザで復号しました。検索とプレビューにはこの本文は表示されません。"),
    ("Encrypted attachments", "暗号化された添付ファイル"),
    ("Encrypted message", "暗号化されたメッセージ"),
    ("This message is encrypted. Your secret key in this browser can open it.", "このメッセージは暗号化されています。このブラウザにある秘密鍵で開けます。"),
    ("Passphrase of your key", "鍵のパスフレーズ"),
    ("Decrypt", "復号"),
    ("Decrypting…", "復号中…"),
    ("Checking the signature…", "署名を確認中…"),
    ("Not signed: anyone could have written it.", "署名がありません。誰でも書けるメッセージです。"),
    ("✖ Bad signature: the message was changed, or not signed by the key it names.", "✖ 署名が正しくありません。メッセージが改変されたか、名乗っている鍵で署名されていません。"),
    ("This is not OpenPGP data Yubin can read: {why}", "Yubin が読める OpenPGP データではありません: {why}"),
    ("✔ Valid signature by {signer} ({fingerprint})", "✔ {signer} による正しい署名（{fingerprint}）"),
    ("Signed by a key you do not have ({issuer}): import the sender's public key to check it.", "手元にない鍵（{issuer}）で署名されています。確認するには送信者の公開鍵をインポートしてください。"),
    ("Name", "名前"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            trf(Lang::Ja, "Downloading {done} of {total}…", &[("done", &5), ("total", &10)]),
            "10 件中 5 件をダウンロード中…"
        );
        assert_eq!(trf(Lang::En, "{n} messages", &[("n", &3)]), "3 messages");
        assert_eq!(tr(Lang::Ja, "no such text"), "no such text");
    }

    #[test]
    fn every_text_in_the_code_has_a_japanese_entry_with_the_same_placeholders() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = yubin_i18n::untranslated(CATALOG, &[src.join("app"), src.join("components")]);
        for (_, what) in crate::shortcuts::ALL {
            if yubin_i18n::japanese(CATALOG, what).is_none() {
                missing.push(format!("shortcuts: {what}"));
            }
        }
        assert!(missing.is_empty(), "no Japanese for:\n{}", missing.join("\n"));
    }
}
