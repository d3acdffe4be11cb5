//! Requests to the gateway, or to a POP3 account's mailbox in the browser, and the replies they expect.

use super::*;

/// Requests about folders and messages, which a POP3 account's [`LocalMailbox`] answers.
pub(super) fn is_mailbox_request(request: &Request) -> bool {
    matches!(
        request,
        Request::ListFolders
            | Request::ListMessages { .. }
            | Request::GetMessage { .. }
            | Request::SetFlag { .. }
            | Request::Move { .. }
            | Request::GetSource { .. }
            | Request::CreateFolder { .. }
            | Request::RenameFolder { .. }
            | Request::DeleteFolder { .. }
            | Request::Subscribe { .. }
            | Request::MarkFolderRead { .. }
            | Request::EmptyFolder { .. }
            | Request::Expunge { .. }
            | Request::PrepareDownload { .. }
            | Request::PreparePreview { .. }
            | Request::Search { .. }
    )
}

impl App {
    /// Sends `call` for the account on screen; see [`App::call_for`].
    pub(super) fn call<C: Call + 'static>(
        &self,
        ctx: &Context<Self>,
        call: C,
        to_msg: impl FnOnce(Result<C::Reply, ApiError>) -> Msg + 'static,
    ) {
        self.call_for(ctx, self.active, call, to_msg);
    }

    /// Sends `call` for account `id`; `to_msg` wraps its reply (or the error) for `update`.
    pub(super) fn call_for<C: Call + 'static>(
        &self,
        ctx: &Context<Self>,
        id: AccountId,
        call: C,
        to_msg: impl FnOnce(Result<C::Reply, ApiError>) -> Msg + 'static,
    ) {
        let (link, lang) = (ctx.link().clone(), self.prefs.lang);
        let request: Request = call.into();
        let expect = C::reply;
        // A POP3 account's folders live in the browser, and answer even with the gateway away.
        let local = self.account_by_id(id).and_then(|a| a.local.clone());
        if let Some(local) = local.filter(|_| is_mailbox_request(&request)) {
            spawn_local(async move {
                let result = local.handle(request).await.and_then(|response| {
                    expect(response)
                        .ok_or_else(|| ApiError::new(ErrorKind::Protocol, tr(lang, "Unexpected local reply.")))
                });
                link.send_message(to_msg(result));
            });
            return;
        }
        let Some(connection) = self.connection.clone() else {
            link.send_message(to_msg(Err(ApiError::new(
                ErrorKind::ConnectionLost,
                tr(lang, "Not connected to the gateway."),
            ))));
            return;
        };
        // Sent now, before the render this update may lead to; only the reply is awaited.
        let reply = connection.for_account(id).request(request);
        // An OAuth account whose grant ended (withdrawn at the provider) hears it on whatever
        // request finds out first.
        let oauth = self.account_by_id(id).and_then(|a| a.credentials.as_ref()).is_some_and(|f| f.oauth);
        spawn_local(async move {
            let result = reply.await.and_then(|response| {
                expect(response)
                    .ok_or_else(|| ApiError::new(ErrorKind::Protocol, tr(lang, "Unexpected reply from the gateway.")))
            });
            // (Its own reply is dropped: the account is signed out, and the notice says why.)
            if oauth && matches!(&result, Err(e) if e.kind == ErrorKind::AuthFailed) {
                link.send_message(Msg::SignInEnded(id));
            } else {
                link.send_message(to_msg(result));
            }
        });
    }
}
