//! An OAuth 2.0 / OpenID identity provider as the gateway uses it: the authorization URL
//! (code flow with PKCE and `state`), the code exchange and refreshing — through the
//! `oauth2` crate, over [`super::https`]. Endpoints come from the operator's config (a preset or
//! explicit URLs) or from OpenID discovery, fetched once.

use std::time::Duration;

use base64::Engine as _;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet, ExtraTokenFields,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use yubin_protocol::{ApiError, ErrorKind, Secret};

use super::https::{self, HttpsError};
use crate::config::OAuthConfig;

/// The ID token, which the token endpoint sends beside the access token.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

type Tokens = StandardTokenResponse<IdTokenField, BasicTokenType>;
type HttpsFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<http::Response<Vec<u8>>, HttpsError>> + Send>>;
type ProviderClient = oauth2::Client<
    BasicErrorResponse,
    Tokens,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What a token request gave: the access token, how long it lasts, the refresh token (if one
/// was issued or rotated), and the login name from the ID token (if one came).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Grant {
    pub access_token: Secret,
    pub expires_in: Option<Duration>,
    pub refresh_token: Option<Secret>,
    pub username: Option<String>,
    /// The person's name (the ID token's `name`), for the name their mail goes out under.
    #[serde(default)]
    pub name: Option<String>,
}

struct Endpoints {
    authorization: AuthUrl,
    token: TokenUrl,
}

pub struct OAuthProvider {
    config: OAuthConfig,
    endpoints: tokio::sync::OnceCell<Endpoints>,
}

impl OAuthProvider {
    /// `config` with its preset resolved.
    pub fn new(config: &OAuthConfig) -> Self {
        Self { config: config.resolved(), endpoints: tokio::sync::OnceCell::new() }
    }

    /// The provider's page the browser is sent to, asking for consent.
    pub async fn authorization_url(
        &self,
        redirect: &str,
        state: &str,
        challenge: PkceCodeChallenge,
    ) -> Result<url::Url, ApiError> {
        let client = self.client(redirect).await?;
        let state = state.to_owned();
        let mut request = client
            .authorize_url(move || CsrfToken::new(state))
            .set_pkce_challenge(challenge)
            .add_scopes(self.config.scopes.iter().cloned().map(Scope::new));
        for (name, value) in &self.config.extra_params {
            request = request.add_extra_param(name.clone(), value.clone());
        }
        Ok(request.url().0)
    }

    /// Exchanges the code the browser came back with (and the PKCE verifier) for tokens.
    pub async fn exchange_code(&self, redirect: &str, code: &str, verifier: String) -> Result<Grant, ApiError> {
        let client = self.client(redirect).await?;
        let request = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier));
        self.grant(request.request_async(&self.http_client()).await)
    }

    /// New tokens for a refresh token. An expired or revoked grant is `AuthFailed`, which the
    /// app answers with the provider's consent again.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<Grant, ApiError> {
        let client = self.client("http://unused.invalid/").await?;
        let token = RefreshToken::new(refresh_token.expose().to_owned());
        self.grant(client.exchange_refresh_token(&token).request_async(&self.http_client()).await)
    }

    /// The HTTP client the `oauth2` crate calls: [`https::send`], trusting the provider's CA.
    /// Its futures own what they use (no borrow of `self`), as spawned tasks need.
    fn http_client(&self) -> impl Fn(http::Request<Vec<u8>>) -> HttpsFuture {
        let ca_file = self.config.ca_file.clone();
        move |request| {
            let ca_file = ca_file.clone();
            Box::pin(async move { https::send(request, ca_file.as_deref()).await })
        }
    }

    fn grant(
        &self,
        result: Result<Tokens, RequestTokenError<HttpsError, BasicErrorResponse>>,
    ) -> Result<Grant, ApiError> {
        let tokens = result.map_err(token_error)?;
        let claim = self.config.username_claim.as_deref().unwrap_or("email");
        Ok(Grant {
            access_token: Secret(tokens.access_token().secret().clone()),
            expires_in: tokens.expires_in(),
            refresh_token: tokens.refresh_token().map(|t| Secret(t.secret().clone())),
            username: tokens.extra_fields().id_token.as_deref().and_then(|jwt| claim_of(jwt, claim)),
            name: tokens.extra_fields().id_token.as_deref().and_then(|jwt| claim_of(jwt, "name")),
        })
    }

    async fn client(&self, redirect: &str) -> Result<ProviderClient, ApiError> {
        let endpoints = self.endpoints.get_or_try_init(|| self.discover()).await?;
        let redirect = RedirectUrl::new(redirect.to_owned()).map_err(config_error)?;
        let mut client = oauth2::Client::new(ClientId::new(self.config.client_id.clone()))
            .set_auth_uri(endpoints.authorization.clone())
            .set_token_uri(endpoints.token.clone())
            .set_redirect_uri(redirect);
        if let Some(secret) = &self.config.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.clone()));
        }
        Ok(client)
    }

    /// The endpoints from the config, or else from the issuer's OpenID discovery document.
    async fn discover(&self) -> Result<Endpoints, ApiError> {
        let (authorization, token) = match (&self.config.authorization_endpoint, &self.config.token_endpoint) {
            (Some(authorization), Some(token)) => (authorization.clone(), token.clone()),
            _ => {
                #[derive(Deserialize)]
                struct Discovery {
                    authorization_endpoint: String,
                    token_endpoint: String,
                }
                let issuer = self.config.issuer.as_deref().unwrap_or_default().trim_end_matches('/');
                let url = format!("{issuer}/.well-known/openid-configuration");
                let request = http::Request::get(url.as_str()).body(Vec::new()).map_err(config_error)?;
                let response = https::send(request, self.config.ca_file.as_deref()).await.map_err(unreachable)?;
                if !response.status().is_success() {
                    return Err(unreachable(format!("{url}: {}", response.status())));
                }
                let found: Discovery = serde_json::from_slice(response.body())
                    .map_err(|e| unreachable(format!("{url}: not a discovery document ({e})")))?;
                (found.authorization_endpoint, found.token_endpoint)
            }
        };
        Ok(Endpoints {
            authorization: AuthUrl::new(authorization).map_err(config_error)?,
            token: TokenUrl::new(token).map_err(config_error)?,
        })
    }
}

/// A claim of a JWT's payload, read without checking the signature: the ID token comes
/// straight from the token endpoint over verified TLS (OpenID Connect Core §3.1.3.7).
fn claim_of(jwt: &str, claim: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&json).ok()?;
    claims.get(claim)?.as_str().map(str::to_owned)
}

fn token_error(e: RequestTokenError<HttpsError, BasicErrorResponse>) -> ApiError {
    match e {
        // invalid_grant: the code was used already or is stale, or the refresh token expired or
        // was revoked — only a new consent helps.
        RequestTokenError::ServerResponse(response) => {
            let what = response.error().to_string();
            let words = response.error_description().map(|d| format!("{what}: {d}")).unwrap_or(what);
            ApiError::new(ErrorKind::AuthFailed, format!("the identity provider refused: {words}"))
        }
        RequestTokenError::Request(e) => unreachable(e.to_string()),
        other => ApiError::new(ErrorKind::Protocol, format!("the identity provider's answer: {other}")),
    }
}

fn unreachable(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorKind::Unreachable, format!("identity provider: {e}"))
}

fn config_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorKind::Internal, format!("OAuth configuration: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_name_comes_from_the_id_token() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            r#"{"sub":"123","email":"alice@example.test","preferred_username":"alice@contoso.com","name":"山田 花子"}"#,
        );
        let jwt = format!("eyJhbGciOiJub25lIn0.{payload}.sig");
        assert_eq!(claim_of(&jwt, "email").as_deref(), Some("alice@example.test"));
        assert_eq!(claim_of(&jwt, "name").as_deref(), Some("山田 花子"), "the name mail goes out under");
        assert_eq!(claim_of(&jwt, "preferred_username").as_deref(), Some("alice@contoso.com"));
        assert_eq!(claim_of(&jwt, "missing"), None);
        assert_eq!(claim_of("not a jwt", "email"), None);
    }

    #[tokio::test]
    async fn the_presets_ask_for_mail_access_a_refresh_token_and_pkce() {
        let query =
            |url: &url::Url| -> std::collections::HashMap<String, String> { url.query_pairs().into_owned().collect() };
        let preset = |name: &str| -> OAuthConfig {
            toml::from_str(&format!("preset = \"{name}\"\nclient_id = \"id\"\nclient_secret = \"s\"")).unwrap()
        };
        let redirect = "https://mail.example.org/oauth/callback";

        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        let google = OAuthProvider::new(&preset("google")).authorization_url(redirect, "st", challenge).await.unwrap();
        let q = query(&google);
        assert_eq!(google.host_str(), Some("accounts.google.com"));
        assert_eq!((q["access_type"].as_str(), q["prompt"].as_str()), ("offline", "consent"));
        assert!(q["scope"].split(' ').any(|s| s == "https://mail.google.com/"), "{q:?}");
        assert_eq!((q["code_challenge_method"].as_str(), q["state"].as_str()), ("S256", "st"));
        assert_eq!(q["redirect_uri"], redirect);

        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        let microsoft =
            OAuthProvider::new(&preset("microsoft")).authorization_url(redirect, "st", challenge).await.unwrap();
        let q = query(&microsoft);
        assert_eq!(microsoft.host_str(), Some("login.microsoftonline.com"));
        for scope in [
            "offline_access",
            "https://outlook.office.com/IMAP.AccessAsUser.All",
            "https://outlook.office.com/SMTP.Send",
        ] {
            assert!(q["scope"].split(' ').any(|s| s == scope), "{scope} in {q:?}");
        }
    }
}
