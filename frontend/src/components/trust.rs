//! The sender-trust line under a message's headers: the receiving server's verdicts and
//! warnings about deceptive senders.

use crate::i18n::{tr, trf, Lang};
use yew::prelude::*;
use yubin_protocol::{SenderTrust, TrustWarning, Verdict};

#[derive(Properties, PartialEq)]
pub struct TrustProps {
    pub trust: SenderTrust,
}

#[function_component]
pub fn TrustView(props: &TrustProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let t = &props.trust;
    let chips = [("SPF", t.spf), ("DKIM", t.dkim), ("DMARC", t.dmarc)]
        .into_iter()
        .filter_map(|(name, verdict)| verdict.map(|v| (name, v)));
    html! {
        <>
            if t.spf.is_some() || t.dkim.is_some() || t.dmarc.is_some() {
                <p class="verdicts" aria-label={tr(lang, "Checked by the receiving server")}>
                    { for chips.map(|(name, verdict)| html! {
                        <span class={classes!("verdict", verdict_class(verdict))}>{ format!("{name} {}", verdict_word(verdict)) }</span>
                    }) }
                </p>
            }
            { for t.warnings.iter().map(|w| html! { <p class="trust-warning" role="alert">{ "⚠ " }{ warning_text(lang, w) }</p> }) }
        </>
    }
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail | Verdict::Permerror => "fail",
        _ => "other",
    }
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Softfail => "softfail",
        Verdict::Neutral => "neutral",
        Verdict::None => "none",
        Verdict::Temperror => "temporary error",
        Verdict::Permerror => "error",
        Verdict::Policy => "policy",
    }
}

pub fn warning_text(lang: Lang, w: &TrustWarning) -> String {
    match w {
        TrustWarning::NameClaimsOtherAddress { claimed, actual } => {
            trf(lang, "The sender's name shows {claimed}, but the message is from {actual}.", &[("claimed", claimed), ("actual", actual)])
        }
        TrustWarning::InternationalDomain { domain, ascii } => {
            trf(lang, "The sender's domain {domain} uses international characters; it is spelled {ascii}. It may imitate another domain.", &[("domain", domain), ("ascii", ascii)])
        }
        TrustWarning::ReplyToElsewhere { reply_to } => {
            trf(lang, "Replies to this message go to {reply_to}, not to the sender's domain.", &[("reply_to", reply_to)])
        }
    }
}
