//! Two-factor authentication of an account: set-up with a QR code, turning
//! it on with a first code, new recovery codes, and turning it off (the
//! password and a current code). The login's own check of a code is in
//! [`crate::identity`].

use chrono::Utc;
use data_encoding::BASE32_NOPAD;
use scout_domain::{AuditKind, ErrorCode};
use scout_store::User;

use crate::Application;
use crate::access::Caller;
use crate::error::{Error, Internal, Result};
use crate::identity::{
    RECOVERY_CODES, SecondFactor, TwoFactorSetup, invalid_credentials, recovery_code_hash, two_factor_off,
};
use crate::security::{password, totp};

impl Application {
    /// Starts two-factor set-up: a new secret, as text, URI and QR code.
    /// Nothing changes for logins until a code confirms it ([`Application::enable_two_factor`]).
    pub async fn two_factor_setup(&self, caller: &Caller) -> Result<TwoFactorSetup> {
        let stored = &caller.account;
        if stored.totp_secret.is_some() {
            return Err(Error::refused(ErrorCode::TotpAlreadyEnabled, "two-factor authentication is already on"));
        }
        // 160 bits, the HMAC-SHA-1 block-friendly length RFC 4226 recommends.
        let raw = self.tokens.random_bytes(20).internal("drawing a TOTP secret")?;
        let secret = BASE32_NOPAD.encode(&raw);
        let sealed = self.sealer.seal_totp(caller.id(), &raw).internal("sealing a TOTP secret")?;
        self.store.identity().set_pending_totp(caller.id(), &sealed).await?;
        let uri = totp::otpauth_uri(&secret, &stored.email);
        let qr = qrcode::QrCode::new(uri.as_bytes()).internal("drawing the QR code")?;
        let qr_svg = qr.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build();
        Ok(TwoFactorSetup { secret, otpauth_uri: uri, qr_svg })
    }

    /// Confirms the pending secret with a code and turns two-factor
    /// authentication on; the recovery codes, shown only now.
    pub async fn enable_two_factor(&self, caller: &Caller, code: &str) -> Result<Vec<String>> {
        let not_pending = || Error::refused(ErrorCode::TotpNotPending, "start with POST /v1/auth/2fa/setup");
        let Some(pending) = &caller.account.totp_pending else {
            return Err(not_pending());
        };
        let secret = self.sealer.open_totp(caller.id(), pending).internal("opening the pending TOTP secret")?;
        let now = Utc::now().timestamp().max(0) as u64;
        let Some(step) = totp::accept(&secret, code, now, None) else {
            return Err(Error::refused(ErrorCode::TotpSetupMismatch, "the code does not match the new secret"));
        };
        let (codes, hashes) = self.draw_recovery_codes()?;
        if !self.store.identity().enable_totp(caller.id(), step as i64, &hashes).await? {
            return Err(not_pending());
        }
        tracing::info!(user = caller.id(), "two-factor authentication enabled");
        let detail = format!("{RECOVERY_CODES} recovery codes issued");
        self.audit(Some(caller.id()), AuditKind::TotpEnabled, None, &detail).await?;
        Ok(codes)
    }

    /// Turns two-factor authentication off. The password and a current code
    /// (TOTP or recovery) must both be right: a stolen session alone cannot
    /// weaken the account. Wrong ones count as failed logins; the owner is
    /// told by mail.
    pub async fn disable_two_factor(
        &self,
        caller: &Caller,
        password: String,
        code: &str,
        ip: Option<&str>,
    ) -> Result<()> {
        let user = self.prove_owner(caller, password, code, ip).await?;
        if !self.store.identity().disable_totp(user.id).await? {
            return Err(two_factor_off());
        }
        tracing::info!(user = user.id, "two-factor authentication disabled");
        self.audit(Some(user.id), AuditKind::TotpDisabled, ip, "").await?;
        self.tell_owner(
            &user,
            "Two-factor authentication was turned off",
            format!(
                "Two-factor authentication was turned off for your Scout account (from {}). Logins now need only the password.\n\nIf this was not you, reset your password at once and turn two-factor authentication on again.",
                ip.unwrap_or("an unknown address")
            ),
        );
        Ok(())
    }

    /// New recovery codes in place of the old ones (used or not), after a
    /// current code proves the authenticator is at hand; shown only now.
    pub async fn renew_recovery_codes(&self, caller: &Caller, code: &str, ip: Option<&str>) -> Result<Vec<String>> {
        let user = &caller.account;
        let Some(secret) = &user.totp_secret else { return Err(two_factor_off()) };
        self.second_factor_or_refuse(user, secret, code, ip).await?;
        let (codes, hashes) = self.draw_recovery_codes()?;
        if !self.store.identity().replace_recovery_codes(user.id, &hashes).await? {
            return Err(two_factor_off());
        }
        let detail = format!("{RECOVERY_CODES} recovery codes issued, the old ones void");
        self.audit(Some(user.id), AuditKind::RecoveryCodesRenewed, ip, &detail).await?;
        Ok(codes)
    }

    /// The caller, after their password and a current second-factor code.
    async fn prove_owner(&self, caller: &Caller, password: String, code: &str, ip: Option<&str>) -> Result<User> {
        let user = caller.account.clone();
        let account = user.email.to_lowercase();
        if let Some(wait) = self.limits.logins.locked(&account, ip).await {
            return Err(Error::retry_after(ErrorCode::LoginLocked, "too many failed attempts; retry later", wait));
        }
        if !password::verify(password, Some(user.password_hash.clone())).await {
            self.limits.logins.failed(&account, ip).await;
            self.audit(Some(user.id), AuditKind::LoginFailed, ip, "wrong password to change 2FA").await?;
            return Err(invalid_credentials("the password is wrong"));
        }
        let Some(secret) = &user.totp_secret else { return Err(two_factor_off()) };
        self.second_factor_or_refuse(&user, secret, code, ip).await?;
        Ok(user)
    }

    async fn second_factor_or_refuse(&self, user: &User, secret: &str, code: &str, ip: Option<&str>) -> Result<()> {
        match self.check_second_factor(user, secret, Some(code)).await? {
            SecondFactor::Accepted => Ok(()),
            SecondFactor::Missing => Err(Error::refused(
                ErrorCode::TotpRequired,
                "send a code from the authenticator app or a recovery code",
            )),
            SecondFactor::Refused => {
                self.limits.logins.failed(&user.email.to_lowercase(), ip).await;
                self.audit(Some(user.id), AuditKind::SecondFactorFailed, ip, "wrong, expired or reused code").await?;
                Err(Error::refused(ErrorCode::InvalidTotp, "the code is wrong, expired or already used"))
            }
        }
    }

    /// Ten fresh recovery codes (`xxxxx-xxxxx`, 50 random bits each) and their hashes.
    fn draw_recovery_codes(&self) -> Result<(Vec<String>, Vec<String>)> {
        let mut codes = Vec::with_capacity(RECOVERY_CODES);
        for _ in 0..RECOVERY_CODES {
            let raw = self.tokens.random_bytes(8).internal("drawing a recovery code")?;
            let text = BASE32_NOPAD.encode(&raw).to_lowercase();
            codes.push(format!("{}-{}", &text[..5], &text[5..10]));
        }
        let hashes = codes.iter().map(|c| recovery_code_hash(c)).collect();
        Ok((codes, hashes))
    }
}
