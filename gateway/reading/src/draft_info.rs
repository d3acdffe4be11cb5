//! Reading the `X-Draft-Info` header of a saved draft (Roundcube's format, `type=reply; uid=7;
//! folder=B::SU5CT1g=`): which message a reply answers. The gateway writes it
//! (`yubin_gateway::draft_info`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use yubin_protocol::MessageRef;

/// The message a draft answers, from its `X-Draft-Info` value; `None` for anything else (a
/// forward's info, a value that does not parse).
pub fn parse(value: &str) -> Option<MessageRef> {
    let mut kind = None;
    let mut uid = None;
    let mut folder = None;
    for pair in value.split(';') {
        let Some((key, value)) = pair.trim().split_once('=') else { continue };
        let value = match value.strip_prefix("B::") {
            Some(encoded) => String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?,
            None => value.trim().to_owned(),
        };
        match key.trim() {
            "type" => kind = Some(value),
            "uid" => uid = value.parse().ok(),
            "folder" => folder = Some(value),
            _ => {}
        }
    }
    match (kind.as_deref(), uid, folder) {
        (Some("reply"), Some(uid), Some(folder)) if !folder.is_empty() => Some(MessageRef { folder, uid }),
        _ => None,
    }
}
