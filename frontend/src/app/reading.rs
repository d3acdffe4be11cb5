//! Reading: opening a message in the reader.

use super::*;

impl App {
    /// Opens a message in the reader.
    pub(super) fn open_message(&mut self, ctx: &Context<Self>, uid: Uid) -> bool {
        let row = self.list.rows.as_ref().and_then(|rows| rows.find(self.row_key(uid)));
        self.reading.open(uid, row);
        let folder = self.list.folder.clone();
        self.call(ctx, call::GetMessage { folder, uid }, move |result| Msg::Opened(uid, result.map(Box::new)));
        true
    }

    /// A message to read arrived (or failed).
    pub(super) fn message_opened(
        &mut self,
        ctx: &Context<Self>,
        uid: Uid,
        result: Result<Box<MessageView>, ApiError>,
    ) -> bool {
        if self.reading.open != ReaderState::Loading(uid) {
            return false; // the user has moved on
        }
        let mut became_read = false;
        let key = self.row_key(uid);
        if let (Ok(view), Some(list)) = (&result, &mut self.list.rows) {
            if let Some(row) = Rc::make_mut(list).find_mut(key) {
                became_read = !row.flags.seen && view.flags.seen;
                row.flags.seen = view.flags.seen;
            }
        }
        if became_read {
            self.refresh_folders_of(ctx, self.active); // one unread fewer
        }
        if let Ok(view) = &result {
            let seen = view.from.iter().chain(&view.to).chain(&view.cc).chain(&view.reply_to);
            self.contacts = Rc::new(contacts::learn(&self.contacts, seen));
            if let Some(autocrypt) = view.autocrypt.clone() {
                crate::openpgp_worker::learn(autocrypt);
            }
        }
        self.reading.arrived(uid, result)
    }
}
