//! How full the account's mailbox is, under its folders: the use against the limit, and a
//! warning from 90% on (a full mailbox refuses new mail and the copies of what is sent).

use yew::prelude::*;
use yubin_protocol::Quota;

use crate::format;
use crate::i18n::{tr, trf, Lang};

/// From this share on, the meter warns.
pub const NEARLY_FULL: f64 = 0.9;

#[derive(Properties, PartialEq)]
pub struct QuotaMeterProps {
    pub quota: Quota,
}

#[function_component]
pub fn QuotaMeter(props: &QuotaMeterProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let Some(fullest) = props.quota.fullest() else { return html! {} };
    let share = fullest.share();
    // Storage is counted in KiB; messages one by one.
    let (used, limit) = match props.quota.storage {
        Some(storage) if storage == fullest => (kib(storage.used), kib(storage.limit)),
        _ => (trf(lang, "{n} messages", &[("n", &fullest.used)]), trf(lang, "{n} messages", &[("n", &fullest.limit)])),
    };
    let percent = (share * 100.0).round().min(999.0) as u32;
    let warning = if share >= 1.0 {
        Some(tr(lang, "Your mailbox is full: new mail may be refused and sent mail is not copied to Sent. Delete mail or empty Trash."))
    } else if share >= NEARLY_FULL {
        Some(tr(lang, "Your mailbox is nearly full."))
    } else {
        None
    };
    html! {
        <div id="quota" class={classes!("quota", warning.is_some().then_some("nearly-full"))}>
            <meter min="0" max="1" low={NEARLY_FULL.to_string()} high={NEARLY_FULL.to_string()} optimum="0"
                value={share.min(1.0).to_string()} aria-label={tr(lang, "Mailbox use")} />
            <span class="quota-text">{ trf(lang, "{used} of {limit} used ({percent}%)", &[("used", &used), ("limit", &limit), ("percent", &percent)]) }</span>
            if let Some(warning) = warning {
                <span id="quota-warning" class="quota-warning" role="status">{ warning }</span>
            }
        </div>
    }
}

fn kib(n: u64) -> String {
    format::size(n.saturating_mul(1024))
}
