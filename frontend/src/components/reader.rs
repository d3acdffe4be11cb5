//! The open message.

use yew::prelude::*;
use yubin_protocol::preview::preview;
use yubin_protocol::{Folder, OpenPgpContent, Uid};

use crate::components::actions::{Action, Actions};
use crate::components::attachment_viewer::{attachment_name, AttachmentViewer};
use crate::components::html_body::HtmlBody;
use crate::components::openpgp_panel::OpenPgpPanel;
use crate::components::trust::TrustView;
use crate::format;
use crate::i18n::{tr, trf, Lang};
use crate::reading::Previewing;
pub use crate::reading::ReaderState;

#[derive(Properties, PartialEq)]
pub struct ReaderProps {
    pub state: ReaderState,
    /// The account's folders, for "move to".
    #[prop_or_default]
    pub folders: Vec<Folder>,
    /// The account has filters ("filter messages like this").
    #[prop_or_default]
    pub can_filter: bool,
    /// The account has an address book ("add to contacts").
    #[prop_or_default]
    pub can_add_contact: bool,
    #[prop_or_default]
    pub on_action: Callback<Action>,
    /// (section, file name) of an attachment to download.
    #[prop_or_default]
    pub on_download: Callback<(String, String)>,
    /// Every attachment at once (a zip).
    #[prop_or_default]
    pub on_download_all: Callback<()>,
    /// The attachment shown over the message, if any.
    #[prop_or_default]
    pub preview: Option<Previewing>,
    /// Show attachment `.0`, `.1` places on from it (0: itself).
    #[prop_or_default]
    pub on_preview: Callback<(usize, isize)>,
    #[prop_or_default]
    pub on_close_preview: Callback<()>,
    /// Show the sent message with this Message-ID (from a bounce).
    #[prop_or_default]
    pub on_find_sent: Callback<String>,
    /// Open the message with this UID again, after a failure.
    #[prop_or_default]
    pub on_retry: Callback<Uid>,
    /// The conversation the open message belongs to, in the conversation view.
    #[prop_or_default]
    pub conversation: Option<std::rc::Rc<yubin_protocol::ThreadInfo>>,
    /// Open another message of the conversation.
    #[prop_or_default]
    pub on_open: Callback<Uid>,
    /// The open message's remote content loads without asking (its sender is trusted).
    #[prop_or_default]
    pub remote_trusted: bool,
    /// Load remote content from this sender address from now on.
    #[prop_or_default]
    pub on_trust_sender: Callback<String>,
}

#[function_component]
pub fn Reader(props: &ReaderProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    match &props.state {
        ReaderState::Empty => html! { <p class="placeholder">{ tr(lang, "Select a message to read it.") }</p> },
        ReaderState::Loading(_) => html! { <p class="placeholder">{ tr(lang, "Loading…") }</p> },
        ReaderState::Failed(uid, e) => {
            let uid = *uid;
            html! {
                <div class="form-error" role="alert">
                    <p>{ &e.message }</p>
                    <button id="retry-open" onclick={props.on_retry.reform(move |_: MouseEvent| uid)}>{ tr(lang, "Try again") }</button>
                </div>
            }
        }
        ReaderState::Loaded(m) => {
            // The gateway's view of encrypted mail is ciphertext: the panel shows it decrypted.
            // PGP/MIME's parts are the ciphertext itself; inline PGP may come with real attachments.
            let encrypted = matches!(m.openpgp, Some(OpenPgpContent::Encrypted { .. }));
            let ciphertext_parts = matches!(m.openpgp, Some(OpenPgpContent::Encrypted { mime: true, .. }));
            html! {
            <article class="message" aria-labelledby="message-subject">
                <Actions flags={m.flags} folders={props.folders.clone()} folder={m.folder.clone()}
                    on_action={props.on_action.clone()} can_filter={props.can_filter} />
                <h2 id="message-subject" class="subject">
                    { if m.subject.is_empty() { tr(lang, "(no subject)") } else { &m.subject } }
                </h2>
                <dl class="headers">
                    <dt>{ tr(lang, "From") }</dt><dd class="from">{ format::address_list(&m.from) }
                        if props.can_add_contact && !m.from.is_empty() {
                            { " " }<button id="add-to-contacts" type="button" class="link"
                                onclick={props.on_action.reform(|_: MouseEvent| Action::AddSender)}>{ tr(lang, "Add to contacts") }</button>
                        }
                    </dd>
                    <dt>{ tr(lang, "To") }</dt><dd class="to">{ format::address_list(&m.to) }</dd>
                    if !m.cc.is_empty() {
                        <dt>{ tr(lang, "Cc") }</dt><dd class="cc">{ format::address_list(&m.cc) }</dd>
                    }
                    if !m.reply_to.is_empty() && m.reply_to != m.from {
                        <dt>{ tr(lang, "Reply-To") }</dt><dd class="reply-to">{ format::address_list(&m.reply_to) }</dd>
                    }
                    <dt>{ tr(lang, "Date") }</dt><dd class="date">{ format::long_date(m.date) }</dd>
                </dl>
                <TrustView trust={m.trust.clone()} />
                if let Some(thread) = &props.conversation {
                    <nav id="conversation" class="conversation" aria-label={tr(lang, "Conversation")}>
                        <h3>{ trf(lang, "{n} messages in this conversation", &[("n", &thread.count)]) }
                            { " " }<button id="print-conversation" type="button" class="link"
                                onclick={props.on_action.reform(|_: MouseEvent| Action::PrintConversation)}>{ tr(lang, "Print all") }</button>
                        </h3>
                        <ol>
                            { for thread.messages.iter().map(|member| {
                                let uid = member.uid;
                                let current = uid == m.uid;
                                html! {
                                    <li class={classes!(current.then_some("current"), (!member.flags.seen).then_some("unread"))}>
                                        <button disabled={current} onclick={props.on_open.reform(move |_: MouseEvent| uid)}>
                                            <span class="from">{ format::sender(member.from.as_ref()) }</span>
                                            <span class="date">{ format::short_date(member.date) }</span>
                                        </button>
                                    </li>
                                }
                            }) }
                        </ol>
                    </nav>
                }
                if let Some(report) = &m.delivery_report {
                    <section id="delivery-report" class="delivery-report" role="alert" aria-label={tr(lang, "Delivery report")}>
                        <h3>{ tr(lang, "Your message could not be delivered") }
                            { for report.original_subject.as_ref().map(|s| format!(": “{s}”")) }</h3>
                        <ul>
                            { for report.recipients.iter().map(|r| html! {
                                <li>
                                    <strong class="recipient">{ &r.recipient }</strong>
                                    { format!(" — {} ({})", r.action, r.status) }
                                    if let Some(diagnostic) = &r.diagnostic {
                                        <div class="diagnostic">{ diagnostic }</div>
                                    }
                                    if let Some(mta) = &r.remote_mta {
                                        <div class="meta">{ trf(lang, "reported by {mta}", &[("mta", mta)]) }</div>
                                    }
                                </li>
                            }) }
                        </ul>
                        if let Some(id) = report.original_message_id.clone() {
                            <button id="find-sent" onclick={props.on_find_sent.reform(move |_: MouseEvent| id.clone())}>
                                { tr(lang, "Show the sent message") }
                            </button>
                        }
                    </section>
                }
                if let Some(content) = &m.openpgp {
                    <OpenPgpPanel key={format!("{}/{}", m.folder, m.uid)} content={content.clone()}
                        folder={AttrValue::from(m.folder.clone())} uid={m.uid}
                        recipients={m.to.iter().chain(&m.cc).map(|a| a.email.clone()).collect::<Vec<_>>()} />
                }
                if !m.attachments.is_empty() && !ciphertext_parts {
                    <ul class="attachments" aria-label={tr(lang, "Attachments")}>
                        { for m.attachments.iter().enumerate().map(|(index, a)| {
                            let name = attachment_name(a);
                            let request = (a.section.clone(), name.clone());
                            let save = props.on_download.reform(move |_: MouseEvent| request.clone());
                            // A file the browser can show opens over the message; others download.
                            let (open, title) = if preview(&a.content_type, a.filename.as_deref()).is_some() {
                                (props.on_preview.reform(move |_: MouseEvent| (index, 0)), tr(lang, "Show"))
                            } else {
                                (save.clone(), tr(lang, "Download"))
                            };
                            html! {
                                <li>
                                    <button class="attachment" onclick={open} title={title}>
                                        // Isolated: no character of the name reorders what is beside it.
                                        { "📎 " }<bdi class="name">{ name.clone() }</bdi>
                                        <span class="meta">{ format!(" {} · {}", a.content_type, format::size(a.size)) }</span>
                                    </button>
                                    <button class="attachment-save" onclick={save}
                                        aria-label={trf(lang, "Download {name}", &[("name", &name)])} title={tr(lang, "Download")}>{ "⤓" }</button>
                                </li>
                            }
                        }) }
                        if m.attachments.len() > 1 {
                            <li><button id="download-all" class="link" onclick={props.on_download_all.reform(|_: MouseEvent| ())}>
                                { trf(lang, "Download all ({n})", &[("n", &m.attachments.len())]) }
                            </button></li>
                        }
                    </ul>
                }
                if let Some(shown) = props.preview.clone().filter(|p| p.uid == m.uid) {
                    <AttachmentViewer attachments={m.attachments.clone()} shown={shown.clone()}
                        on_step={props.on_preview.reform(move |delta| (shown.index, delta))}
                        on_close={props.on_close_preview.clone()} on_download={props.on_download.clone()} />
                }
                if encrypted {
                } else if let Some(html) = &m.html {
                    // Keyed by message, so "load remote content" never carries over to the next.
                    <HtmlBody key={format!("{}/{}", m.folder, m.uid)} html={html.clone()}
                        has_remote_content={m.has_remote_content} trusted={props.remote_trusted}
                        sender={m.from.first().map(|a| AttrValue::from(a.email.clone()))}
                        on_trust={props.on_trust_sender.clone()} />
                } else {
                    <pre class="body">{ &m.text }</pre>
                }
                { for m.forwarded.iter().map(|f| html! {
                    <section class="forwarded" aria-label={tr(lang, "Forwarded message")}>
                        <h3>{ trf(lang, "Forwarded message: {subject}", &[("subject", &if f.subject.is_empty() { tr(lang, "(no subject)") } else { &f.subject })]) }</h3>
                        <dl class="headers">
                            <dt>{ tr(lang, "From") }</dt><dd>{ format::address_list(&f.from) }</dd>
                            <dt>{ tr(lang, "To") }</dt><dd>{ format::address_list(&f.to) }</dd>
                            <dt>{ tr(lang, "Date") }</dt><dd>{ format::long_date(f.date) }</dd>
                        </dl>
                        <pre class="body">{ &f.text }</pre>
                    </section>
                }) }
            </article>
            }
        }
    }
}
