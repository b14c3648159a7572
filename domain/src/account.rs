//! Accounts: who a user is (an email), what kind of account they hold (a
//! [`Role`]) and the rules their credentials must meet. No I/O: hashing and
//! storage live in `api` and `store`.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The kind of account, which decides what a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Searches and shortlists creators, runs campaigns, pays.
    Brand,
    /// A creator: keeps a profile, applies to campaigns, gets paid.
    Influencer,
    /// Manages client brands.
    Agency,
    /// Runs the platform; never self-registered.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Brand => "brand",
            Role::Influencer => "influencer",
            Role::Agency => "agency",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored role name.
    pub fn parse(s: &str) -> Result<Role> {
        match s {
            "brand" => Ok(Role::Brand),
            // The web app and the docs say "creator"; both words name one role.
            "influencer" | "creator" => Ok(Role::Influencer),
            "agency" => Ok(Role::Agency),
            "admin" => Ok(Role::Admin),
            _ => Err(Error::bad_parameter("role", "must be one of brand, creator (or influencer), agency")),
        }
    }

    /// A role someone may choose when signing up (admins are made by admins).
    pub fn parse_self_registered(s: &str) -> Result<Role> {
        match Role::parse(s)? {
            Role::Admin => Err(Error::bad_parameter("role", "must be one of brand, creator (or influencer), agency")),
            r => Ok(r),
        }
    }
}

/// A normalised email address: trimmed, lowercase, one `@`, a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email> {
        let s = raw.trim().to_lowercase();
        let bad = |reason: &str| Err(Error::bad_parameter("email", reason));
        if s.is_empty() || s.len() > 254 {
            return bad("must be an email address of at most 254 characters");
        }
        let Some((local, domain)) = s.split_once('@') else { return bad("must contain @") };
        if local.is_empty() || local.len() > 64 || domain.contains('@') {
            return bad("must have one @ with a name of 1 to 64 characters before it");
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels.iter().any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-'))
            || !domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        {
            return bad("must end in a domain name such as example.com");
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad("must not contain spaces");
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Shortest password accepted (NIST SP 800-63B asks at least 8; we ask 10).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted: hashing cost must not be the caller's to choose.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Checks a new password against the policy: length only, as NIST SP 800-63B
/// recommends (no composition rules), and not merely the email address.
pub fn check_new_password(password: &str, email: &Email) -> Result<()> {
    let n = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n) {
        return Err(Error::bad_parameter(
            "password",
            format!("must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    if password.trim().is_empty() {
        return Err(Error::bad_parameter("password", "must not be only spaces"));
    }
    let lower = password.to_lowercase();
    if lower == email.as_str() || lower == email.as_str().split('@').next().unwrap_or_default() {
        return Err(Error::bad_parameter("password", "must not be your email address"));
    }
    Ok(())
}

/// A display name: 1 to 100 characters once trimmed, no control characters.
pub fn parse_name(raw: &str) -> Result<String> {
    let s = raw.trim();
    let n = s.chars().count();
    if n == 0 || n > 100 || s.chars().any(char::is_control) {
        return Err(Error::bad_parameter("name", "must be 1 to 100 characters without control characters"));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Ana@Example.COM ").expect("valid").as_str(), "ana@example.com");
        for bad in
            ["", "ana", "ana@", "@example.com", "ana@example", "ana@@example.com", "a na@example.com", "ana@-x.com"]
        {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn password_policy_is_length_and_not_the_email() {
        let email = Email::parse("ana.lima@example.com").expect("valid");
        assert!(check_new_password("correct horse battery", &email).is_ok());
        assert!(check_new_password("short", &email).is_err());
        assert!(check_new_password(&"x".repeat(257), &email).is_err());
        assert!(check_new_password("           ", &email).is_err());
        assert!(check_new_password("ANA.LIMA@example.com", &email).is_err());
        // Length counts characters, not bytes.
        assert!(check_new_password("ñandú-ñandú", &email).is_ok());
    }

    #[test]
    fn only_non_admin_roles_can_be_chosen_at_sign_up() {
        assert_eq!(Role::parse_self_registered("brand").expect("brand"), Role::Brand);
        assert!(Role::parse_self_registered("admin").is_err());
        assert!(Role::parse_self_registered("root").is_err());
        assert_eq!(Role::parse("admin").expect("stored admin"), Role::Admin);
    }
}
