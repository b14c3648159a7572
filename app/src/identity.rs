//! Accounts and sessions: sign-up, log-in with lockouts and a second factor,
//! refresh-token rotation with reuse detection, log-out, two-factor set-up
//! with recovery codes, password change and reset, email verification, and
//! the account's audit log. Every step that matters is audited.

use chrono::Utc;
use scout_domain::account::{self, Email, Role};
use scout_domain::org::OrgKind;
use scout_domain::{AuditKind, ErrorCode};
use scout_store::{AuditEvent, RefreshSpend, TokenPurpose, User};

use crate::Application;
use crate::access::Caller;
use crate::error::{Error, Internal, Result};
use crate::mail::Mail;
use crate::security::tokens::{REFRESH_TTL_SECS, token_hash};
use crate::security::{password, totp};

/// How long a mailed token stays valid.
const PASSWORD_RESET_TTL_SECS: i64 = 3600;
const VERIFY_EMAIL_TTL_SECS: i64 = 7 * 24 * 3600;
/// Recovery codes issued when two-factor authentication is turned on.
pub(crate) const RECOVERY_CODES: usize = 10;

/// A new token pair: a short-lived access JWT and a refresh token.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

/// A pending two-factor secret, as an authenticator app takes it.
#[derive(Debug, Clone)]
pub struct TwoFactorSetup {
    /// The shared secret, base32.
    pub secret: String,
    pub otpauth_uri: String,
    /// The URI as a QR code (SVG).
    pub qr_svg: String,
}

/// What a second factor presented at login did.
pub(crate) enum SecondFactor {
    Accepted,
    /// None was sent, for an account that needs one.
    Missing,
    /// Wrong, expired or already used.
    Refused,
}

pub(crate) fn two_factor_off() -> Error {
    Error::refused(ErrorCode::TotpNotEnabled, "two-factor authentication is not on for this account")
}

pub(crate) fn invalid_credentials(detail: &str) -> Error {
    Error::refused(ErrorCode::InvalidCredentials, detail)
}

/// What a sign-up sends, unchecked: the address, the chosen password, the
/// role (`brand`, `agency`, `creator` or `influencer`) and the display name.
#[derive(Debug)]
pub struct SignUp<'a> {
    pub email: &'a str,
    pub password: String,
    pub role: &'a str,
    pub name: &'a str,
    /// The referral code the sign-up came with.
    pub referral_code: Option<&'a str>,
}

impl Application {
    /// Signs up: checks the request, hashes the password, and answers the
    /// same whether or not the address already has an account, so sign-up
    /// does not tell who uses Scout. The account itself is created after the
    /// answer (never an admin one; brands and agencies get an organisation of
    /// their own), and a verification mail follows; when the address is
    /// taken, its owner is told instead (at most once an hour). Returns the
    /// address as stored.
    pub async fn register(&self, form: SignUp<'_>, ip: Option<&str>) -> Result<Email> {
        let code = form.referral_code;
        let (email, hash, role, name) = checked_signup(form).await?;
        let referrer = match code.filter(|c| !c.trim().is_empty()) {
            Some(c) => Some(self.referrer_for(c, email.as_str(), ip).await?),
            None => None,
        };
        let (me, answer, ip) = (self.clone(), email.clone(), ip.map(str::to_string));
        tokio::spawn(async move {
            let made = me.create_account(&email, &hash, role, &name, ip.as_deref()).await;
            if let (Ok(user), Some((referrer, code))) = (&made, &referrer)
                && let Err(e) = me.store.referrals().record(*referrer, user.id, code).await
            {
                tracing::warn!(error = %e, "a referral was not recorded");
            }
            let told = match made {
                Err(Error::Store(scout_store::Error::EmailTaken)) => {
                    me.tell_owner_of_signup(&email, ip.as_deref()).await
                }
                other => other.map(|_| ()),
            };
            if let Err(e) = told {
                tracing::warn!(error = %e, "could not finish a registration");
            }
        });
        Ok(answer)
    }

    /// Opens an account at once, for callers in this process (benchmarks,
    /// tools) that go on with it; a taken address is an error here. The
    /// HTTP sign-up is [`Application::register`].
    pub async fn open_account(&self, form: SignUp<'_>, ip: Option<&str>) -> Result<User> {
        let (email, hash, role, name) = checked_signup(form).await?;
        self.create_account(&email, &hash, role, &name, ip).await
    }

    async fn create_account(
        &self,
        email: &Email,
        hash: &str,
        role: Role,
        name: &str,
        ip: Option<&str>,
    ) -> Result<User> {
        let user = self.store.identity().create_user(email, hash, role, name).await?;
        let org = match role {
            Role::Brand => Some(self.store.orgs().create_organisation(OrgKind::Brand, name, user.id).await?),
            Role::Agency => Some(self.store.orgs().create_organisation(OrgKind::Agency, name, user.id).await?),
            Role::Influencer | Role::Admin => None,
        };
        tracing::info!(user = user.id, role = role.as_str(), "account created");
        self.audit_org(org.map(|o| o.id), Some(user.id), AuditKind::AccountCreated, ip, role.as_str()).await?;
        self.send_token_mail(&user, TokenPurpose::VerifyEmail).await?;
        Ok(user)
    }

    /// Someone signed up with an address that has an account: its owner
    /// hears of it (at most once an hour), the audit log keeps it.
    async fn tell_owner_of_signup(&self, email: &Email, ip: Option<&str>) -> Result<()> {
        let Some(user) = self.store.identity().user_by_email(email).await? else { return Ok(()) };
        self.audit(Some(user.id), AuditKind::SignupAttempted, ip, "sign-up with this address refused").await?;
        if !self.limits.logins.warn_owner(&format!("signup {}", user.email.to_lowercase())).await {
            return Ok(());
        }
        let mail = Mail {
            to: user.email.clone(),
            subject: "Someone tried to create a Scout account with your address".into(),
            body: format!(
                "Someone tried to create a new Scout account with this address (from {}). Your account is unchanged and no second account was made.\n\nIf it was you, log in with your existing password, or reset it if you forgot it. If it was not, you need do nothing.",
                ip.unwrap_or("an unknown address")
            ),
        };
        self.send_mail(mail).await
    }

    /// Starts a session. Failed attempts count towards a lock of the email as
    /// typed (so unknown accounts lock too, and a lock reveals nothing); an
    /// account with 2FA needs a TOTP or recovery code.
    pub async fn login(&self, email: &str, password: String, code: Option<&str>, ip: Option<&str>) -> Result<Tokens> {
        let account = email.trim().to_lowercase();
        if let Some(wait) = self.limits.logins.locked(&account, ip).await {
            return Err(Error::retry_after(ErrorCode::LoginLocked, "too many failed logins; retry later", wait));
        }
        // A malformed email is simply an unknown account: same answer, same time.
        let user = match Email::parse(email) {
            Ok(email) => self.store.identity().user_by_email(&email).await?,
            Err(_) => None,
        };
        let ok = password::verify(password, user.as_ref().map(|u| u.password_hash.clone())).await;
        let Some(user) = user.as_ref().filter(|_| ok) else {
            tracing::info!("login failed");
            let known = user.as_ref().map(|u| u.id);
            self.audit(known, AuditKind::LoginFailed, ip, "wrong password or unknown account").await?;
            if let Some(wait) = self.limits.logins.failed(&account, ip).await {
                tracing::warn!(lock_secs = wait.as_secs(), "login locked after repeated failures");
                self.audit(known, AuditKind::LoginLocked, ip, &format!("locked for {} s", wait.as_secs())).await?;
                if let Some(user) = &user {
                    self.warn_of_failed_logins(user, ip).await;
                }
            }
            return Err(invalid_credentials("wrong email or password"));
        };
        if let Some(secret) = &user.totp_secret {
            match self.check_second_factor(user, secret, code).await? {
                SecondFactor::Accepted => {}
                SecondFactor::Missing => {
                    return Err(Error::refused(
                        ErrorCode::TotpRequired,
                        "this account uses two-factor authentication: send `totp`",
                    ));
                }
                SecondFactor::Refused => {
                    self.limits.logins.failed(&account, ip).await;
                    self.audit(Some(user.id), AuditKind::SecondFactorFailed, ip, "wrong, expired or reused code")
                        .await?;
                    return Err(Error::refused(ErrorCode::InvalidTotp, "the code is wrong, expired or already used"));
                }
            }
        }
        self.limits.logins.succeeded(&account, ip).await;
        let how = if user.totp_secret.is_some() { "with 2FA" } else { "password" };
        self.audit(Some(user.id), AuditKind::Login, ip, how).await?;
        let family = self.tokens.random_token(16).internal("drawing a session id")?;
        tracing::info!(user = user.id, "login");
        self.start_tokens(user, &family).await
    }

    /// A TOTP code, or one of the recovery codes, for an account with 2FA on.
    pub(crate) async fn check_second_factor(
        &self,
        user: &User,
        secret: &str,
        code: Option<&str>,
    ) -> Result<SecondFactor> {
        let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
            return Ok(SecondFactor::Missing);
        };
        let secret = self.sealer.open_totp(user.id, secret).internal("opening a stored TOTP secret")?;
        let now = Utc::now().timestamp().max(0) as u64;
        let last = user.totp_last_step.and_then(|s| u64::try_from(s).ok());
        let accepted = match totp::accept(&secret, code, now, last) {
            Some(step) => self.store.identity().use_totp_step(user.id, step as i64).await?,
            None => self.store.identity().spend_recovery_code(user.id, &recovery_code_hash(code)).await?,
        };
        if !accepted {
            tracing::info!(user = user.id, "second factor refused");
            return Ok(SecondFactor::Refused);
        }
        Ok(SecondFactor::Accepted)
    }

    /// The next pair of a session (refresh-token family).
    async fn start_tokens(&self, user: &User, family: &str) -> Result<Tokens> {
        let refresh = self.tokens.random_token(32).internal("drawing a refresh token")?;
        let expires = Utc::now() + chrono::Duration::seconds(REFRESH_TTL_SECS);
        self.store.identity().add_refresh_token(user.id, family, &token_hash(&refresh), expires).await?;
        let (access, expires_in) =
            self.tokens.issue(user.id, user.role, user.token_version, family).internal("signing an access token")?;
        Ok(Tokens { access_token: access, refresh_token: refresh, expires_in })
    }

    /// Exchanges a refresh token for a new pair; the presented token is spent.
    /// Presenting a spent token again ends its whole session (token theft).
    /// Only refused tokens count against the address's credential budget: a
    /// guesser is stopped, while the web app's refresh at every page load
    /// (many people behind one office address) costs nothing.
    pub async fn refresh(&self, presented: &str, ip: Option<&str>) -> Result<Tokens> {
        let address = ip.unwrap_or("unknown");
        if let Err(wait) = self.limits.auth_per_ip.peek(address).await {
            return Err(Error::retry_after(
                ErrorCode::RateLimited,
                "too many requests from this address; retry later",
                wait,
            ));
        }
        let answer = self.exchange_refresh_token(presented, ip).await;
        if answer.is_err() {
            // Counted; the next refused one past the budget gets 429.
            let _ = self.limits.auth_per_ip.check(address).await;
        }
        answer
    }

    async fn exchange_refresh_token(&self, presented: &str, ip: Option<&str>) -> Result<Tokens> {
        let invalid = || Error::refused(ErrorCode::InvalidRefreshToken, "the refresh token is not valid");
        match self.store.identity().spend_refresh_token(&token_hash(presented)).await? {
            RefreshSpend::Fresh { user_id, family } => {
                let user = self.store.identity().user_by_id(user_id).await?.ok_or_else(invalid)?;
                self.start_tokens(&user, &family).await
            }
            RefreshSpend::Reused { user_id, family } => {
                tracing::warn!(session = %family, "refresh token reused; session revoked");
                let detail = format!("session {family} ended");
                self.audit(Some(user_id), AuditKind::RefreshTokenReused, ip, &detail).await?;
                Err(Error::refused(
                    ErrorCode::RefreshTokenReused,
                    "this refresh token was already used; the session has been ended",
                ))
            }
            RefreshSpend::Expired => {
                Err(Error::refused(ErrorCode::RefreshTokenExpired, "the refresh token has expired; log in again"))
            }
            RefreshSpend::Revoked | RefreshSpend::Unknown => Err(invalid()),
        }
    }

    /// Ends the caller's session, or with `all` every session of the account.
    pub async fn logout(&self, caller: &Caller, all: bool, ip: Option<&str>) -> Result<()> {
        let session = caller.require_session()?;
        if all {
            self.store.identity().end_sessions(caller.id(), None).await?;
        } else {
            self.store.identity().revoke_refresh_family(session).await?;
        }
        tracing::info!(user = caller.id(), all, "logout");
        let kind = if all { AuditKind::LogoutEverywhere } else { AuditKind::Logout };
        self.audit(Some(caller.id()), kind, ip, "").await
    }

    /// A page of the web app carrying a mailed token: on the configured public
    /// origin, else on the address Scout listens on (a wildcard address read
    /// as `localhost`).
    fn web_link(&self, page: &str, token: &str) -> String {
        let settings = self.settings();
        let origin = match &settings.public_origin {
            Some(origin) => origin.trim_end_matches('/').to_string(),
            None => {
                let scheme = if settings.uses_tls() { "https" } else { "http" };
                let host = settings.listen.replace("0.0.0.0", "localhost").replace("[::]", "localhost");
                format!("{scheme}://{host}")
            }
        };
        format!("{origin}{page}?token={token}")
    }

    /// Mails the account's owner about a change to it, after the answer.
    pub(crate) fn tell_owner(&self, user: &User, subject: &str, body: String) {
        let mail = Mail { to: user.email.clone(), subject: subject.into(), body };
        let me = self.clone();
        tokio::spawn(async move {
            if let Err(e) = me.send_mail(mail).await {
                tracing::warn!(error = %e, "could not mail the owner of an account");
            }
        });
    }

    /// The caller's own security events, newest first.
    pub async fn account_audit(&self, caller: &Caller, limit: i64) -> Result<Vec<AuditEvent>> {
        Ok(self.store.identity().audit_events(caller.id(), limit).await?)
    }

    /// Changes the password; every session of the account ends.
    pub async fn change_password(&self, caller: &Caller, current: String, new: String, ip: Option<&str>) -> Result<()> {
        let stored = &caller.account;
        if !password::verify(current, Some(stored.password_hash.clone())).await {
            self.audit(Some(caller.id()), AuditKind::PasswordChangeFailed, ip, "wrong current password").await?;
            return Err(invalid_credentials("the current password is wrong"));
        }
        let email = Email::parse(&stored.email)?;
        account::check_new_password(&new, &email)?;
        let hash = password::hash(new).await.internal("hashing a password")?;
        self.store.identity().end_sessions(caller.id(), Some(&hash)).await?;
        self.audit(Some(caller.id()), AuditKind::PasswordChanged, ip, "every session ended").await?;
        tracing::info!(user = caller.id(), "password changed");
        Ok(())
    }

    /// Mails a password-reset token when the account exists; says nothing
    /// either way, so it does not tell who has an account. The lookup and the
    /// mail run after the answer, so neither its time nor a mail failure
    /// tells either.
    pub async fn forgot_password(&self, email: &str, ip: Option<&str>) -> Result<()> {
        let Ok(email) = Email::parse(email) else { return Ok(()) };
        let (me, ip) = (self.clone(), ip.map(str::to_string));
        tokio::spawn(async move {
            if let Err(e) = me.mail_reset_token(&email, ip.as_deref()).await {
                tracing::warn!(error = %e, "could not mail a password reset");
            }
        });
        Ok(())
    }

    async fn mail_reset_token(&self, email: &Email, ip: Option<&str>) -> Result<()> {
        if let Some(user) = self.store.identity().user_by_email(email).await? {
            self.send_token_mail(&user, TokenPurpose::PasswordReset).await?;
            self.audit(Some(user.id), AuditKind::PasswordResetRequested, ip, "").await?;
        }
        Ok(())
    }

    /// Sets a new password with a mailed token (single use, one hour); every
    /// session of the account ends.
    pub async fn reset_password(&self, token: &str, new: String, ip: Option<&str>) -> Result<()> {
        let bad = || Error::refused(ErrorCode::InvalidResetToken, "the reset token is wrong, used or expired");
        let hash = token_hash(token.trim());
        // Spent first, so two racing resets cannot both pass; a refused new
        // password costs the caller a new reset mail.
        let Some(user_id) = self.store.identity().spend_user_token(&hash, TokenPurpose::PasswordReset).await? else {
            return Err(bad());
        };
        let user = self.store.identity().user_by_id(user_id).await?.ok_or_else(bad)?;
        let email = Email::parse(&user.email)?;
        account::check_new_password(&new, &email)?;
        let new_hash = password::hash(new).await.internal("hashing a password")?;
        self.store.identity().end_sessions(user.id, Some(&new_hash)).await?;
        self.store.identity().mark_email_verified(user.id).await?;
        self.audit(Some(user.id), AuditKind::PasswordReset, ip, "every session ended").await
    }

    /// Confirms an account's email address with the mailed token.
    pub async fn verify_email(&self, token: &str) -> Result<()> {
        let hash = token_hash(token.trim());
        let Some(user) = self.store.identity().spend_user_token(&hash, TokenPurpose::VerifyEmail).await? else {
            return Err(Error::refused(ErrorCode::InvalidVerificationToken, "the token is wrong, used or expired"));
        };
        self.store.identity().mark_email_verified(user).await?;
        self.audit(Some(user), AuditKind::EmailVerified, None, "").await
    }

    /// Mails a one-time token (only its hash is stored).
    /// Tells an account's owner that logins to it are being refused after
    /// repeated wrong passwords (at most once an hour). Off the request
    /// path: the answer does not wait for the mail, nor depend on it.
    async fn warn_of_failed_logins(&self, user: &User, ip: Option<&str>) {
        if !self.limits.logins.warn_owner(&user.email.to_lowercase()).await {
            return;
        }
        let mail = Mail {
            to: user.email.clone(),
            subject: "Repeated failed logins to your Scout account".into(),
            body: format!(
                "Someone tried to log in to this account with a wrong password several times (last from {}). Logins from that address now wait; your own devices are not affected.\n\nIf it was you, wait a few minutes or reset your password. If it was not, consider a stronger password and two-factor authentication.",
                ip.unwrap_or("an unknown address")
            ),
        };
        let mailer = self.mailer.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = mailer.send(&mail) {
                tracing::warn!(error = %e, "could not send a failed-login warning");
            }
        });
    }

    async fn send_token_mail(&self, user: &User, purpose: TokenPurpose) -> Result<()> {
        let token = self.tokens.random_token(32).internal("drawing a mail token")?;
        let (ttl, subject, body) = match purpose {
            TokenPurpose::PasswordReset => (
                PASSWORD_RESET_TTL_SECS,
                "Reset your Scout password",
                format!(
                    "Someone asked to reset the password of this account. If it was you, choose a new password within an hour at\n\n{}\n\nor send this token to POST /v1/auth/password/reset:\n\n{token}\n\nIf it was not you, ignore this message.",
                    self.web_link("/reset-password", &token)
                ),
            ),
            TokenPurpose::VerifyEmail => (
                VERIFY_EMAIL_TTL_SECS,
                "Confirm your email for Scout",
                format!(
                    "Welcome to Scout. Confirm this address by opening\n\n{}\n\nor by sending this token to POST /v1/auth/verify-email:\n\n{token}\n",
                    self.web_link("/verify-email", &token)
                ),
            ),
        };
        let expires = Utc::now() + chrono::Duration::seconds(ttl);
        self.store.identity().create_user_token(user.id, purpose, &token_hash(&token), expires).await?;
        let mail = Mail { to: user.email.clone(), subject: subject.into(), body };
        self.send_mail(mail).await
    }

    /// Sends one mail off the async executor; a mailer failure is `mail_unavailable`.
    async fn send_mail(&self, mail: Mail) -> Result<()> {
        let mailer = self.mailer.clone();
        tokio::task::spawn_blocking(move || mailer.send(&mail))
            .await?
            .map_err(|e| Error::refused(ErrorCode::MailUnavailable, format!("sending mail: {e}")))
    }
}

/// Creates a platform admin (`scout admin create`; admins are never
/// self-registered). Their email counts as verified; they must turn on
/// two-factor authentication at first login. Takes the store alone, so it
/// runs beside a serving process (which holds the indexes).
pub async fn create_admin(store: &scout_store::Store, email: &str, name: &str, password: String) -> Result<User> {
    let email = Email::parse(email)?;
    let name = account::parse_name(name)?;
    account::check_new_password(&password, &email)?;
    let hash = password::hash(password).await.internal("hashing a password")?;
    let user = store.identity().create_user(&email, &hash, Role::Admin, &name).await?;
    store.identity().mark_email_verified(user.id).await?;
    store
        .identity()
        .audit(Some(user.id), AuditKind::AccountCreated.as_str(), None, "admin, from the command line")
        .await?;
    Ok(user)
}

/// A sign-up's fields, checked, with the password hashed (never an admin).
async fn checked_signup(form: SignUp<'_>) -> Result<(Email, String, Role, String)> {
    let email = Email::parse(form.email)?;
    let role = Role::parse_self_registered(form.role)?;
    let name = account::parse_name(form.name)?;
    account::check_new_password(&form.password, &email)?;
    let hash = password::hash(form.password).await.internal("hashing a password")?;
    Ok((email, hash, role, name))
}

/// What is stored of a recovery code: its BLAKE3 hash (the code is 50 random bits).
pub(crate) fn recovery_code_hash(code: &str) -> String {
    let normal: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase();
    blake3::hash(normal.as_bytes()).to_hex().to_string()
}
