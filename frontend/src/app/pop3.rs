//! POP3 accounts: checking the server and keeping what arrives in the browser.

use super::*;

impl App {
    /// Checks a POP3 account's server for new mail now.
    pub(super) fn check_pop3_now(&mut self, ctx: &Context<Self>, id: AccountId) -> bool {
        let lang = self.prefs.lang;
        let connection = self.connection.as_ref().map(|c| c.for_account(id));
        let Some(account) = self.account_mut(id) else { return false };
        let (Some(local), Some(connection), Some(_)) = (account.local.clone(), connection, &account.credentials) else {
            return false;
        };
        if account.syncing {
            account.check_again = true;
            return false;
        }
        account.syncing = true;
        account.sync_status = Some(tr(lang, "Checking for new mail…").into());
        let (link, settings) = (ctx.link().clone(), account.pop3_settings);
        spawn_local(async move {
            let progress = {
                let link = link.clone();
                move |done, total| link.send_message(Msg::SyncProgress(id, done, total))
            };
            let result = pop3_sync::sync(&connection, &local, settings, progress).await;
            link.send_message(Msg::Synced(id, result));
        });
        true
    }

    /// A POP3 check finished.
    pub(super) fn pop3_synced(
        &mut self,
        ctx: &Context<Self>,
        id: AccountId,
        result: Result<SyncReport, ApiError>,
    ) -> bool {
        let lang = self.prefs.lang;
        let Some(account) = self.account_mut(id) else { return false };
        account.syncing = false;
        if std::mem::take(&mut account.check_again) {
            ctx.link().send_message(Msg::CheckNow(id));
        }
        let now = format::short_date(Some((js_sys::Date::now() / 1000.0) as i64));
        let downloaded = matches!(&result, Ok(report) if report.downloaded > 0);
        account.sync_status = Some(match result {
            Ok(report) if report.downloaded > 0 => {
                trf(lang, "{n} new · checked {time}", &[("n", &report.downloaded), ("time", &now)])
            }
            Ok(_) => trf(lang, "Checked {time}", &[("time", &now)]),
            Err(e) => trf(lang, "Could not check: {error}", &[("error", &e.message)]),
        });
        if downloaded {
            if self.shows_inbox_of(id) {
                self.reload(ctx);
            }
            self.refresh_folders_of(ctx, id);
            check_storage(ctx.link().clone(), lang);
        }
        true
    }
}
