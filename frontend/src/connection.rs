//! The one WebSocket to the gateway.
//!
//! Requests are sent as [`ClientFrame`]s with a fresh id; each returns a future that resolves
//! when the [`ServerFrame::Reply`] with that id arrives. If the socket closes, every pending
//! request fails with [`ErrorKind::ConnectionLost`] so no caller waits forever.
//!
//! One socket carries every signed-in account: a [`Connection`] handle is bound to one account
//! ([`Connection::for_account`]) and stamps its id on what it sends, so the composer, the outbox
//! and the POP3 sync need not know there are others.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;

use futures::channel::oneshot;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, MessageEvent, WebSocket};
use yew::Callback;
use yubin_protocol::{
    calls::Call, AccountId, ApiError, ClientFrame, ErrorKind, Event, Request, RequestId, Response, ServerFrame, Welcome,
};

/// What the connection tells the app about itself.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionEvent {
    Welcome(Welcome),
    /// News the gateway pushed.
    Pushed(Event),
    /// The socket closed; `quiet` when the gateway closed it because nobody signed in in
    /// time — nothing was lost, and there is nothing to tell the user.
    Closed {
        quiet: bool,
    },
}

/// The close code a gateway sends a socket on which nobody signed in in time.
const SIGN_IN_TIMEOUT: u16 = 4001;

/// Who waits for a reply: the app, for the response; or a module loaded on first use
/// ([`Connection::relay`]), for the frame as it came.
enum Waiter {
    Response(oneshot::Sender<Result<Response, ApiError>>),
    Frame(oneshot::Sender<String>),
}

type Pending = HashMap<RequestId, Waiter>;

struct Inner {
    socket: WebSocket,
    next_id: RequestId,
    pending: Pending,
    // The JS callbacks must live as long as the socket.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

/// A cheap handle; clones share the socket.
#[derive(Clone)]
pub struct Connection {
    inner: Rc<RefCell<Option<Inner>>>,
    /// The account this handle's requests are for.
    account: AccountId,
}

impl PartialEq for Connection {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner) && self.account == other.account
    }
}

impl Connection {
    /// Opens `/ws` on the page's own origin.
    pub fn open(on_event: Callback<ConnectionEvent>) -> Result<Self, JsValue> {
        let location = web_sys::window().ok_or("no window")?.location();
        let scheme = if location.protocol()? == "https:" { "wss" } else { "ws" };
        let url = format!("{scheme}://{}/ws", location.host()?);
        let socket = WebSocket::new(&url)?;
        // Binary frames as ArrayBuffers, copied into the app as they are (see the gateway's
        // `frame_message`).
        socket.set_binary_type(web_sys::BinaryType::Arraybuffer);
        let inner: Rc<RefCell<Option<Inner>>> = Rc::new(RefCell::new(None));

        let on_message = {
            let inner = Rc::downgrade(&inner);
            let on_event = on_event.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                // Read as text either way: `serde_json::from_slice` would compile the whole
                // protocol's decoding a second time (~110 KB of wasm).
                let text = data.as_string().or_else(|| String::from_utf8(js_sys::Uint8Array::new(&data).to_vec()).ok());
                let Some(text) = text else {
                    web_sys::console::warn_1(&"unreadable frame from the gateway".into());
                    return;
                };
                // A module's reply goes to it as it came, unread: the app has no decoding for
                // the modules' replies (`yubin-protocol`'s features of the modules).
                if let Some(inner) = inner.upgrade() {
                    if let Some(waiter) = relayed(&mut inner.borrow_mut(), &text) {
                        let _ = waiter.send(text);
                        return;
                    }
                }
                let Ok(frame) = serde_json::from_str::<ServerFrame>(&text) else {
                    web_sys::console::warn_1(&"unreadable frame from the gateway".into());
                    return;
                };
                match frame {
                    ServerFrame::Welcome(welcome) => on_event.emit(ConnectionEvent::Welcome(welcome)),
                    ServerFrame::Event(event) => on_event.emit(ConnectionEvent::Pushed(event)),
                    ServerFrame::Reply { id, result } => {
                        let waiter = inner.upgrade().and_then(|inner| inner.borrow_mut().as_mut()?.pending.remove(&id));
                        let _ = match waiter {
                            Some(Waiter::Response(waiter)) => waiter.send(result).map_err(drop),
                            // Relayed replies went above, unread.
                            Some(Waiter::Frame(_)) | None => Ok(()),
                        };
                    }
                }
            })
        };
        let on_close = {
            let inner = Rc::downgrade(&inner);
            Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
                // Dropping the senders fails every pending request.
                if let Some(inner) = inner.upgrade() {
                    if let Some(inner) = inner.borrow_mut().as_mut() {
                        inner.pending.clear();
                    }
                }
                on_event.emit(ConnectionEvent::Closed { quiet: event.code() == SIGN_IN_TIMEOUT });
            })
        };
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *inner.borrow_mut() =
            Some(Inner { socket, next_id: 1, pending: HashMap::new(), _on_message: on_message, _on_close: on_close });
        Ok(Self { inner, account: 0 })
    }

    /// A handle on the same socket whose requests are for `account`.
    pub fn for_account(&self, account: AccountId) -> Self {
        Self { inner: self.inner.clone(), account }
    }

    /// Sends `request` now (not when the returned future is first polled: a request made while
    /// the app is about to render leaves before the render) and returns the wait for its reply.
    pub fn request(&self, request: Request) -> impl Future<Output = Result<Response, ApiError>> + 'static {
        let sent = self.send(request);
        async move { sent?.await.map_err(|_| lost())? }
    }

    fn send(&self, request: Request) -> Result<oneshot::Receiver<Result<Response, ApiError>>, ApiError> {
        let (sender, receiver) = oneshot::channel();
        self.send_frame(
            |id| serde_json::to_string(&ClientFrame { id, account: self.account, request }).unwrap_or_default(),
            Waiter::Response(sender),
        )?;
        Ok(receiver)
    }

    /// Sends a request a module loaded on first use wrote (a [`Request`]'s JSON, passed on
    /// unread: the gateway checks every request) and returns the wait for the reply frame's
    /// JSON, which the module reads itself.
    pub fn relay(&self, request: String) -> impl Future<Output = Result<String, ApiError>> + 'static {
        let (sender, receiver) = oneshot::channel();
        let account = self.account;
        // The frame `ClientFrame` makes, with the request as written.
        let sent = self.send_frame(
            |id| format!(r#"{{"id":{id},"account":{account},"request":{request}}}"#),
            Waiter::Frame(sender),
        );
        async move {
            sent?;
            receiver.await.map_err(|_| lost())
        }
    }

    /// Sends the frame `frame` makes with a fresh id; `waiter` gets the reply.
    fn send_frame(&self, frame: impl FnOnce(RequestId) -> String, waiter: Waiter) -> Result<(), ApiError> {
        let mut guard = self.inner.borrow_mut();
        let inner = guard.as_mut().ok_or_else(lost)?;
        // A closed socket swallows what is sent without an error, and its close event has
        // already failed the pending requests: this one would wait forever.
        if inner.socket.ready_state() != WebSocket::OPEN {
            return Err(lost());
        }
        let id = inner.next_id;
        inner.next_id += 1;
        inner.socket.send_with_str(&frame(id)).map_err(|_| lost())?;
        inner.pending.insert(id, waiter);
        Ok(())
    }

    /// Sends `call` now (see [`Connection::request`]) and returns the wait for its reply: the
    /// reply its type promises, or an error.
    pub fn call<C: Call + 'static>(&self, call: C) -> impl Future<Output = Result<C::Reply, ApiError>> + 'static {
        let reply = self.request(call.into());
        async move {
            let response = reply.await?;
            C::reply(response).ok_or_else(|| ApiError::new(ErrorKind::Protocol, "unexpected reply from the gateway"))
        }
    }

    pub fn close(&self) {
        if let Some(inner) = self.inner.borrow_mut().take() {
            inner.socket.set_onclose(None);
            let _ = inner.socket.close();
        }
    }
}

fn lost() -> ApiError {
    ApiError::new(ErrorKind::ConnectionLost, "The connection to the gateway was lost.")
}

/// The waiter of a reply to be relayed unread, taken from the pending ones, if `text` is one.
fn relayed(inner: &mut Option<Inner>, text: &str) -> Option<oneshot::Sender<String>> {
    /// Only the id of a reply frame (`{"reply":{"id":…,"result":…}}`), the rest skipped.
    #[derive(serde::Deserialize)]
    struct Head {
        reply: Option<ReplyHead>,
    }
    #[derive(serde::Deserialize)]
    struct ReplyHead {
        id: RequestId,
    }
    let inner = inner.as_mut()?;
    if !inner.pending.values().any(|w| matches!(w, Waiter::Frame(_))) {
        return None;
    }
    let id = serde_json::from_str::<Head>(text).ok()?.reply?.id;
    match inner.pending.remove(&id)? {
        Waiter::Frame(sender) => Some(sender),
        other => {
            inner.pending.insert(id, other);
            None
        }
    }
}
