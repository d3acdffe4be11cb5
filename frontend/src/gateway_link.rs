//! The link to the gateway as a state and a pure reducer: whether it said hello (and with which
//! protocol and servers), whether it is lost, and what a drop or a return means for the app.

use yubin_protocol::{Welcome, PROTOCOL_VERSION};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GatewayLink {
    /// The gateway's hello on the current connection: its protocol and the servers it offers.
    pub welcome: Option<Welcome>,
    /// The connection is lost and being retried (and the user was told once).
    pub offline: bool,
    /// Counts sign-ins: a new gateway session needs attachments uploaded again.
    pub epoch: u32,
    /// Bumped when the last account signs out, so a polling loop of an earlier session stops.
    pub generation: u32,
    /// Messages waiting in the browser's outbox.
    pub outbox: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LinkMsg {
    Welcome(Welcome),
    /// The WebSocket closed (`quiet`: closed on purpose, nothing to tell).
    Closed {
        quiet: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LinkEffect {
    /// The gateway speaks another protocol version: the page must be reloaded.
    Outdated,
    /// Back (or here for the first time): every account signs in again, silently.
    SignInAgain,
    /// Tell the user the link is lost (once per outage, so later news is not hidden).
    AnnounceLost,
    /// Open the connection again after a pause.
    ReconnectLater,
}

impl GatewayLink {
    pub fn update(&mut self, msg: LinkMsg) -> Vec<LinkEffect> {
        match msg {
            LinkMsg::Welcome(welcome) => {
                let outdated = welcome.protocol != PROTOCOL_VERSION;
                self.welcome = Some(welcome);
                self.offline = false;
                outdated.then_some(LinkEffect::Outdated).into_iter().chain([LinkEffect::SignInAgain]).collect()
            }
            LinkMsg::Closed { quiet } => {
                let announce = !self.offline && !quiet;
                self.offline |= announce;
                announce.then_some(LinkEffect::AnnounceLost).into_iter().chain([LinkEffect::ReconnectLater]).collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LinkEffect::*;
    use super::*;

    fn welcome(protocol: u32) -> Welcome {
        Welcome { protocol, gateway: "test".into(), servers: Vec::new(), keyserver: None }
    }

    #[test]
    fn an_outage_is_announced_once_and_retried_until_the_gateway_is_back() {
        let mut link = GatewayLink::default();
        assert_eq!(link.update(LinkMsg::Welcome(welcome(PROTOCOL_VERSION))), [SignInAgain]);
        assert_eq!(link.update(LinkMsg::Closed { quiet: false }), [AnnounceLost, ReconnectLater]);
        assert_eq!(link.update(LinkMsg::Closed { quiet: false }), [ReconnectLater], "said once");
        assert!(link.offline);
        assert_eq!(link.update(LinkMsg::Welcome(welcome(PROTOCOL_VERSION))), [SignInAgain]);
        assert!(!link.offline);
        assert_eq!(link.update(LinkMsg::Closed { quiet: true }), [ReconnectLater], "a quiet close is not news");
    }

    #[test]
    fn a_gateway_of_another_version_asks_for_a_reload() {
        let mut link = GatewayLink::default();
        assert_eq!(link.update(LinkMsg::Welcome(welcome(PROTOCOL_VERSION + 1))), [Outdated, SignInAgain]);
    }
}
