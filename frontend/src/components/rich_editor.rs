//! The composer's body as formatted text: a toolbar over the editor ([`crate::rich_text`]).
//! The editor owns the element it edits; Yew draws only the toolbar and an empty host, so a
//! re-render never touches what is being written.

use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;
use yubin_protocol::ApiError;

use crate::i18n::{tr, Lang};
use crate::rich_text::{Editor, EditorEvents};

#[derive(Properties, PartialEq)]
pub struct RichEditorProps {
    /// The HTML it starts with; read once.
    pub initial: String,
    /// After every change: the HTML and the text as shown.
    pub on_input: Callback<(String, String)>,
    /// A picture too big to be put in the text, to be attached instead.
    pub on_attach: Callback<web_sys::File>,
    /// How many remote images a paste or a quote brought that were left out.
    pub on_dropped: Callback<u32>,
    /// The id of the text being edited, and what it is called.
    #[prop_or(AttrValue::Static("compose-rich"))]
    pub id: AttrValue,
    #[prop_or("Message")]
    pub label: &'static str,
}

pub enum Msg {
    Lang(Lang),
    Ready(Result<Editor, ApiError>),
    Command(&'static str, Option<String>),
    Formats(String),
    AskLink,
    LinkAddress(String),
    ApplyLink,
    CancelLink,
    Images(js_sys::Array),
}

pub struct RichEditor {
    lang: Lang,
    _lang_listener: Option<ContextHandle<Lang>>,
    host: NodeRef,
    editor: Option<Editor>,
    error: Option<ApiError>,
    /// The formats at the caret, as the editor names them (`B I UL …`).
    formats: String,
    /// The address being typed for a link, while the link row is open.
    link: Option<String>,
}

/// The toolbar: command, the format that shows it on, its label, its key, and what the button
/// shows (a mark that reads in both languages).
const BUTTONS: &[(&str, &str, &str, &str, &str)] = &[
    ("bold", "B", "Bold", "Ctrl+B", "B"),
    ("italic", "I", "Italic", "Ctrl+I", "I"),
    ("underline", "U", "Underline", "Ctrl+U", "U"),
    ("strike", "S", "Strikethrough", "Ctrl+Shift+7", "S"),
    ("heading", "H2", "Heading", "", "H"),
    ("bullets", "UL", "Bulleted list", "Ctrl+Shift+8", "•≡"),
    ("numbers", "OL", "Numbered list", "Ctrl+Shift+9", "1≡"),
    ("outdent", "", "Decrease indent", "Ctrl+[", "⇤"),
    ("indent", "", "Increase indent", "Ctrl+]", "⇥"),
    ("quote", "BLOCKQUOTE", "Quote", "", "❝"),
    ("rule", "", "Horizontal line", "", "―"),
    ("clear", "", "Clear formatting", "", "⌫"),
    ("undo", "", "Undo", "Ctrl+Z", "↶"),
    ("redo", "", "Redo", "Ctrl+Shift+Z", "↷"),
];

impl Component for RichEditor {
    type Message = Msg;
    type Properties = RichEditorProps;

    fn create(ctx: &Context<Self>) -> Self {
        let (lang, listener) = ctx.link().context::<Lang>(ctx.link().callback(Msg::Lang)).unzip();
        Self {
            lang: lang.unwrap_or_default(),
            _lang_listener: listener,
            host: NodeRef::default(),
            editor: None,
            error: None,
            formats: String::new(),
            link: None,
        }
    }

    /// The editor holds the text from its start on: new properties (the composer re-renders on
    /// every change the editor reported) change nothing here.
    fn changed(&mut self, _ctx: &Context<Self>, _old: &Self::Properties) -> bool {
        false
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        if !first_render {
            return;
        }
        let Some(root) = self.host.cast::<web_sys::Element>() else { return };
        let props = ctx.props();
        let link = ctx.link();
        let events = EditorEvents {
            input: props.on_input.clone(),
            path: link.callback(Msg::Formats),
            link: link.callback(|()| Msg::AskLink),
            dropped: props.on_dropped.clone(),
            attach: props.on_attach.clone(),
        };
        let (initial, ready) = (props.initial.clone(), link.callback(Msg::Ready));
        spawn_local(async move { ready.emit(Editor::open(&root, &initial, events).await) });
    }

    fn update(&mut self, _ctx: &Context<Self>, msg: Msg) -> bool {
        let editor = self.editor.as_ref();
        match msg {
            Msg::Lang(lang) => self.lang = lang,
            Msg::Ready(Ok(editor)) => {
                editor.focus();
                self.editor = Some(editor);
            }
            Msg::Ready(Err(e)) => self.error = Some(e),
            Msg::Command(name, value) => {
                if let Some(editor) = editor {
                    editor.command(name, value.as_deref());
                }
                return false;
            }
            Msg::Formats(formats) => self.formats = formats,
            Msg::AskLink => self.link = Some(String::new()),
            Msg::LinkAddress(address) => {
                self.link = Some(address);
                return false;
            }
            Msg::ApplyLink => {
                if let (Some(editor), Some(address)) = (editor, self.link.take()) {
                    let address = address.trim();
                    editor.command(
                        "link",
                        Some(&link_target(address)).filter(|_| !address.is_empty()).map(String::as_str),
                    );
                }
            }
            Msg::CancelLink => {
                self.link = None;
                if let Some(editor) = editor {
                    editor.focus();
                }
            }
            Msg::Images(files) => {
                if let Some(editor) = editor {
                    editor.insert_images(&files);
                }
                return false;
            }
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        let on = |format: &str| !format.is_empty() && self.formats.split(' ').any(|f| f == format);
        // A button press must not take the caret out of the text.
        let keep_selection = Callback::from(|e: MouseEvent| e.prevent_default());
        let on_color = link
            .callback(|e: Event| Msg::Command("color", Some(e.target_unchecked_into::<HtmlInputElement>().value())));
        let on_images = link.batch_callback(|e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            // Copied out first: the list is live, and emptied with the field.
            let files = input.files().map(|list| js_sys::Array::from(&list));
            input.set_value("");
            files.map(Msg::Images)
        });
        html! {
            <div class="rich-editor">
                <div class="format-bar" role="toolbar" aria-label={tr(lang, "Formatting")}>
                    { for BUTTONS.iter().map(|&(command, format, label, key, face)| {
                        let title = if key.is_empty() { tr(lang, label).to_owned() } else { format!("{} ({key})", tr(lang, label)) };
                        html! {
                            <button type="button" id={format!("format-{command}")} class={classes!("format", on(format).then_some("on"))}
                                title={title} aria-label={tr(lang, label)} aria-pressed={(!format.is_empty()).then(|| on(format).to_string())}
                                onmousedown={keep_selection.clone()} onclick={link.callback(move |_| Msg::Command(command, None))}>
                                { face }
                            </button>
                        }
                    }) }
                    <button type="button" id="format-link" class={classes!("format", on("A").then_some("on"))}
                        title={format!("{} (Ctrl+K)", tr(lang, "Link"))} aria-label={tr(lang, "Link")}
                        onmousedown={keep_selection.clone()} onclick={link.callback(|_| Msg::AskLink)}>{ "🔗" }</button>
                    <label class="format" title={tr(lang, "Text colour")}>
                        { "A" }
                        <input id="format-color" type="color" class="visually-hidden" aria-label={tr(lang, "Text colour")} onchange={on_color} />
                    </label>
                    <label class="format" title={tr(lang, "Insert picture")}>
                        { "🖼" }
                        <input id="format-image" type="file" accept="image/*" multiple=true class="visually-hidden"
                            aria-label={tr(lang, "Insert picture")} onchange={on_images} />
                    </label>
                </div>
                if let Some(address) = &self.link {
                    <div class="link-row">
                        <label for="link-address">{ tr(lang, "Link address") }</label>
                        <input id="link-address" type="url" value={address.clone()} placeholder="https://" autofocus=true
                            oninput={link.callback(|e: InputEvent| Msg::LinkAddress(e.target_unchecked_into::<HtmlInputElement>().value()))}
                            onkeydown={link.batch_callback(|e: KeyboardEvent| match e.key().as_str() {
                                "Enter" => { e.prevent_default(); Some(Msg::ApplyLink) }
                                "Escape" => { e.prevent_default(); Some(Msg::CancelLink) }
                                _ => None,
                            })} />
                        <button type="button" id="link-apply" onclick={link.callback(|_| Msg::ApplyLink)}>{ tr(lang, "Apply") }</button>
                        <button type="button" id="link-remove" onclick={link.callback(|_| Msg::Command("link", None))}>{ tr(lang, "Remove link") }</button>
                        <button type="button" onclick={link.callback(|_| Msg::CancelLink)}>{ tr(lang, "Cancel") }</button>
                    </div>
                }
                if let Some(error) = &self.error {
                    <p class="form-error" role="alert">{ &error.message }</p>
                }
                <div id={ctx.props().id.clone()} class="rich-body" ref={self.host.clone()} role="textbox" aria-multiline="true"
                    aria-label={tr(lang, ctx.props().label)} lang={lang.tag()} />
            </div>
        }
    }
}

/// What a typed link address points to: a web address without its scheme gets `https://`, an
/// email address `mailto:`.
pub fn link_target(address: &str) -> String {
    let lower = address.to_ascii_lowercase();
    if ["http://", "https://", "mailto:"].iter().any(|scheme| lower.starts_with(scheme)) {
        address.to_owned()
    } else if address.contains('@') && !address.contains('/') {
        format!("mailto:{address}")
    } else {
        format!("https://{address}")
    }
}
