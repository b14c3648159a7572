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
///
/// The rule is [`EMAIL_PATTERN`] exactly (the API's document publishes it, and
/// a fuzzer checks that the server accepts what it allows and refuses what it
/// does not): surrounding spaces, tabs and line breaks are dropped; the name
/// before the `@` is 1 to 64 printable ASCII characters; the domain is 2 to 8
/// labels of 1 to 63 ASCII letters, digits and inner hyphens (international
/// domains in their `xn--` form, as mail servers use them).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Email(String);

/// [`Email::parse`]'s rule as a regular expression (ECMA 262 and Python alike).
pub const EMAIL_PATTERN: &str = r"^[ \t\r\n]*[!-?A-~]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,7}[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?[ \t\r\n]*$";

impl Email {
    pub fn parse(raw: &str) -> Result<Email> {
        let s = raw.trim_matches([' ', '\t', '\r', '\n']).to_ascii_lowercase();
        let bad = |reason: &str| Err(Error::bad_parameter("email", reason));
        let Some((local, domain)) = s.split_once('@') else {
            return bad("must be an email address such as ana@example.com");
        };
        if local.is_empty() || local.len() > 64 || !local.bytes().all(|b| b.is_ascii_graphic() && b != b'@') {
            return bad("must have a name of 1 to 64 printable ASCII characters (no spaces) before its one @");
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let label_ok = |l: &&str| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if !(2..=8).contains(&labels.len()) || !labels.iter().all(label_ok) {
            return bad(
                "must end in a domain name such as example.com (ASCII; international names in their xn-- form)",
            );
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
    if password.chars().all(char::is_whitespace) {
        return Err(Error::bad_parameter("password", "must not be only spaces"));
    }
    let lower = password.to_lowercase();
    if lower == email.as_str() || lower == email.as_str().split('@').next().unwrap_or_default() {
        return Err(Error::bad_parameter("password", "must not be your email address"));
    }
    Ok(())
}

/// Longest display name of a person or company, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A display name: at most [`MAX_NAME_CHARS`] characters, not only white
/// space, no control characters; stored trimmed. See [`parse_display_name`].
pub fn parse_name(raw: &str) -> Result<String> {
    parse_display_name(raw, "name", MAX_NAME_CHARS)
}

/// The characters `char::is_whitespace` calls white space (Unicode
/// White_Space), as the body of a regular-expression class.
pub const WHITE_SPACE_CLASS: &str = r"\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// The characters `char::is_control` calls control characters (Unicode Cc),
/// as the body of a regular-expression class.
pub const CONTROL_CLASS: &str = r"\x00-\x1f\x7f-\x9f";

/// A name a person gives something (an account, a list, a key): at most
/// `max` characters as sent, at least one that is not white space, no control
/// characters; stored trimmed. The rule is checked on the text as sent, so
/// that the API's document states it exactly (`maxLength`, a pattern for a
/// character outside [`WHITE_SPACE_CLASS`], none of [`CONTROL_CLASS`]).
pub fn parse_display_name(raw: &str, field: &str, max: usize) -> Result<String> {
    let n = raw.chars().count();
    if n > max || raw.chars().all(char::is_whitespace) || raw.chars().any(char::is_control) {
        return Err(Error::bad_parameter(
            field,
            format!("must be 1 to {max} characters, not only spaces, without control characters"),
        ));
    }
    Ok(raw.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Ana@Example.COM ").expect("valid").as_str(), "ana@example.com");
        assert_eq!(
            Email::parse("\tBo.O'Neil+tag@Mail.Example.co.uk\n").expect("valid").as_str(),
            "bo.o'neil+tag@mail.example.co.uk"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "ana@@example.com",
            "a na@example.com",
            "ana@-x.com",
            "ana@ex_ample.com",
            "añа@example.com",
            "ana@exämple.com",
            "\u{a0}ana@example.com",
            "ana@example.com\u{85}",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    /// Strings near the edges of the email rule, and random ones.
    fn email_like() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            "[ \t\n\u{a0}]{0,2}[a-zA-Z0-9.+_@\"\u{e9} -]{0,66}@[a-zA-Z0-9.\u{e9}_-]{0,70}[ \t\n\u{85}]{0,2}",
            "[a-z]{1,3}@([a-z0-9-]{0,4}\\.){0,9}[a-z0-9-]{0,4}",
            any::<String>(),
        ]
    }

    proptest::proptest! {
        /// The published pattern and the parser agree on every string.
        #[test]
        fn the_email_pattern_is_the_parser(s in email_like()) {
            let pattern = regex::Regex::new(EMAIL_PATTERN).expect("pattern");
            proptest::prop_assert_eq!(pattern.is_match(&s), Email::parse(&s).is_ok(), "{:?}", s);
        }

        /// A name's rule as the document states it (length, a character
        /// outside the white-space class, none of the control class) is the parser's.
        #[test]
        fn the_name_rule_is_the_parser(s in "[ a\t\n\u{0}\u{1c}\u{85}\u{a0}\u{3000}\u{9f}]{0,5}|\\PC{0,4}|.{95,105}") {
            let visible = regex::Regex::new(&format!("[^{WHITE_SPACE_CLASS}]")).expect("class");
            let control = regex::Regex::new(&format!("[{CONTROL_CLASS}]")).expect("class");
            let stated = s.chars().count() <= 100 && visible.is_match(&s) && !control.is_match(&s);
            proptest::prop_assert_eq!(stated, parse_name(&s).is_ok(), "{:?}", s);
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
