//! Signing in, as a state and a pure reducer: the form as the user typed it, the sign-ins under
//! way, the remembered ones waiting for the gateway, the error and the server test shown.
//!
//! [`SignIn::update`] decides; the app carries out the [`SignInEffect`]s it returns (asking the
//! gateway, forgetting a remembered password) and reports back with [`SignInMsg`]s.

use yubin_protocol::{AccountId, AccountTest, ApiError, ErrorKind};

/// A sign-in as the user typed it: what the form gives, what "Remember me" keeps, and what an
/// account signs in again with after a drop.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginForm {
    pub server: String,
    pub username: String,
    /// The password; for an OAuth account, the refresh token.
    pub password: String,
    /// Keep the sign-in in this browser, encrypted (see [`crate::remember`]).
    pub remember: bool,
    /// An OAuth account: signs in again with its refresh token, never a password.
    pub oauth: bool,
}

/// The browser came back from an identity provider's consent with a sealed grant.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthReturn {
    pub server: String,
    /// The gateway's sealed record of the consent (from `/oauth/callback`).
    pub sealed: String,
    /// "Remember me" was ticked when the user left for the provider.
    pub remember: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SignIn {
    /// The form is shown over the mailbox, to add an account.
    pub adding: bool,
    /// A sign-in is under way.
    pub busy: bool,
    pub error: Option<ApiError>,
    /// What a test of the servers found.
    pub test: Option<AccountTest>,
    /// Sign-ins under way: the id each account gets, and its form.
    pending: Vec<(AccountId, LoginForm)>,
    /// Sign-ins remembered in this browser, tried once the gateway has said hello.
    remembered: Option<Vec<LoginForm>>,
    /// A consent to sign in with once the gateway says hello.
    oauth_return: Option<OAuthReturn>,
    /// The gateway said hello: sign-ins can go.
    gateway_ready: bool,
    /// What the user sent before that (the page's own form works before the app is connected):
    /// the latest sign-in or test, done once the gateway is there.
    waiting: Option<SignInMsg>,
    next_account: AccountId,
}

impl Default for SignIn {
    fn default() -> Self {
        Self {
            adding: false,
            busy: false,
            error: None,
            test: None,
            pending: Vec::new(),
            remembered: None,
            oauth_return: None,
            gateway_ready: false,
            waiting: None,
            next_account: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SignInMsg {
    /// The user submitted the form.
    Submit(LoginForm),
    /// The sign-ins this browser remembers, decrypted.
    Remembered(Vec<LoginForm>),
    /// The gateway said hello.
    GatewayReady,
    /// The page was opened on the way back from an identity provider's consent.
    OAuthReturned(OAuthReturn),
    /// The sign-in `id` (not of an account already signed in) failed.
    Failed(AccountId, ApiError),
    /// Try the form's servers without signing in.
    Test(LoginForm),
    Tested(Result<AccountTest, ApiError>),
    /// Show the form that signs in one more account.
    Add,
    Cancel,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SignInEffect {
    /// Ask the gateway to sign this account in (answered by `LoggedIn` or [`SignInMsg::Failed`]).
    SignIn(AccountId, LoginForm),
    /// Ask the gateway to sign in with a consent just given (answered like `SignIn`).
    OAuth(AccountId, OAuthReturn),
    /// Ask the gateway to test the servers (answered by [`SignInMsg::Tested`]).
    Test(LoginForm),
    /// A remembered sign-in whose password no longer works: forget it.
    Forget(LoginForm),
}

impl SignIn {
    /// `signed_in`: whether some account is signed in already (remembered sign-ins then wait).
    pub fn update(&mut self, msg: SignInMsg, signed_in: bool) -> Vec<SignInEffect> {
        match msg {
            SignInMsg::Submit(_) | SignInMsg::Test(_) if !self.gateway_ready => {
                self.busy = matches!(msg, SignInMsg::Submit(_));
                self.waiting = Some(msg);
                Vec::new()
            }
            SignInMsg::Submit(form) => {
                self.error = None;
                self.test = None;
                vec![self.start(form)]
            }
            SignInMsg::Remembered(forms) => {
                self.remembered = Some(forms);
                self.remembered_sign_ins(signed_in)
            }
            SignInMsg::GatewayReady => {
                self.gateway_ready = true;
                let mut effects = self.oauth_sign_in();
                effects.extend(self.remembered_sign_ins(signed_in));
                if let Some(waiting) = self.waiting.take() {
                    effects.extend(self.update(waiting, signed_in));
                }
                effects
            }
            SignInMsg::OAuthReturned(back) => {
                self.oauth_return = Some(back);
                self.oauth_sign_in()
            }
            SignInMsg::Failed(id, error) => {
                let Some(form) = self.finished(id) else { return Vec::new() }; // given up on
                self.error = Some(error.clone());
                // A remembered password that no longer works is forgotten.
                (form.remember && error.kind == ErrorKind::AuthFailed)
                    .then_some(SignInEffect::Forget(form))
                    .into_iter()
                    .collect()
            }
            SignInMsg::Test(form) => {
                self.test = None;
                self.error = None;
                vec![SignInEffect::Test(form)]
            }
            SignInMsg::Tested(Ok(test)) => {
                self.test = Some(test);
                Vec::new()
            }
            SignInMsg::Tested(Err(error)) => {
                self.error = Some(error);
                Vec::new()
            }
            SignInMsg::Add => {
                self.adding = true;
                self.error = None;
                self.test = None;
                Vec::new()
            }
            SignInMsg::Cancel => {
                self.adding = false;
                self.pending.clear();
                self.busy = false;
                Vec::new()
            }
        }
    }

    /// The form of the sign-in `id`, which is no longer under way (`None`: not one of ours, or
    /// given up on).
    pub fn finished(&mut self, id: AccountId) -> Option<LoginForm> {
        let position = self.pending.iter().position(|(pending, _)| *pending == id)?;
        let (_, form) = self.pending.remove(position);
        self.busy = !self.pending.is_empty();
        Some(form)
    }

    /// Whether other sign-ins are still under way (remembered accounts signing in together).
    pub fn more_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// An id for an account about to be added (signed in, or opened offline).
    pub fn new_account_id(&mut self) -> AccountId {
        let id = self.next_account;
        self.next_account += 1;
        id
    }

    fn start(&mut self, form: LoginForm) -> SignInEffect {
        let id = self.new_account_id();
        self.busy = true;
        self.pending.push((id, form.clone()));
        SignInEffect::SignIn(id, form)
    }

    /// Signs in with the consent the page came back with, once the gateway is there.
    fn oauth_sign_in(&mut self) -> Vec<SignInEffect> {
        if !self.gateway_ready {
            return Vec::new();
        }
        let Some(back) = self.oauth_return.take() else { return Vec::new() };
        let id = self.new_account_id();
        self.busy = true;
        let form = LoginForm {
            server: back.server.clone(),
            username: String::new(),
            password: String::new(),
            remember: back.remember,
            oauth: true,
        };
        self.pending.push((id, form));
        vec![SignInEffect::OAuth(id, back)]
    }

    /// Signs in the remembered accounts, once both they and the gateway's hello are here, and
    /// only into a browser tab with no account yet.
    fn remembered_sign_ins(&mut self, signed_in: bool) -> Vec<SignInEffect> {
        if !self.gateway_ready || signed_in {
            return Vec::new();
        }
        let forms = self.remembered.take().unwrap_or_default();
        forms.into_iter().map(|form| self.start(form)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(user: &str, remember: bool) -> LoginForm {
        LoginForm { server: "main".into(), username: user.into(), password: "pw".into(), remember, oauth: false }
    }

    #[test]
    fn remembered_sign_ins_wait_for_the_gateway_and_go_once() {
        let mut sign_in = SignIn::default();
        assert_eq!(sign_in.update(SignInMsg::Remembered(vec![form("a", true), form("b", true)]), false), []);
        let effects = sign_in.update(SignInMsg::GatewayReady, false);
        assert_eq!(effects, [SignInEffect::SignIn(1, form("a", true)), SignInEffect::SignIn(2, form("b", true))]);
        assert!(sign_in.busy);
        assert_eq!(sign_in.update(SignInMsg::GatewayReady, false), [], "a reconnect does not sign them in twice");
        assert_eq!(sign_in.finished(1), Some(form("a", true)));
        assert!(sign_in.more_pending() && sign_in.busy);
        assert_eq!(sign_in.finished(2), Some(form("b", true)));
        assert!(!sign_in.busy);
    }

    #[test]
    fn remembered_sign_ins_do_not_go_into_a_tab_already_signed_in() {
        let mut sign_in = SignIn::default();
        sign_in.update(SignInMsg::GatewayReady, true);
        assert_eq!(sign_in.update(SignInMsg::Remembered(vec![form("a", true)]), true), []);
    }

    #[test]
    fn a_wrong_remembered_password_is_forgotten_and_shown() {
        let mut sign_in = SignIn::default();
        sign_in.update(SignInMsg::GatewayReady, false);
        let [SignInEffect::SignIn(id, _)] = sign_in.update(SignInMsg::Submit(form("a", true)), false)[..] else {
            panic!()
        };
        let wrong = ApiError::new(ErrorKind::AuthFailed, "no");
        assert_eq!(
            sign_in.update(SignInMsg::Failed(id, wrong.clone()), false),
            [SignInEffect::Forget(form("a", true))]
        );
        assert_eq!(sign_in.error, Some(wrong));
        assert!(!sign_in.busy);

        let [SignInEffect::SignIn(id, _)] = sign_in.update(SignInMsg::Submit(form("a", true)), false)[..] else {
            panic!()
        };
        assert_eq!(sign_in.error, None, "a new try clears the old error");
        let down = ApiError::new(ErrorKind::Unreachable, "down");
        assert_eq!(sign_in.update(SignInMsg::Failed(id, down), false), [], "a server down is no reason to forget");
    }

    #[test]
    fn a_cancelled_sign_in_is_ignored_when_it_answers() {
        let mut sign_in = SignIn::default();
        sign_in.update(SignInMsg::GatewayReady, true);
        sign_in.update(SignInMsg::Add, true);
        sign_in.update(SignInMsg::Submit(form("c", false)), true);
        sign_in.update(SignInMsg::Cancel, true);
        assert!(!sign_in.adding && !sign_in.busy);
        assert_eq!(sign_in.finished(1), None);
        assert_eq!(sign_in.update(SignInMsg::Failed(1, ApiError::new(ErrorKind::AuthFailed, "no")), true), []);
        assert_eq!(sign_in.error, None, "nothing shown for a sign-in given up on");
    }

    #[test]
    fn a_consent_brought_back_signs_in_once_the_gateway_is_there() {
        let mut sign_in = SignIn::default();
        let back = OAuthReturn { server: "google".into(), sealed: "sealed".into(), remember: true };
        assert_eq!(sign_in.update(SignInMsg::OAuthReturned(back.clone()), false), []);
        assert_eq!(sign_in.update(SignInMsg::GatewayReady, false), [SignInEffect::OAuth(1, back)]);
        assert!(sign_in.busy);
        let form = sign_in.finished(1).expect("under way");
        assert!(form.oauth && form.remember, "kept like a remembered sign-in once it works");
        assert_eq!(sign_in.update(SignInMsg::GatewayReady, false), [], "used once");
    }

    #[test]
    fn what_is_sent_before_the_gateway_is_there_goes_once_it_is() {
        let mut sign_in = SignIn::default();
        assert_eq!(sign_in.update(SignInMsg::Test(form("a", false)), false), []);
        assert!(!sign_in.busy, "a test is not a sign-in");
        assert_eq!(sign_in.update(SignInMsg::Submit(form("a", false)), false), []);
        assert!(sign_in.busy, "the form says it is signing in");
        assert_eq!(
            sign_in.update(SignInMsg::GatewayReady, false),
            [SignInEffect::SignIn(1, form("a", false))],
            "the latest of them, not the test before it"
        );
        assert_eq!(sign_in.update(SignInMsg::GatewayReady, false), [], "once");
    }
}
