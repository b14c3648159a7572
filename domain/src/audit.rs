//! The kinds of security and administration events Scout records in its
//! audit log (and streams to the account's open event streams).

use serde::{Deserialize, Serialize};

macro_rules! audit_kinds {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal, )*) => {
        /// What an audit event records. Stored and sent as its `snake_case` name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum AuditKind {
            $( $(#[$doc])* $variant, )*
        }

        impl AuditKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [AuditKind] = &[$( AuditKind::$variant, )*];

            /// The stored name.
            pub const fn as_str(self) -> &'static str {
                match self { $( AuditKind::$variant => $name, )* }
            }

            /// The kind of a stored name; `None` for a name this version does not know.
            pub fn from_name(name: &str) -> Option<AuditKind> {
                match name { $( $name => Some(AuditKind::$variant), )* _ => None }
            }
        }
    };
}

audit_kinds! {
    // Accounts and sessions.
    AccountCreated => "account_created",
    /// A sign-up with an address that already has an account (refused, owner told).
    SignupAttempted => "signup_attempted",
    EmailVerified => "email_verified",
    Login => "login",
    LoginFailed => "login_failed",
    LoginLocked => "login_locked",
    SecondFactorFailed => "second_factor_failed",
    Logout => "logout",
    /// Every session of the account ended at once.
    LogoutEverywhere => "logout_everywhere",
    RefreshTokenReused => "refresh_token_reused",
    PasswordChanged => "password_changed",
    PasswordChangeFailed => "password_change_failed",
    PasswordResetRequested => "password_reset_requested",
    PasswordReset => "password_reset",
    TotpEnabled => "totp_enabled",
    TotpDisabled => "totp_disabled",
    /// New recovery codes replaced the old ones.
    RecoveryCodesRenewed => "recovery_codes_renewed",
    // Credentials.
    ApiKeyCreated => "api_key_created",
    ApiKeyRevoked => "api_key_revoked",
    OauthClientCreated => "oauth_client_created",
    OauthClientFailed => "oauth_client_failed",
    // Organisations.
    RoleChanged => "role_changed",
    MemberRemoved => "member_removed",
    /// An agency created a client brand.
    ClientCreated => "client_created",
    AgencyGranted => "agency_granted",
    AgencyRevoked => "agency_revoked",
    // Profiles and privacy.
    ProfileClaimStarted => "profile_claim_started",
    ProfileClaimed => "profile_claimed",
    ConsentChanged => "consent_changed",
    DataExported => "data_exported",
    AccountErased => "account_erased",
    /// A platform admin erased an account or a platform handle.
    Erasure => "erasure",
    // Models.
    ModelsReloaded => "models_reloaded",
}

impl std::fmt::Display for AuditKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for &k in AuditKind::ALL {
            assert_eq!(AuditKind::from_name(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).ok(), Some(serde_json::Value::from(k.as_str())));
        }
        assert_eq!(AuditKind::from_name("no_such_event"), None);
    }
}
