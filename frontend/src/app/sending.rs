//! Writing and sending: message ids, the outbox, POP3 accounts' Sent copies and polling.

use super::*;
use yubin_protocol::preview::preview;
use yubin_protocol::ZipPart;

/// Sends what is due in the outbox at `due` (ms since the epoch), just after.
fn flush_outbox_at(ctx: &Context<App>, due: f64) {
    let wait = (due - js_sys::Date::now()).max(0.0) as u64;
    send_later(ctx, std::time::Duration::from_millis(wait + 50), Msg::FlushOutbox);
}

impl App {
    /// `<uuid@domain>` for a new message, on the account's own domain.
    pub(super) fn new_message_id(&self) -> String {
        let email = self.account().map(|a| a.session.email.as_str()).unwrap_or_default();
        let domain = email.rsplit_once('@').map_or("yubin.invalid", |(_, d)| d);
        upload::new_message_id(domain)
    }

    pub(super) fn count_outbox(&self, ctx: &Context<Self>) {
        let link = ctx.link().clone();
        spawn_local(async move {
            let count = crate::local_store::all(Shelf::Outbox).await.map_or(0, |all| all.len());
            link.send_message(Msg::OutboxCount(count));
        });
    }

    /// Files the Sent copy of a POP3 account's message in the browser's Sent folder.
    pub(super) fn keep_local_copy(&self, ctx: &Context<Self>, local: LocalMailbox, copy: Option<Box<LocalMessage>>) {
        let Some(copy) = copy else { return };
        let lang = self.prefs.lang;
        let link = ctx.link().clone();
        spawn_local(async move {
            if let Err(e) = local.store(vec![*copy], "Sent").await {
                link.send_message(Msg::StorageWarning(trf(
                    lang,
                    "The sent message was not kept: {error}",
                    &[("error", &e.message)],
                )));
            }
        });
    }

    /// Checks a POP3 account's server again every few minutes, while it stays signed in.
    pub(super) fn poll(&self, ctx: &Context<Self>, id: AccountId) {
        let minutes = self.account_by_id(id).map_or(1, |a| a.pop3_settings.interval_minutes.max(1));
        let every = std::time::Duration::from_secs(u64::from(minutes) * 60);
        send_later(ctx, every, Msg::PollDue(id, self.link.generation));
    }

    /// Sends what waits in the outbox, now that the gateway is reachable: each message through
    /// the signed-in account it is from.
    pub(super) fn flush_outbox(&self, ctx: &Context<Self>) {
        let Some(connection) = self.connection.clone() else { return };
        let senders: Vec<(String, AccountId)> = self.accounts.iter().map(|a| (a.session.email.clone(), a.id)).collect();
        let link = ctx.link().clone();
        spawn_local(async move {
            let route = |from: &str| senders.iter().find(|(email, _)| sends_as(from, email)).map(|(_, id)| *id);
            link.send_message(Msg::OutboxFlushed(outbox::flush(&connection, route).await));
        });
    }

    /// Looks for the IMAP account's messages waiting to be sent later after `delay`, instead of
    /// any look armed before.
    pub(super) fn arm_scheduled_check(&mut self, ctx: &Context<Self>, id: AccountId, delay: std::time::Duration) {
        if !self.account_by_id(id).is_some_and(|a| a.session.incoming == IncomingProtocol::Imap) {
            return;
        }
        let armed = self.scheduled_checks.entry(id).or_default();
        *armed = armed.wrapping_add(1);
        send_later(ctx, delay, Msg::CheckScheduled(id, *armed));
    }

    /// Looks for the account's messages waiting to be sent later, and sends what is due.
    pub(super) fn check_scheduled(&self, ctx: &Context<Self>, id: AccountId) {
        let Some(connection) = self.connection.as_ref().map(|c| c.for_account(id)) else { return };
        let link = ctx.link().clone();
        spawn_local(async move {
            let checked = crate::scheduled::send_due(&connection).await;
            link.send_message(Msg::ScheduledChecked(id, checked));
        });
    }

    /// Messages sent later went out (or did not): say so, and look again in time.
    pub(super) fn scheduled_checked(
        &mut self,
        ctx: &Context<Self>,
        id: AccountId,
        result: Result<crate::scheduled::Checked, ApiError>,
    ) -> bool {
        let next = result.as_ref().map_or(crate::scheduled::CHECK_EVERY_SECONDS, |c| c.next);
        self.arm_scheduled_check(ctx, id, std::time::Duration::from_secs(next as u64));
        let Ok(checked) = result else { return false };
        let lang = self.prefs.lang;
        if let Some((subject, error)) = checked.failed.first() {
            self.notice = Some(Notice::error(match subject {
                Some(subject) => trf(
                    lang,
                    "“{subject}” was to be sent now but was not: {error}. It is in Drafts.",
                    &[("subject", subject), ("error", &error.message)],
                ),
                None => trf(
                    lang,
                    "A message was to be sent now but could not be read: {error}. It is in Drafts, no longer scheduled.",
                    &[("error", &error.message)],
                ),
            }));
        } else if !checked.sent.is_empty() {
            self.notice = Some(Notice::info(trf(
                lang,
                "{n} message(s) sent at their chosen time.",
                &[("n", &checked.sent.len())],
            )));
            self.refresh_folders_of(ctx, id);
        } else {
            return false;
        }
        true
    }

    /// The composer closed: sent, saved, queued or discarded.
    pub(super) fn compose_done(&mut self, ctx: &Context<Self>, outcome: ComposeOutcome) -> bool {
        let sender = self.composer.take().map_or(self.active, |(account, _)| account);
        let local = self.account_by_id(sender).and_then(|a| a.local.clone());
        if let (ComposeOutcome::Sent(receipt), Some(local)) = (&outcome, local) {
            self.keep_local_copy(ctx, local, receipt.local_copy.clone());
        }
        if matches!(outcome, ComposeOutcome::Sent(_)) {
            self.refresh_folders_of(ctx, sender); // Sent has one more
        }
        self.notice = match outcome {
            ComposeOutcome::Sent(receipt) if receipt.uncertain => Some(Notice::error(tr(self.prefs.lang, UNCERTAIN))),
            ComposeOutcome::Sent(receipt) if receipt.already_sent => {
                Some(Notice::info(tr(self.prefs.lang, "This message had already been sent; it was not sent again.")))
            }
            ComposeOutcome::Sent(SentReceipt { not_filed: Some(NotFiled::NoSentFolder), .. }) => Some(Notice::error(tr(
                self.prefs.lang,
                "Message sent, but no copy was kept: this account has no Sent folder. Choose one under Special folders.",
            ))),
            ComposeOutcome::Sent(SentReceipt { not_filed: Some(NotFiled::Failed { folder, reason }), .. }) => {
                Some(Notice::error(trf(
                    self.prefs.lang,
                    "Message sent, but its copy could not be filed in {folder}: {reason}",
                    &[("folder", &folder), ("reason", &reason)],
                )))
            }
            ComposeOutcome::Sent(_) => Some(Notice::info(tr(self.prefs.lang, "Message sent."))),
            ComposeOutcome::Delayed { message_id, send_at } => {
                self.undo_send = Some((message_id, send_at));
                flush_outbox_at(ctx, send_at);
                None
            }
            ComposeOutcome::Scheduled { send_at } => {
                // Looked for in time: at its time, or sooner than the next look was.
                let wait = (send_at as f64 * 1000.0 - js_sys::Date::now()).max(0.0) as u64 + 500;
                let wait = wait.min(crate::scheduled::CHECK_EVERY_SECONDS as u64 * 1000);
                self.arm_scheduled_check(ctx, sender, std::time::Duration::from_millis(wait));
                Some(Notice::info(trf(
                    self.prefs.lang,
                    "The message waits in Drafts and goes out at {time}, sent by Yubin open in any browser.",
                    &[("time", &format::long_date(Some(send_at)))],
                )))
            }
            ComposeOutcome::Queued => Some(Notice::info(tr(
                self.prefs.lang,
                "The gateway is unreachable. The message is in the outbox and goes out when it is back.",
            ))),
            ComposeOutcome::Closed | ComposeOutcome::Discarded => None,
        };
        self.count_outbox(ctx);
        true
    }

    /// The outbox was sent (after reconnecting, or a message's time to undo is over).
    pub(super) fn outbox_flushed(&mut self, ctx: &Context<Self>, flushed: outbox::Flushed) -> bool {
        let outbox::Flushed { sent: receipts, failures, next_due, undoable, refused } = flushed;
        self.count_outbox(ctx);
        if let Some(due) = next_due {
            flush_outbox_at(ctx, due);
        }
        for (account, receipt) in &receipts {
            if let Some(local) = self.account_by_id(*account).and_then(|a| a.local.clone()) {
                self.keep_local_copy(ctx, local, receipt.local_copy.clone());
            }
        }
        let sent = receipts.len();
        // A message refused once its time to undo was over comes back to be fixed, with the
        // server's words (the others stay in Drafts).
        if let Some((stored, e)) = refused.into_iter().next() {
            let text = trf(
                self.prefs.lang,
                "Not sent: {error} The message is back in the composer.",
                &[("error", &e.message)],
            );
            self.notice = Some(Notice::error(text));
            if self.composer.is_none() {
                ctx.link().send_message(Msg::ComposeFrom(Rc::new(stored)));
            }
            return true;
        }
        if receipts.iter().any(|(_, r)| r.uncertain) {
            self.notice = Some(Notice::error(tr(self.prefs.lang, UNCERTAIN)));
        } else if let Some(e) = failures.first() {
            self.notice = Some(Notice::error(trf(
                self.prefs.lang,
                "A message in the outbox could not be sent: {error}",
                &[("error", &e.message)],
            )));
        } else if sent > 0 {
            // Sent once its time to undo was over: said as any send is.
            self.notice = Some(Notice::info(if undoable == sent {
                trf(self.prefs.lang, "{n} message(s) sent.", &[("n", &sent)])
            } else {
                trf(self.prefs.lang, "{n} message(s) from the outbox sent.", &[("n", &sent)])
            }));
            for (account, _) in &receipts {
                self.refresh_folders_of(ctx, *account);
            }
        }
        true
    }
}

impl App {
    /// Downloads, and starting to write.
    pub(super) fn on_compose(&mut self, ctx: &Context<Self>, msg: Msg) -> Handled {
        match msg {
            Msg::Download(section, filename) => {
                let Some(uid) = self.reading.open.uid() else { return Handled::Done(false) };
                let request = call::PrepareDownload {
                    folder: self.list.folder.clone(),
                    uid,
                    section,
                    filename: filename.clone(),
                };
                self.call(ctx, request, move |result| Msg::DownloadReady(result.map(|url| (url, filename))));
                return Handled::Done(false);
            }
            Msg::DownloadAll => {
                let Some(view) = self.reading.loaded() else { return Handled::Done(false) };
                let attachments: Vec<(String, String)> = view
                    .attachments
                    .iter()
                    .map(|a| (a.section.clone(), crate::components::attachment_viewer::attachment_name(a)))
                    .collect();
                if self.account().is_some_and(|a| a.local.is_some()) {
                    for (section, name) in attachments {
                        ctx.link().send_message(Msg::Download(section, name));
                    }
                    return Handled::Done(false);
                }
                let filename = format::file_name(&view.subject, "zip");
                let request = call::PrepareZip {
                    folder: self.list.folder.clone(),
                    uid: view.uid,
                    parts: attachments.into_iter().map(|(section, filename)| ZipPart { section, filename }).collect(),
                    filename: filename.clone(),
                };
                self.call(ctx, request, move |result| Msg::DownloadReady(result.map(|url| (url, filename))));
                return Handled::Done(false);
            }
            Msg::Preview(index, delta) => {
                let Some((uid, index)) = self.reading.preview(index, delta) else { return Handled::Done(false) };
                let Some(view) = self.reading.loaded() else { return Handled::Done(false) };
                let attachment = &view.attachments[index];
                if preview(&attachment.content_type, attachment.filename.as_deref()).is_some() {
                    let request = call::PreparePreview {
                        folder: self.list.folder.clone(),
                        uid,
                        section: attachment.section.clone(),
                    };
                    self.call(ctx, request, move |result| Msg::PreviewReady(uid, index, result));
                }
            }
            Msg::PreviewReady(uid, index, url) => return Handled::Done(self.reading.preview_ready(uid, index, url)),
            Msg::ClosePreview => self.reading.preview = None,
            Msg::DownloadReady(Ok((url, filename))) => {
                save_as(&url, &filename);
                return Handled::Done(false);
            }
            Msg::DownloadReady(Err(e)) => self.notice = Some(Notice::from_error(&e)),
            Msg::Compose => {
                let Some(account) = self.account() else { return Handled::Done(false) };
                let mut draft = Draft::new(self.new_message_id());
                let identity = self.settings.identity(&account.session.email);
                draft.from = identity.from_header(&account.session.email);
                draft.sign(&identity);
                if identity.formatted {
                    draft.make_formatted(None);
                    draft.use_formatted_signature(&identity);
                }
                self.composer = Some((self.active, Rc::new(Stored { draft, files: Vec::new() })));
            }
            Msg::ComposeFrom(stored) => {
                let account = self.account_for_sender(&stored.draft.from);
                self.composer = Some((account, stored));
            }
            Msg::LocalDrafts(drafts) => {
                let count = drafts.len();
                if let (None, Some(newest)) = (&self.composer, drafts.into_iter().next()) {
                    self.composer = Some((self.account_for_sender(&newest.draft.from), Rc::new(newest)));
                    if count > 1 {
                        self.notice = Some(Notice::info(trf(
                            self.prefs.lang,
                            "{n} more unsent drafts are in Drafts.",
                            &[("n", &(count - 1))],
                        )));
                    }
                }
            }
            other => return Handled::NotMine(other),
        }
        Handled::Done(true)
    }
}
