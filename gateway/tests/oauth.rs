//! OAuth sign-in against the real stack: the OpenID provider (npm oidc-provider, tests/oidc)
//! issues the tokens, Dovecot checks them at the provider's introspection endpoint for IMAP and
//! POP3 (OAUTHBEARER) and, through Dovecot SASL, Postfix for submission (XOAUTH2).
//!
//! Tokens come from the provider's own models (its admin port), as its consent page would give
//! them; the consent page itself is walked in Chromium by the end-to-end tests.

use std::time::{Duration, Instant};

use yubin_protocol::{ErrorKind, OAuthGrant, OutgoingMessage, Request, Response, Secret, Session};
use yubin_test_support::{http_get, unique_subject, MailStack, TestGateway, WsClient};

async fn gateway(stack: &MailStack) -> TestGateway {
    TestGateway::start(stack.gateway_config(std::path::Path::new("dist"))).await
}

async fn sign_in(
    client: &mut WsClient,
    server: &str,
    user: &str,
    refresh: &str,
) -> Result<Session, yubin_protocol::ApiError> {
    let request = Request::LoginOAuth {
        server: server.into(),
        username: Some(user.into()),
        grant: OAuthGrant::Refresh(Secret(refresh.into())),
    };
    match client.request(request).await? {
        Response::LoggedIn(session) => Ok(session),
        other => panic!("{other:?}"),
    }
}

async fn inbox_subjects(client: &mut WsClient) -> Vec<String> {
    let request = Request::ListMessages { folder: "INBOX".into(), offset: 0, limit: 50, sort: Default::default() };
    let Response::Messages(page) = client.request(request).await.expect("list") else { panic!() };
    page.messages.into_iter().map(|m| m.subject).collect()
}

#[tokio::test]
async fn an_imap_account_signs_in_reads_and_sends_with_tokens() {
    let stack = MailStack::ensure();
    let gw = gateway(stack).await;
    let user = format!("abe@{}", stack.domain);
    let tokens = stack.mint_tokens(&user).await;
    let mut client = WsClient::connect(&gw).await;

    let session = sign_in(&mut client, "oidc", &user, &tokens.refresh_token).await.expect("signed in with a token");
    assert_eq!(session.email, user);
    let kept = session.refresh_token.expect("a refresh token for the browser to keep");
    assert_ne!(
        kept.expose(),
        tokens.refresh_token,
        "the provider rotates refresh tokens; the browser gets the new one"
    );

    // Submission with XOAUTH2, then the message read back over IMAP (OAUTHBEARER).
    let subject = unique_subject("oauth send");
    let message = OutgoingMessage {
        message_id: Some(format!("<{}@example.test>", subject.replace(' ', "-"))),
        to: vec![user.clone()],
        subject: subject.clone(),
        text: "sent with a token".into(),
        ..Default::default()
    };
    let Response::Sent(_) = client.request(Request::Send { message }).await.expect("sent with XOAUTH2") else {
        panic!()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while !inbox_subjects(&mut client).await.contains(&subject) {
        assert!(Instant::now() < deadline, "the message did not arrive");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The kept one works, on a new gateway process too (nothing was kept on the first).
    let gw2 = gateway(stack).await;
    let mut elsewhere = WsClient::connect(&gw2).await;
    let again = sign_in(&mut elsewhere, "oidc", &user, kept.expose()).await.expect("the kept token signs in");
    let newest = again.refresh_token.expect("rotated again");

    // The first refresh token was spent by the rotation: presenting it again is refused, in
    // words, as a grant to renew — never as a password problem. (The provider takes a reused
    // refresh token for a stolen one and ends the whole grant: the newest one goes too.)
    let mut other = WsClient::connect(&gw).await;
    let refused = sign_in(&mut other, "oidc", &user, &tokens.refresh_token).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::AuthFailed);
    assert!(refused.message.contains("identity provider refused"), "{refused:?}");
    let ended = sign_in(&mut other, "oidc", &user, newest.expose()).await.unwrap_err();
    assert_eq!(ended.kind, ErrorKind::AuthFailed);
}

#[tokio::test]
async fn a_pop3_account_signs_in_with_a_token() {
    let stack = MailStack::ensure();
    let gw = gateway(stack).await;
    let user = format!("bea@{}", stack.domain);
    let tokens = stack.mint_tokens(&user).await;
    let mut client = WsClient::connect(&gw).await;
    sign_in(&mut client, "oidc-pop3", &user, &tokens.refresh_token).await.expect("signed in over POP3");
    let Response::Pop3Listing(_) = client.request(Request::Pop3List).await.expect("a POP3 session with the token")
    else {
        panic!()
    };
}

#[tokio::test]
async fn a_token_for_someone_else_or_a_password_is_refused() {
    let stack = MailStack::ensure();
    let gw = gateway(stack).await;
    let mut client = WsClient::connect(&gw).await;
    // The provider's ID token names the account; a browser cannot sign in as someone else.
    let cal = stack.mint_tokens(&format!("cal@{}", stack.domain)).await;
    let session = sign_in(&mut client, "oidc", &format!("dora@{}", stack.domain), &cal.refresh_token).await;
    assert_eq!(session.expect("signs in as whom the token is for").email, format!("cal@{}", stack.domain));
    // A server that uses OAuth takes no password.
    let refused = client.login_to("oidc", "cal", "cal-pass").await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::BadRequest);
    // A made-up sealed grant is no sign-in.
    let request =
        Request::LoginOAuth { server: "oidc".into(), username: None, grant: OAuthGrant::Sealed("forged".into()) };
    assert_eq!(client.request(request).await.unwrap_err().kind, ErrorKind::AuthFailed);
}

#[tokio::test]
async fn the_flow_starts_at_the_provider_and_refuses_answers_it_did_not_start() {
    let stack = MailStack::ensure();
    let gw = gateway(stack).await;
    let (status, headers, _) = http_get(gw.addr, "/oauth/start?server=oidc").await;
    assert_eq!(status, 303);
    let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let location = header("location");
    assert!(location.starts_with(&format!("{}/auth?", stack.oidc_issuer)), "{location}");
    for part in ["code_challenge_method=S256", "code_challenge=", "state=", "client_id=yubin", "response_type=code"] {
        assert!(location.contains(part), "{part} missing in {location}");
    }
    let cookie = header("set-cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("verifier"), "the flow's secrets are sealed");

    // An answer without the flow's cookie, or with another state, is refused.
    let (status, _, body) = http_get(gw.addr, "/oauth/callback?code=x&state=y").await;
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("not started here"));
    let (status, _, _) = http_get(gw.addr, "/oauth/start?server=demo").await;
    assert_eq!(status, 404, "a password server has no OAuth flow");
}

#[tokio::test]
async fn an_expired_access_token_is_renewed_and_any_gateway_with_the_key_completes_a_consent() {
    let stack = MailStack::ensure();
    // Two gateways sharing one sealing key: a consent sealed by one is opened by the other.
    let (config, _key) = stack.gateway_config_with_key(std::path::Path::new("dist"), 0x42);
    let gw = TestGateway::start(config).await;
    let sealer = yubin_gateway::sealed::Sealer::new(Some([0x42; 32]));

    let user = format!("ezra@{}", stack.domain);
    // 22 s: fresh at sign-in, within the gateway's 20-second margin three seconds later.
    let tokens = stack.mint_tokens_lasting(&user, Some(22)).await;
    let grant = yubin_gateway::sealed::SealedGrant {
        server: "oidc".into(),
        grant: yubin_gateway::upstream::oauth::Grant {
            username: Some(user.clone()),
            access_token: Secret(tokens.access_token),
            expires_in: Some(Duration::from_secs(22)),
            refresh_token: Some(Secret(tokens.refresh_token.clone())),
            name: Some("Ezra Example".into()),
        },
    };
    let sealed = sealer.seal(yubin_gateway::sealed::GRANT, &grant, Duration::from_secs(60));
    let mut client = WsClient::connect(&gw).await;
    let request = Request::LoginOAuth { server: "oidc".into(), username: None, grant: OAuthGrant::Sealed(sealed) };
    let Response::LoggedIn(session) = client.request(request).await.expect("the sealed consent signs in") else {
        panic!()
    };
    assert_eq!(session.email, user);
    assert_eq!(session.refresh_token.as_ref().map(Secret::expose), Some(tokens.refresh_token.as_str()));
    // The name the provider gave is the one mail goes out under, until the user says otherwise.
    let named = client.request(Request::SenderName).await.expect("sender name");
    assert_eq!(named, Response::SenderName(Some("Ezra Example".into())));

    // The access token ends; the IMAP connection is dropped by the server. The next request
    // reconnects with a renewed token, and the browser hears of the rotated refresh token.
    tokio::time::sleep(Duration::from_secs(3)).await;
    stack.kick("ezra");
    inbox_subjects(&mut client).await;
    let renewed = loop {
        match client.next_event(Duration::from_secs(10)).await {
            Some(yubin_protocol::Event::TokenRenewed { refresh_token, .. }) => break refresh_token,
            Some(_) => continue,
            None => panic!("no TokenRenewed event"),
        }
    };
    assert_ne!(renewed.expose(), tokens.refresh_token);
}

#[tokio::test]
async fn a_token_the_provider_no_longer_honours_is_refused_in_words_on_each_protocol() {
    use yubin_gateway::upstream::imap::ImapConnection;
    use yubin_gateway::upstream::net::Upstream;
    use yubin_gateway::upstream::pop3::Pop3Connection;
    use yubin_gateway::upstream::sasl::Proof;
    let stack = MailStack::ensure();
    let config = stack.gateway_config(std::path::Path::new("dist"));
    let server = config.server("oidc").unwrap().clone();
    let pop3_server = config.server("oidc-pop3").unwrap().clone();
    let user = format!("gus@{}", stack.domain);
    let tokens = stack.mint_tokens_lasting(&user, Some(1)).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let expired = Proof::Bearer(Secret(tokens.access_token));

    let imap = Upstream::new(server.imap.as_ref().unwrap(), "imap").unwrap();
    let refused = ImapConnection::login(&imap, &user, &expired).await.err().expect("refused over IMAP");
    assert_eq!(refused.kind, ErrorKind::AuthFailed);
    assert!(refused.message.contains("expired or was revoked"), "IMAP: {refused:?}");

    let pop3 = Upstream::new(pop3_server.pop3.as_ref().unwrap(), "pop3").unwrap();
    let refused = Pop3Connection::login(&pop3, &user, &expired).await.err().expect("refused over POP3");
    assert_eq!(refused.kind, ErrorKind::AuthFailed);
    assert!(refused.message.contains("expired or was revoked"), "POP3: {refused:?}");

    let smtp = yubin_gateway::upstream::smtp::SmtpUpstream::new(Upstream::new(&server.smtp, "smtp").unwrap());
    let refused = smtp.features(&user, &expired).await.err().expect("refused over SMTP");
    assert_eq!(refused.kind, ErrorKind::AuthFailed, "SMTP: {refused:?}");
    assert!(refused.message.contains("expired or was revoked"), "SMTP: {refused:?}");
}

#[tokio::test]
async fn xoauth2_signs_in_to_imap_and_pop3_where_the_operator_chooses_it() {
    use yubin_gateway::config::BearerMechanism;
    let stack = MailStack::ensure();
    let mut config = stack.gateway_config(std::path::Path::new("dist"));
    // The same servers, told to use XOAUTH2 (as for a server whose OAUTHBEARER misbehaves).
    for id in ["oidc", "oidc-pop3"] {
        let mut server = config.server(id).unwrap().clone();
        server.id = format!("{id}-x");
        for endpoint in [server.imap.as_mut(), server.pop3.as_mut()].into_iter().flatten() {
            endpoint.oauth_mechanism = Some(BearerMechanism::XOAuth2);
        }
        config.servers.push(server);
    }
    let gw = TestGateway::start(config).await;
    let user = format!("hana@{}", stack.domain);
    let mut client = WsClient::connect(&gw).await;
    let tokens = stack.mint_tokens(&user).await;
    sign_in(&mut client, "oidc-x", &user, &tokens.refresh_token).await.expect("IMAP over XOAUTH2");
    inbox_subjects(&mut client).await;
    let mut pop = WsClient::connect(&gw).await;
    let tokens = stack.mint_tokens(&user).await;
    sign_in(&mut pop, "oidc-pop3-x", &user, &tokens.refresh_token).await.expect("POP3 over XOAUTH2");
    let logins: Vec<String> = stack.dovecot_log_of("hana").into_iter().filter(|l| l.contains("Login: ")).collect();
    assert!(logins.iter().any(|l| l.contains("imap-login") && l.contains("method=XOAUTH2")), "{logins:#?}");
    assert!(logins.iter().any(|l| l.contains("pop3-login") && l.contains("method=XOAUTH2")), "{logins:#?}");
}

#[tokio::test]
async fn a_flow_started_at_one_gateway_is_completed_by_another_with_the_same_key() {
    let stack = MailStack::ensure();
    let (shared, _key) = stack.gateway_config_with_key(std::path::Path::new("dist"), 0x5a);
    let (first, second) = (TestGateway::start(shared.clone()).await, TestGateway::start(shared).await);
    let stranger = gateway(stack).await; // its own key

    let (_, headers, _) = http_get(first.addr, "/oauth/start?server=oidc").await;
    let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let cookie = header("set-cookie").split(';').next().unwrap_or_default().to_owned();
    let location = url::Url::parse(&header("location")).unwrap();
    let state = location.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()).unwrap();

    // The other gateway opens the flow and takes the answer to the provider (which refuses a
    // made-up code); one with another key does not know the flow at all.
    let callback = format!("/oauth/callback?code=made-up&state={state}");
    let (status, _, body) = yubin_test_support::http_get_with(second.addr, &callback, &[("Cookie", &cookie)]).await;
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("identity provider refused"), "{body}");
    let (status, _, body) = yubin_test_support::http_get_with(stranger.addr, &callback, &[("Cookie", &cookie)]).await;
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("not started here"));
    // The right flow with a wrong state is refused before anything is exchanged.
    let forged = "/oauth/callback?code=made-up&state=forged";
    let (status, _, body) = yubin_test_support::http_get_with(second.addr, forged, &[("Cookie", &cookie)]).await;
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("does not belong to your sign-in"));
}

#[tokio::test]
async fn a_provider_that_does_not_rotate_keeps_its_refresh_token_working() {
    // As Google does: the refresh reply has no new refresh token; the one presented stays good.
    let stack = MailStack::ensure();
    let mut config = stack.gateway_config(std::path::Path::new("dist"));
    let mut server = config.server("oidc").unwrap().clone();
    server.id = "oidc-static".into();
    server.oauth.as_mut().unwrap().client_id = "yubin-static".into();
    config.servers.push(server);
    let gw = TestGateway::start(config).await;
    let user = format!("ike@{}", stack.domain);
    let tokens = stack.mint_tokens_for_client(&user, "yubin-static").await;
    for _ in 0..2 {
        let mut client = WsClient::connect(&gw).await;
        let session = sign_in(&mut client, "oidc-static", &user, &tokens.refresh_token).await.expect("signed in");
        assert_eq!(session.refresh_token.as_ref().map(Secret::expose), Some(tokens.refresh_token.as_str()));
    }
}
