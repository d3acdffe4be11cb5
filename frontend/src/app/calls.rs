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
            | Request::Search { .. }
    )
}

/// Reply extractors for [`App::call`].
pub(super) fn done(response: Response) -> Option<()> {
    matches!(response, Response::Done).then_some(())
}

pub(super) fn messages(response: Response) -> Option<MessagePage> {
    match response {
        Response::Messages(page) => Some(page),
        _ => None,
    }
}

pub(super) fn changes(response: Response) -> Option<FolderChanges> {
    match response {
        Response::Changes(changes) => Some(changes),
        _ => None,
    }
}

impl App {
    /// Sends `request` for the account on screen; see [`App::call_for`].
    pub(super) fn call<T: 'static>(
        &self,
        ctx: &Context<Self>,
        request: Request,
        expect: fn(Response) -> Option<T>,
        to_msg: impl FnOnce(Result<T, ApiError>) -> Msg + 'static,
    ) {
        self.call_for(ctx, self.active, request, expect, to_msg);
    }

    /// Sends `request` for account `id`; `expect` picks the reply variant it should produce,
    /// `to_msg` wraps the outcome for `update`.
    pub(super) fn call_for<T: 'static>(
        &self,
        ctx: &Context<Self>,
        id: AccountId,
        request: Request,
        expect: fn(Response) -> Option<T>,
        to_msg: impl FnOnce(Result<T, ApiError>) -> Msg + 'static,
    ) {
        let (link, lang) = (ctx.link().clone(), self.lang);
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
        let connection = connection.for_account(id);
        spawn_local(async move {
            let result = connection.request(request).await.and_then(|response| {
                expect(response)
                    .ok_or_else(|| ApiError::new(ErrorKind::Protocol, tr(lang, "Unexpected reply from the gateway.")))
            });
            link.send_message(to_msg(result));
        });
    }
}
