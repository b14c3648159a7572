//! Every stable error code Scout answers with, in one table: the code sent in
//! problem+json bodies, how it is classified ([`ErrorKind`], which `api` maps
//! to a status) and the title that goes with it.
//!
//! A code is the contract with clients: once shipped, it keeps its spelling
//! and its kind. Errors of every crate name a [`ErrorCode`] variant instead
//! of a string literal, so a typo is a compile error and the OpenAPI document
//! can list them all. The table follows meilisearch's `make_error_codes!`
//! (`crates/meilisearch-types/src/error.rs`).

use crate::ErrorKind;

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident => $kind:ident, $code:literal, $title:literal; )*) => {
        /// A stable error code (see the module documentation).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$( ErrorCode::$variant, )*];

            /// The code as sent to clients (`snake_case`).
            pub const fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $code, )* }
            }

            /// How a failure with this code is treated.
            pub const fn kind(self) -> ErrorKind {
                match self { $( ErrorCode::$variant => ErrorKind::$kind, )* }
            }

            /// A short summary of the problem type (RFC 9457 `title`).
            pub const fn title(self) -> &'static str {
                match self { $( ErrorCode::$variant => $title, )* }
            }
        }
    };
}

error_codes! {
    // The request itself.
    InvalidJson => BadRequest, "invalid_json", "Malformed JSON";
    InvalidBody => BadRequest, "invalid_body", "Invalid request body";
    InvalidQueryString => BadRequest, "invalid_query_string", "Invalid query string";
    UnsupportedMediaType => BadRequest, "unsupported_media_type", "Unsupported media type";
    PayloadTooLarge => PayloadTooLarge, "payload_too_large", "Payload too large";
    BadParameter => BadRequest, "bad_parameter", "Invalid parameter";
    UnknownFilter => BadRequest, "unknown_filter", "Unknown filter";
    InvalidProfile => BadRequest, "invalid_profile", "Invalid profile";
    NotFound => NotFound, "not_found", "Not found";
    MethodNotAllowed => MethodNotAllowed, "method_not_allowed", "Method not allowed";
    RequestTimeout => RequestTimeout, "request_timeout", "Request timeout";
    UriTooLong => UriTooLong, "uri_too_long", "URI too long";
    HeadersTooLarge => HeadersTooLarge, "headers_too_large", "Request headers too large";
    /// Every worker for expensive requests is busy: retry after `Retry-After`.
    Overloaded => Unavailable, "overloaded", "Server busy";
    /// The request did not finish within its deadline.
    DeadlineExceeded => Unavailable, "deadline_exceeded", "Deadline exceeded";
    /// The account already has as many expensive requests running as it may.
    TooManyInFlight => TooManyRequests, "too_many_in_flight", "Too many requests in flight";
    /// The account already has as many event streams open as it may.
    TooManyStreams => TooManyRequests, "too_many_streams", "Too many event streams";

    // Credentials and sessions.
    MissingToken => Unauthorized, "missing_token", "Access token required";
    InvalidToken => Unauthorized, "invalid_token", "Invalid access token";
    TokenExpired => Unauthorized, "token_expired", "Access token expired";
    TokenRevoked => Unauthorized, "token_revoked", "Session ended";
    KeyRevoked => Unauthorized, "key_revoked", "API key revoked";
    InvalidCredentials => Unauthorized, "invalid_credentials", "Wrong credentials";
    TotpRequired => Unauthorized, "totp_required", "Second factor required";
    /// A wrong, expired or reused second factor at login.
    InvalidTotp => Unauthorized, "invalid_totp", "Wrong second factor";
    /// A code that does not confirm a pending 2FA secret: the caller is logged
    /// in, so this is a bad request, not a failed authentication (same code).
    TotpSetupMismatch => BadRequest, "invalid_totp", "Wrong confirmation code";
    TotpNotPending => BadRequest, "totp_not_pending", "No 2FA set-up in progress";
    TotpAlreadyEnabled => Conflict, "totp_already_enabled", "2FA already on";
    TotpNotEnabled => Conflict, "totp_not_enabled", "2FA not on";
    InvalidRefreshToken => Unauthorized, "invalid_refresh_token", "Invalid refresh token";
    RefreshTokenReused => Unauthorized, "refresh_token_reused", "Refresh token reused";
    RefreshTokenExpired => Unauthorized, "refresh_token_expired", "Refresh token expired";
    InvalidResetToken => BadRequest, "invalid_reset_token", "Invalid reset token";
    InvalidVerificationToken => BadRequest, "invalid_verification_token", "Invalid verification token";
    LoginLocked => TooManyRequests, "login_locked", "Login locked";
    RateLimited => TooManyRequests, "rate_limited", "Too many requests";
    AccountRateLimited => TooManyRequests, "account_rate_limited", "Too many requests for this account";
    EmailTaken => Conflict, "email_taken", "Email already registered";
    MailUnavailable => Unavailable, "mail_unavailable", "Mail unavailable";
    UserNotFound => NotFound, "user_not_found", "No such account";

    // OAuth2 (RFC 6749 §5.2 names).
    InvalidRequest => BadRequest, "invalid_request", "Invalid token request";
    InvalidClient => Unauthorized, "invalid_client", "Invalid client";
    UnsupportedGrantType => BadRequest, "unsupported_grant_type", "Unsupported grant type";
    InvalidScope => BadRequest, "invalid_scope", "Invalid scope";
    /// A scope the account's role may never hold, asked for a new key.
    ScopeNotAllowed => Forbidden, "invalid_scope", "Scope not allowed for this role";
    UnauthorizedClient => BadRequest, "unauthorized_client", "Client may not use this grant";

    // Access.
    Forbidden => Forbidden, "forbidden", "Forbidden";
    InsufficientScope => Forbidden, "insufficient_scope", "Insufficient scope";
    SessionRequired => Forbidden, "session_required", "Login session required";
    TwoFactorRequired => Forbidden, "two_factor_required", "2FA required";
    OriginNotAllowed => Forbidden, "origin_not_allowed", "Origin not allowed";
    NoOrganisation => Forbidden, "no_organisation", "No organisation";
    NotABrand => Forbidden, "not_a_brand", "Not a brand organisation";
    NotAnAgency => Forbidden, "not_an_agency", "Not an agency";

    // Organisations, keys and lists.
    OrganisationNotFound => NotFound, "organisation_not_found", "No such organisation";
    AgencyNotFound => NotFound, "agency_not_found", "No such agency";
    MemberNotFound => NotFound, "member_not_found", "No such member";
    AlreadyMember => Conflict, "already_member", "Already a member";
    LastOwner => Conflict, "last_owner", "Last owner";
    KeyNotFound => NotFound, "key_not_found", "No such key";
    ShortlistNotFound => NotFound, "shortlist_not_found", "No such shortlist";
    EntryNotFound => NotFound, "entry_not_found", "No such shortlist entry";
    SavedSearchNotFound => NotFound, "saved_search_not_found", "No such saved search";

    // Profiles and privacy.
    ProfileNotFound => NotFound, "profile_not_found", "No such profile";
    ProfileErased => Conflict, "profile_erased", "Profile erased";
    AlreadyClaimed => Conflict, "already_claimed", "Profile already claimed";
    ClaimNotFound => NotFound, "claim_not_found", "No such claim";
    ClaimNotVerified => Forbidden, "claim_not_verified", "Claim not verified";
    ClaimCodeNotFound => Conflict, "claim_code_not_found", "Claim code not shown yet";
    // Campaigns, negotiations and contracts (`scout-market` rules).
    CampaignNotFound => NotFound, "campaign_not_found", "No such campaign";
    NegotiationNotFound => NotFound, "negotiation_not_found", "No such negotiation";
    ContractNotFound => NotFound, "contract_not_found", "No such contract";
    MilestoneNotFound => NotFound, "milestone_not_found", "No such milestone";
    /// The action is not allowed in the object's current state (the detail names it).
    InvalidTransition => Conflict, "invalid_transition", "Not allowed in the current state";
    /// An offer was answered after a newer one superseded it.
    StaleOffer => Conflict, "stale_offer", "Offer superseded";
    /// A campaign and creator already have an open negotiation.
    NegotiationExists => Conflict, "negotiation_exists", "Negotiation already open";
    /// The record changed since the caller read it (another edit came first).
    EditConflict => Conflict, "edit_conflict", "Changed since it was read";
    /// The caller's side may never take this action.
    NotAParty => Forbidden, "not_a_party", "Not this party's action";
    // Reviews and referrals.
    ReviewNotFound => NotFound, "review_not_found", "No such review";
    /// This side already reviewed this contract.
    ReviewExists => Conflict, "review_exists", "Already reviewed";
    /// A review can be edited for 14 days after it is written.
    ReviewLocked => Conflict, "review_locked", "Review no longer editable";
    /// A sign-up named a referral code nobody holds.
    ReferralCodeUnknown => BadRequest, "referral_code_unknown", "Unknown referral code";
    /// A sign-up named the code of its own account, organisation, email domain or address.
    SelfReferral => BadRequest, "self_referral", "Self-referral";
    // Money.
    /// A transfer's postings are malformed or its debits and credits differ.
    TransferInvalid => BadRequest, "transfer_invalid", "Invalid transfer";
    /// An account would go below zero.
    InsufficientFunds => Conflict, "insufficient_funds", "Insufficient funds";
    /// An idempotency key came back with a different request.
    IdempotencyKeyReused => Conflict, "idempotency_key_reused", "Idempotency key reused";
    /// A posting's account holds another currency than the transfer moves.
    CurrencyMismatch => BadRequest, "currency_mismatch", "Currency mismatch";
    /// An exchange rate is missing or out of range, or an amount overflows.
    InvalidRate => BadRequest, "invalid_rate", "Invalid exchange rate";
    /// No funding with this id in the caller's organisation.
    FundingNotFound => NotFound, "funding_not_found", "Funding not found";
    /// No invoice or receipt with this id for the caller.
    InvoiceNotFound => NotFound, "invoice_not_found", "Invoice not found";
    /// No payout with this id for the caller.
    PayoutNotFound => NotFound, "payout_not_found", "Payout not found";
    /// A money-moving request without an `Idempotency-Key` header.
    IdempotencyKeyMissing => BadRequest, "idempotency_key_missing", "Idempotency key missing";
    /// The payment provider declined (a card declined, insufficient funds at the bank…).
    PaymentDeclined => PaymentRequired, "payment_declined", "Payment declined";
    /// A webhook whose signature does not hold (wrong secret, outside the tolerance, missing).
    WebhookSignatureInvalid => Unauthorized, "webhook_signature_invalid", "Invalid webhook signature";
    /// A signed webhook whose body is not an event Scout reads.
    WebhookInvalid => BadRequest, "webhook_invalid", "Invalid webhook";
    /// No payment provider of that name here.
    ProviderUnknown => NotFound, "provider_unknown", "Unknown payment provider";
    /// The payment provider cannot be reached; the same request may be sent again.
    ProviderUnavailable => Unavailable, "provider_unavailable", "Payment provider unavailable";
    /// A payout needs payout settings first.
    PayoutMethodMissing => Conflict, "payout_method_missing", "No payout method";
    /// A payout setting that is not valid (IBAN checksum, routing number, email…).
    PayoutMethodInvalid => BadRequest, "payout_method_invalid", "Invalid payout method";
    IndexerBehind => Unavailable, "indexer_behind", "Indexer behind";
    /// Reading an import's body failed midway (the client's stream broke).
    ImportFailed => BadRequest, "import_failed", "Import failed";

    // Models.
    ModelUnavailable => Unavailable, "model_unavailable", "Model unavailable";

    // Our own failures (details are logged, never sent).
    BadDatabaseUrl => BadRequest, "bad_database_url", "Unsupported database URL";
    Unavailable => Unavailable, "unavailable", "Service unavailable";
    StorageError => Internal, "storage_error", "Storage error";
    IndexError => Internal, "index_error", "Index error";
    ModelError => Internal, "model_error", "Model error";
    Internal => Internal, "internal", "Internal error";
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_and_one_kind_each_but_the_documented_pairs() {
        let mut seen: std::collections::HashMap<&str, Vec<ErrorCode>> = Default::default();
        for &c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(s.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'), "{s}");
            assert!(!c.title().is_empty() && !c.title().ends_with('.'), "{s}");
            seen.entry(s).or_default().push(c);
        }
        // Two codes are shared by a pair of variants with different kinds (the
        // spelling is the contract; the status depends on where it happens).
        let shared: std::collections::HashMap<&str, Vec<ErrorCode>> = [
            ("invalid_totp", vec![ErrorCode::InvalidTotp, ErrorCode::TotpSetupMismatch]),
            ("invalid_scope", vec![ErrorCode::InvalidScope, ErrorCode::ScopeNotAllowed]),
        ]
        .into_iter()
        .collect();
        for (code, variants) in seen {
            if variants.len() > 1 {
                assert_eq!(shared.get(code), Some(&variants), "{code} is shared by {variants:?}");
            }
        }
    }

    #[test]
    fn kinds_come_from_the_table() {
        assert_eq!(ErrorCode::LoginLocked.kind(), ErrorKind::TooManyRequests);
        assert_eq!(ErrorCode::ProfileNotFound.kind(), ErrorKind::NotFound);
        assert_eq!(ErrorCode::InvalidTotp.kind(), ErrorKind::Unauthorized);
        assert_eq!(ErrorCode::TotpSetupMismatch.kind(), ErrorKind::BadRequest);
    }
}
