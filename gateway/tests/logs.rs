//! No secret in the logs: with every log level on (TRACE, all crates), signing in over IMAP
//! and POP3, sending over SMTP, and a wrong password leave no password in the output, neither
//! as typed nor base64-encoded as SASL PLAIN sends it; signing in with OAuth and sending with
//! the token leave no access or refresh token, neither as such nor inside OAUTHBEARER/XOAUTH2. This file installs its own global
//! subscriber, so it is a test binary of its own.

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine;
use yubin_protocol::{OAuthGrant, OutgoingMessage, Request, Secret};
use yubin_test_support::{unique_subject, MailStack, TestGateway, WsClient};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn passwords_never_reach_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    // Everything at TRACE, through the filter the gateway's binary uses.
    tracing_subscriber::fmt()
        .with_env_filter(yubin_gateway::log_filter("trace"))
        .with_writer(move || writer.clone())
        .init();

    let stack = MailStack::ensure();
    let (config, _key) = stack.gateway_config_with_key(std::path::Path::new("/nonexistent"), 0x17);
    let gw = TestGateway::start(config).await;
    let mut imap = WsClient::connect(&gw).await;
    imap.login("noah", "noah-pass").await.expect("IMAP login");
    imap.request(Request::Send {
        message: OutgoingMessage {
            to: vec!["noah@example.test".into()],
            subject: unique_subject("log test"),
            text: "x".into(),
            ..Default::default()
        },
    })
    .await
    .expect("send");
    let _ = imap.login("noah", "wrong-noah-pass").await;
    let mut pop = WsClient::connect(&gw).await;
    pop.login_to("demo-pop3", "noah", "noah-pass").await.expect("POP3 login");
    pop.request(Request::Pop3List).await.expect("POP3 list");

    // OAuth: a consent sealed as /oauth/callback would (the test shares the gateway's key, so
    // it knows the access token), then a send with the token.
    let user = "olivia@example.test";
    let tokens = stack.mint_tokens(user).await;
    let grant = yubin_gateway::sealed::SealedGrant {
        server: "oidc".into(),
        grant: yubin_gateway::upstream::oauth::Grant {
            username: Some(user.into()),
            access_token: Secret(tokens.access_token.clone()),
            expires_in: Some(std::time::Duration::from_secs(3600)),
            refresh_token: Some(Secret(tokens.refresh_token.clone())),
            name: None,
        },
    };
    let sealed = yubin_gateway::sealed::Sealer::new(Some([0x17; 32])).seal(
        yubin_gateway::sealed::GRANT,
        &grant,
        std::time::Duration::from_secs(60),
    );
    let mut oauth = WsClient::connect(&gw).await;
    let request = Request::LoginOAuth { server: "oidc".into(), username: None, grant: OAuthGrant::Sealed(sealed) };
    oauth.request(request).await.expect("OAuth sign-in");
    oauth
        .request(Request::Send {
            message: OutgoingMessage {
                to: vec![user.into()],
                subject: unique_subject("log test oauth"),
                text: "x".into(),
                ..Default::default()
            },
        })
        .await
        .expect("send with XOAUTH2");

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(logs.contains("logged in"), "the logs were captured: {logs}");
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for secret in [
        "noah-pass".to_owned(),
        b64("\0noah@example.test\0noah-pass"),
        b64("noah-pass"),
        b64("\0noah@example.test\0wrong-noah-pass"),
        tokens.access_token.clone(),
        tokens.refresh_token.clone(),
        b64(&format!("user={user}\x01auth=Bearer {}\x01\x01", tokens.access_token)),
        b64(&format!(
            "n,a={user},\x01host=127.0.0.1\x01port={}\x01auth=Bearer {}\x01\x01",
            stack.imap, tokens.access_token
        )),
    ] {
        if let Some(at) = logs.find(&secret) {
            let line = logs[..at].rsplit('\n').next().unwrap_or_default();
            panic!("{secret} is in the logs: {line}…");
        }
    }
}
