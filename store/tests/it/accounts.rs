use chrono::{Duration, Utc};
use scout_domain::account::{Email, Role};
use scout_store::{Error, RefreshSpend, Store};

use crate::both_backends;

fn email(s: &str) -> Email {
    Email::parse(s).expect("email")
}

both_backends!(users_are_unique_by_email_and_read_back, |store: Store| async move {
    let ana = store
        .identity()
        .create_user(&email("ana@example.com"), "$argon2id$x", Role::Brand, "Ana")
        .await
        .expect("create");
    assert_eq!((ana.email.as_str(), ana.role, ana.token_version), ("ana@example.com", Role::Brand, 0));
    let taken = store.identity().create_user(&email("ana@example.com"), "$argon2id$y", Role::Agency, "Other").await;
    assert!(matches!(taken, Err(Error::EmailTaken)), "{taken:?}");
    assert_eq!(store.identity().user_by_email(&email("ana@example.com")).await.expect("read"), Some(ana.clone()));
    assert_eq!(store.identity().user_by_id(ana.id).await.expect("read"), Some(ana.clone()));
    assert_eq!(store.identity().user_by_id(ana.id + 1000).await.expect("read"), None);
    // The failed insert left the first account as it was.
    assert_eq!(store.identity().user_by_id(ana.id).await.expect("read").expect("ana").password_hash, "$argon2id$x");
});

both_backends!(a_refresh_token_is_spent_once_and_reuse_revokes_its_family, |store: Store| async move {
    let user =
        store.identity().create_user(&email("bo@example.com"), "h", Role::Influencer, "Bo").await.expect("create");
    let later = Utc::now() + Duration::days(1);
    store.identity().add_refresh_token(user.id, "fam-a", "hash-1", later).await.expect("add");
    store.identity().add_refresh_token(user.id, "fam-b", "hash-b", later).await.expect("add");
    store
        .identity()
        .add_refresh_token(user.id, "fam-old", "hash-old", Utc::now() - Duration::seconds(1))
        .await
        .expect("add");

    // Two clients race to spend the same token: exactly one gets it.
    let identity = store.identity();
    let (x, y) = tokio::join!(identity.spend_refresh_token("hash-1"), identity.spend_refresh_token("hash-1"));
    let outcomes = [x.expect("spend"), y.expect("spend")];
    let fresh = outcomes.iter().filter(|o| matches!(o, RefreshSpend::Fresh { .. })).count();
    assert_eq!(fresh, 1, "{outcomes:?}");
    assert!(outcomes.contains(&RefreshSpend::Reused { user_id: user.id, family: "fam-a".into() }), "{outcomes:?}");
    // The reuse revoked family a, not family b.
    assert!(!store.identity().session_active("fam-a").await.expect("active"));
    assert!(store.identity().session_active("fam-b").await.expect("active"));
    assert_eq!(
        store.identity().spend_refresh_token("hash-b").await.expect("spend"),
        RefreshSpend::Fresh { user_id: user.id, family: "fam-b".into() }
    );
    assert_eq!(store.identity().spend_refresh_token("hash-old").await.expect("spend"), RefreshSpend::Expired);
    assert_eq!(store.identity().spend_refresh_token("nope").await.expect("spend"), RefreshSpend::Unknown);

    // Ending all sessions revokes every token and bumps the version.
    store.identity().add_refresh_token(user.id, "fam-c", "hash-c", later).await.expect("add");
    assert_eq!(store.identity().end_sessions(user.id, None).await.expect("end"), 1);
    assert_eq!(store.identity().spend_refresh_token("hash-c").await.expect("spend"), RefreshSpend::Revoked);
    assert!(!store.identity().session_active("fam-c").await.expect("active"));
    assert_eq!(store.identity().revoke_refresh_family("fam-c").await.expect("revoke"), 0, "already revoked");
});
