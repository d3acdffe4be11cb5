//! Component tests in a real browser (`cargo test --target wasm32-unknown-unknown`, run by
//! wasm-bindgen-test-runner in headless Chromium).
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;
use yew::Callback;
use yubin_frontend::components::identity_form::IdentityForm;
use yubin_frontend::components::login::{Login, LoginProps};
use yubin_frontend::components::message_list::{MessageList, MessageListProps};
use yubin_frontend::components::reader::{Reader, ReaderProps, ReaderState};
use yubin_frontend::early_sign_in::Typed;
use yubin_frontend::identity::Identity;
use yubin_frontend::message_window::MessageWindow;
use yubin_frontend::sign_in::LoginForm;
use yubin_protocol::{
    AccountTest, Address, ApiError, ErrorKind, Flags, IncomingProtocol, MessageSummary, MessageView, SenderTrust,
    ServerInfo, TrustWarning, Verdict,
};

wasm_bindgen_test_configure!(run_in_browser);

fn mount_point() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(20)).await;
}

fn row(uid: u32, seen: bool, subject: &str) -> MessageSummary {
    MessageSummary {
        uid,
        from: Some(Address { name: Some("山田 太郎".into()), email: "yamada@example.jp".into() }),
        subject: subject.into(),
        date: Some(1_795_482_000),
        flags: Flags { seen, ..Flags::default() },
        size: 1234,
        has_attachments: uid == 2,
        thread: None,
    }
}

#[wasm_bindgen_test]
async fn message_list_renders_loaded_rows_and_placeholders() {
    let root = mount_point();
    let mut window = MessageWindow::new("INBOX");
    window.insert(0, 120, vec![row(3, false, "会議の議事録"), row(2, true, "Invoice")]);
    let props = MessageListProps {
        window: Some(std::rc::Rc::new(window)),
        loading: false,
        selected: Some(2),
        tags: None,
        on_open: Callback::noop(),
        on_visible: Callback::noop(),
        on_mark_all_read: Callback::noop(),
        on_empty: None,
        on_export_results: None,
        sort: Default::default(),
        on_sort: Callback::noop(),
        selection: Default::default(),
        on_toggle: Callback::noop(),
    };
    yew::Renderer::<MessageList>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let rows = root.query_selector_all(".message-row[data-uid]").unwrap();
    assert_eq!(rows.length(), 2);
    // Rows not fetched yet are placeholders, and only a screenful of them exists.
    let slots = root.query_selector_all(".row-slot").unwrap().length();
    assert!(slots > 2 && slots < 120, "{slots} slots");
    let first: Element = rows.get(0).unwrap().unchecked_into();
    assert!(first.class_list().contains("unread"));
    assert!(first.text_content().unwrap().contains("会議の議事録"));
    assert!(first.text_content().unwrap().contains("山田 太郎"));
    let second: Element = rows.get(1).unwrap().unchecked_into();
    assert!(second.class_list().contains("selected") && !second.class_list().contains("unread"));
    assert!(root.text_content().unwrap().contains("120 messages"));
}

/// A sign-in form's properties: connected, idle, nothing typed, no error; each test changes what it looks at.
fn login_props(servers: Vec<ServerInfo>) -> LoginProps {
    LoginProps {
        servers,
        connected: true,
        busy: false,
        error: None,
        on_submit: Callback::noop(),
        can_remember: true,
        offline_accounts: vec![],
        on_offline: Callback::noop(),
        on_test: Callback::noop(),
        test: None,
        on_cancel: None,
        typed: None,
    }
}

#[wasm_bindgen_test]
async fn login_lists_servers_and_shows_the_refusal() {
    let root = mount_point();
    let props = LoginProps {
        error: Some(ApiError::new(ErrorKind::AuthFailed, "[AUTHENTICATIONFAILED] Authentication failed.")),
        test: Some(AccountTest {
            incoming_protocol: IncomingProtocol::Imap,
            incoming: Ok(()),
            outgoing: Err(ApiError::new(ErrorKind::AuthFailed, "535 5.7.8 Error: authentication failed")),
        }),
        ..login_props(vec![ServerInfo {
            id: "demo".into(),
            name: "Demo mail".into(),
            incoming: IncomingProtocol::Imap,
            domain: Some("example.test".into()),
            oauth: None,
        }])
    };
    yew::Renderer::<Login>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let option = root.query_selector("#server option").unwrap().unwrap();
    assert_eq!(option.text_content().unwrap(), "Demo mail");
    let error = root.query_selector("[role=alert]").unwrap().unwrap();
    assert!(error.text_content().unwrap().contains("Authentication failed"));
    // The connection test names each server's outcome in its own words.
    let report = root.query_selector("#account-test").unwrap().unwrap().text_content().unwrap();
    assert!(report.contains("IMAP: works") && report.contains("SMTP): 535 5.7.8"), "{report}");
    let input = root.query_selector("#username").unwrap().unwrap();
    assert_eq!(input.get_attribute("placeholder").unwrap(), "name or name@example.test");
}

#[wasm_bindgen_test]
async fn servers_that_use_an_identity_provider_get_a_button_not_a_password_box() {
    let root = mount_point();
    let server = |id: &str, oauth: Option<&str>| ServerInfo {
        id: id.into(),
        name: id.into(),
        incoming: IncomingProtocol::Imap,
        domain: None,
        oauth: oauth.map(Into::into),
    };
    let props = login_props;
    let both = vec![server("mail", None), server("google", Some("Sign in with Google"))];
    yew::Renderer::<Login>::with_root_and_props(root.clone(), props(both)).render();
    settle().await;
    let button = root.query_selector("#oauth-google").unwrap().expect("a button for the provider");
    assert_eq!(button.text_content().unwrap(), "Sign in with Google");
    let options = root.query_selector_all("#server option").unwrap().length();
    assert_eq!(options, 1, "the password form lists only password servers");

    let only = mount_point();
    yew::Renderer::<Login>::with_root_and_props(
        only.clone(),
        props(vec![server("google", Some("Sign in with Google"))]),
    )
    .render();
    settle().await;
    assert!(only.query_selector("#oauth-google").unwrap().is_some());
    assert!(only.query_selector("#password").unwrap().is_none(), "no password box for an OAuth-only gateway");
}

#[wasm_bindgen_test]
async fn the_form_taking_the_pages_place_keeps_what_was_typed_and_the_cursor() {
    let root = mount_point();
    let server = |id: &str| ServerInfo {
        id: id.into(),
        name: id.into(),
        incoming: IncomingProtocol::Imap,
        domain: None,
        oauth: None,
    };
    let props = LoginProps {
        typed: Some(Typed {
            form: LoginForm {
                server: "isp".into(),
                username: "hanako".into(),
                password: "秘密の合言葉".into(),
                remember: true,
                oauth: false,
            },
            focus: Some("password".into()),
        }),
        ..login_props(vec![server("home"), server("isp")])
    };
    yew::Renderer::<Login>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let value = |id: &str| {
        let input: web_sys::HtmlInputElement = root.query_selector(id).unwrap().unwrap().unchecked_into();
        input
    };
    assert_eq!(value("#username").value(), "hanako");
    assert_eq!(value("#password").value(), "秘密の合言葉");
    assert!(value("#remember").checked());
    let chosen: web_sys::HtmlSelectElement = root.query_selector("#server").unwrap().unwrap().unchecked_into();
    assert_eq!(chosen.value(), "isp");
    let focused = web_sys::window().unwrap().document().unwrap().active_element().unwrap();
    assert_eq!(focused.id(), "password", "the cursor stays where it was");
}

/// A Japanese message with verdicts, a warning and an attachment.
fn sample_view() -> MessageView {
    MessageView {
        folder: "INBOX".into(),
        uid: 7,
        subject: "来週の打ち合わせについて".into(),
        from: vec![Address { name: Some("佐藤 花子".into()), email: "sato@example.jp".into() }],
        to: vec![Address { name: None, email: "alice@example.test".into() }],
        cc: vec![],
        reply_to: vec![],
        bcc: vec![],
        date: Some(1_795_482_000),
        message_id: None,
        in_reply_to: None,
        references: vec![],
        flags: Flags::default(),
        text: "いつもお世話になっております。\n<script>alert(1)</script>".into(),
        html: None,
        has_remote_content: false,
        forwarded: vec![],
        trust: SenderTrust {
            spf: Some(Verdict::Pass),
            dkim: Some(Verdict::Fail),
            dmarc: None,
            warnings: vec![TrustWarning::ReplyToElsewhere { reply_to: "collect@evil.example".into() }],
        },
        attachments: vec![yubin_protocol::AttachmentInfo {
            part: 0,
            section: "2".into(),
            filename: Some("資料.pdf".into()),
            content_type: "application/pdf".into(),
            size: 52_000,
            inline: false,
        }],
        delivery_report: None,
        replying_to: None,
        openpgp: None,
        autocrypt: None,
    }
}

#[wasm_bindgen_test]
async fn reader_shows_headers_text_and_attachments() {
    let root = mount_point();
    let view = sample_view();
    let props = ReaderProps {
        state: ReaderState::Loaded(Box::new(view)),
        folders: vec![],
        can_filter: false,
        can_add_contact: false,
        on_action: Callback::noop(),
        on_download: Callback::noop(),
        on_download_all: Callback::noop(),
        preview: None,
        on_preview: Callback::noop(),
        on_close_preview: Callback::noop(),
        on_find_sent: Callback::noop(),
        on_retry: Callback::noop(),
        conversation: None,
        on_open: Callback::noop(),
        remote_trusted: false,
        on_trust_sender: Callback::noop(),
    };
    yew::Renderer::<Reader>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let text = root.text_content().unwrap();
    assert!(text.contains("来週の打ち合わせについて"));
    assert!(text.contains("佐藤 花子 <sato@example.jp>"));
    assert!(text.contains("資料.pdf") && text.contains("52.0 KB"));
    // The receiving server's verdicts and the warning.
    assert!(text.contains("SPF pass") && text.contains("DKIM fail"), "{text}");
    assert!(root.query_selector(".verdict.fail").unwrap().is_some());
    assert!(text.contains("Replies to this message go to collect@evil.example"));
    // Plain text is text: markup in it is shown, never parsed.
    assert!(root.query_selector("script").unwrap().is_none());
    assert!(root.query_selector(".body").unwrap().unwrap().text_content().unwrap().contains("<script>"));
}

#[wasm_bindgen_test]
async fn a_bounce_shows_who_failed_with_the_remote_reply_and_links_to_the_sent_message() {
    let root = mount_point();
    let mut view = sample_view();
    view.delivery_report = Some(yubin_protocol::DeliveryReport {
        reporting_mta: Some("mail.example.test".into()),
        original_message_id: Some("<abc@example.test>".into()),
        original_subject: Some("Lunch?".into()),
        recipients: vec![yubin_protocol::RecipientStatus {
            recipient: "gone@example.test".into(),
            action: "failed".into(),
            status: "5.1.1".into(),
            diagnostic: Some("550 5.1.1 <gone@example.test> User doesn't exist".into()),
            remote_mta: Some("mail.example.test".into()),
        }],
    });
    let asked = std::rc::Rc::new(std::cell::RefCell::new(None));
    let props = ReaderProps {
        state: ReaderState::Loaded(Box::new(view)),
        folders: vec![],
        can_filter: false,
        can_add_contact: false,
        on_action: Callback::noop(),
        on_download: Callback::noop(),
        on_download_all: Callback::noop(),
        preview: None,
        on_preview: Callback::noop(),
        on_close_preview: Callback::noop(),
        on_find_sent: {
            let asked = asked.clone();
            Callback::from(move |id| *asked.borrow_mut() = Some(id))
        },
        on_retry: Callback::noop(),
        conversation: None,
        on_open: Callback::noop(),
        remote_trusted: false,
        on_trust_sender: Callback::noop(),
    };
    yew::Renderer::<Reader>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let report = root.query_selector("#delivery-report").unwrap().expect("a delivery report").text_content().unwrap();
    assert!(report.contains("could not be delivered") && report.contains("Lunch?"), "{report}");
    assert!(report.contains("gone@example.test") && report.contains("550 5.1.1"), "{report}");
    root.query_selector("#find-sent").unwrap().unwrap().unchecked_into::<web_sys::HtmlElement>().click();
    settle().await;
    assert_eq!(asked.borrow().as_deref(), Some("<abc@example.test>"));
}

/// Re-renders [`IdentityForm`] with a new `on_save` (as the app does on every render) each
/// time `#rerender` is clicked.
#[yew::function_component]
fn IdentityFormHost(props: &IdentityHostProps) -> yew::Html {
    let renders = yew::use_state(|| 0u32);
    let saved = props.saved.clone();
    let on_save =
        Callback::from(move |(email, identity): (String, Identity)| *saved.borrow_mut() = Some((email, identity)));
    let rerender = {
        let renders = renders.clone();
        Callback::from(move |_| renders.set(*renders + 1))
    };
    yew::html! {
        <>
            <button id="rerender" onclick={rerender}>{ *renders }</button>
            <IdentityForm email="wendy@example.test" identity={Identity { name: "name 0".into(), ..Identity::default() }}
                on_save={on_save} on_close={Callback::noop()} />
        </>
    }
}

#[derive(yew::Properties, PartialEq)]
struct IdentityHostProps {
    saved: std::rc::Rc<std::cell::RefCell<Option<(String, Identity)>>>,
}

#[wasm_bindgen_test]
async fn what_the_user_types_survives_a_re_render_and_is_saved_for_the_account_the_form_is_for() {
    let root = mount_point();
    let saved = std::rc::Rc::new(std::cell::RefCell::new(None));
    yew::Renderer::<IdentityFormHost>::with_root_and_props(root.clone(), IdentityHostProps { saved: saved.clone() })
        .render();
    settle().await;
    let name: web_sys::HtmlInputElement = root.query_selector("#identity-name").unwrap().unwrap().unchecked_into();
    assert_eq!(name.value(), "name 0");
    name.set_value("Wendy Example");
    // As typing does: an `input` event that bubbles (Yew listens at the root).
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    name.dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap()).unwrap();
    root.query_selector("#rerender").unwrap().unwrap().unchecked_into::<web_sys::HtmlElement>().click();
    settle().await;
    assert_eq!(root.query_selector("#rerender").unwrap().unwrap().text_content().unwrap(), "1", "re-rendered");
    assert_eq!(name.value(), "Wendy Example", "typing kept through the re-render");
    root.query_selector("#identity-save").unwrap().unwrap().unchecked_into::<web_sys::HtmlElement>().click();
    settle().await;
    let (email, identity) = saved.borrow().clone().expect("saved");
    assert_eq!((email.as_str(), identity.name.as_str()), ("wendy@example.test", "Wendy Example"));
}

#[wasm_bindgen_test]
fn an_openpgp_error_is_worded_for_what_the_user_was_doing() {
    use yubin_frontend::i18n::Lang;
    use yubin_frontend::openpgp_worker::{error_text, Task};
    use yubin_shared::openpgp::{PgpError, PgpErrorKind};
    let no_key = PgpError::new(PgpErrorKind::NoKey, "no key").about(vec!["kenji@example.jp".into()]);
    assert!(error_text(Lang::En, Task::Writing, &no_key).contains("kenji@example.jp"));
    assert!(error_text(Lang::En, Task::Reading, &no_key).contains("import your secret key"));
    let broken = PgpError::new(PgpErrorKind::Invalid, "unsupported packet");
    assert!(error_text(Lang::En, Task::Reading, &broken).starts_with("This is not OpenPGP data"));
    assert!(!error_text(Lang::En, Task::Writing, &broken).contains("not OpenPGP data"));
    let wrong = PgpError::new(PgpErrorKind::BadPassphrase, "wrong");
    assert_eq!(error_text(Lang::Ja, Task::Writing, &wrong), error_text(Lang::Ja, Task::Reading, &wrong));
    assert!(error_text(Lang::Ja, Task::Writing, &wrong).contains("パスフレーズ"));
}
