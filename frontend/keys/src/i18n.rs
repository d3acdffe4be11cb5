//! The keys dialog's words in English and Japanese, looked up like the app's own (the mechanism
//! is `yubin-i18n`'s); the app tells the module which language is on screen.

pub use yubin_i18n::Lang;

yubin_i18n::lookups!(CATALOG);

/// English → Japanese.
const CATALOG: yubin_i18n::Catalog = &[
    ("{keyserver} could not be asked: {error}", "{keyserver} に問い合わせできませんでした: {error}"),
    ("{keyserver} has no key for {query}.", "{keyserver} に {query} の鍵はありません。"),
    ("Address or fingerprint", "アドレスまたはフィンガープリント"),
    ("Find a key on {keyserver}", "{keyserver} で鍵を探す"),
    ("Found on the keyserver. Compare the fingerprint with one its owner gave you before you rely on it.", "鍵サーバーで見つかりました。信頼する前に、持ち主から聞いたフィンガープリントと照合してください。"),
    ("Import this key", "この鍵をインポート"),
    ("Key imported.", "鍵をインポートしました。"),
    ("Look up", "検索"),
    ("Looking up…", "検索中…"),
    ("Address", "アドレス"),
    ("Close", "閉じる"),
    ("Create a key", "鍵を作成"),
    ("Create key", "作成"),
    ("Creating the key…", "鍵を作成中…"),
    ("Delete", "削除"),
    ("Delete this public key from this browser?", "この公開鍵をこのブラウザから削除しますか？"),
    ("Delete this secret key from this browser? Mail encrypted to it cannot be read here any more unless you import it again.", "この秘密鍵をこのブラウザから削除しますか？ 再度インポートしない限り、この鍵あての暗号化メールはここで読めなくなります。"),
    ("Deleting…", "削除中…"),
    ("Encryption keys (OpenPGP)", "暗号化の鍵（OpenPGP）"),
    ("Export public key", "公開鍵をエクスポート"),
    ("Export secret key", "秘密鍵をエクスポート"),
    ("Exported key: copy it, or keep it in a file", "エクスポートした鍵: コピーするか、ファイルに保存してください"),
    ("Exporting…", "エクスポート中…"),
    ("Import", "インポート"),
    ("Import keys", "鍵をインポート"),
    ("Importing…", "インポート中…"),
    ("Key created.", "鍵を作成しました。"),
    ("Key deleted.", "鍵を削除しました。"),
    ("Keys are kept in this browser only, each secret key locked by its passphrase. The gateway never sees them: mail encrypted to you is read only where your secret key is.", "鍵はこのブラウザにだけ保存され、秘密鍵はそれぞれのパスフレーズで保護されます。ゲートウェイが鍵を見ることはなく、暗号化メールは秘密鍵のある場所でだけ読めます。"),
    ("Keys imported.", "鍵をインポートしました。"),
    ("Loading keys…", "鍵を読み込み中…"),
    ("Name", "名前"),
    ("No keys yet: create one, or import yours from GnuPG or another browser.", "鍵はまだありません。作成するか、GnuPG や別のブラウザからインポートしてください。"),
    ("Passphrase (at least 8 characters)", "パスフレーズ（8 文字以上）"),
    ("Paste an armored key ({example}), or choose a file", "ASCII 形式の鍵（{example}）を貼り付けるか、ファイルを選んでください"),
    ("RSA 3072 instead of Curve25519 (for old OpenPGP software; slower)", "Curve25519 の代わりに RSA 3072（古い OpenPGP ソフト向け、低速）"),
    ("The passphrase again", "パスフレーズ（確認）"),
    ("The two passphrases differ.", "二つのパスフレーズが一致しません。"),
    ("your key (secret part here)", "あなたの鍵（秘密鍵あり）"),
    ("from their mail (Autocrypt)", "相手のメールから（Autocrypt）"),
];

yubin_i18n::catalog_is_complete!(CATALOG);
