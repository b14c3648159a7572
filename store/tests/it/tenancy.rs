//! Organisations, tenant scoping in the repository layer, keys and tombstones.

use scout_domain::account::{Email, Role};
use scout_domain::org::{ClientAccess, OrgKind, OrgRole, Scope};
use scout_domain::{Platform, Profile};
use scout_store::{Error, KeyKind, NewKey, Store};

use crate::both_backends;

async fn user(store: &Store, email: &str, role: Role) -> i64 {
    store.identity().create_user(&Email::parse(email).expect("email"), "h", role, "Someone").await.expect("user").id
}

fn profile(external_id: &str, handle: &str) -> Profile {
    let line = format!(
        r#"{{"platform":"instagram","external_id":"{external_id}","handle":"{handle}","followers":1000,"bio":"hello"}}"#
    );
    Profile::parse(&line).expect("profile").profile
}

both_backends!(a_tenant_never_reaches_another_tenants_records, |store: Store| async move {
    let a_owner = user(&store, "a@a.test", Role::Brand).await;
    let b_owner = user(&store, "b@b.test", Role::Brand).await;
    let a = store.orgs().create_organisation(OrgKind::Brand, "A", a_owner).await.expect("org a");
    let b = store.orgs().create_organisation(OrgKind::Brand, "B", b_owner).await.expect("org b");
    store.profiles().upsert_profiles(&[profile("1", "one"), profile("2", "two")]).await.expect("profiles");
    let pid = store.profiles().find_id(Platform::Instagram.as_str(), "1").await.expect("find").expect("id");

    let (ta, tb) = (store.tenant(a.id), store.tenant(b.id));
    let list = ta.create_shortlist("Summer", a_owner).await.expect("list");
    ta.put_entry(list.id, pid, "note", &["vegan".into()], None, a_owner).await.expect("entry");
    let saved = ta.save_search("Vegan", r#"{"query":"vegan"}"#, a_owner).await.expect("saved");

    // Every way in from B by A's ids finds nothing and changes nothing.
    assert!(matches!(tb.shortlist(list.id).await, Err(Error::Missing { .. })));
    assert!(matches!(tb.entries(list.id).await, Err(Error::Missing { .. })));
    assert!(matches!(tb.rename_shortlist(list.id, "hijacked").await, Err(Error::Missing { .. })));
    assert!(matches!(tb.put_entry(list.id, pid, "x", &[], None, b_owner).await, Err(Error::Missing { .. })));
    assert!(matches!(tb.remove_entry(list.id, pid).await, Err(Error::Missing { .. })));
    assert!(matches!(tb.delete_shortlist(list.id).await, Err(Error::Missing { .. })));
    assert!(matches!(tb.saved_search(saved.id).await, Err(Error::Missing { .. })));
    assert!(matches!(tb.delete_saved_search(saved.id).await, Err(Error::Missing { .. })));
    assert!(tb.shortlists().await.expect("lists").is_empty());
    let still = ta.shortlist(list.id).await.expect("A's list");
    assert_eq!((still.name.as_str(), still.entries), ("Summer", 1));
    assert_eq!(ta.entries(list.id).await.expect("entries")[0].note, "note");
    assert_eq!(ta.saved_searches().await.expect("saved").len(), 1);
    // A missing profile is reported as such, not as a broken list.
    assert!(matches!(ta.put_entry(list.id, 999_999, "", &[], None, a_owner).await, Err(Error::NotFound { .. })));
});

both_backends!(organisations_keep_an_owner_and_agencies_get_what_was_granted, |store: Store| async move {
    let owner = user(&store, "o@a.test", Role::Brand).await;
    let other = user(&store, "m@a.test", Role::Brand).await;
    let org = store.orgs().create_organisation(OrgKind::Brand, "A", owner).await.expect("org");
    store.orgs().set_member(org.id, other, OrgRole::Viewer).await.expect("add");
    assert_eq!(store.orgs().member_role(org.id, other).await.expect("role"), Some(OrgRole::Viewer));
    assert!(matches!(store.orgs().set_member(org.id, owner, OrgRole::Admin).await, Err(Error::LastOwner)));
    assert!(matches!(store.orgs().remove_member(org.id, owner).await, Err(Error::LastOwner)));
    assert_eq!(
        store.orgs().member_role(org.id, owner).await.expect("role"),
        Some(OrgRole::Owner),
        "refusal rolled back"
    );
    assert_eq!(store.orgs().members(org.id).await.expect("members")[0].role, OrgRole::Owner);

    let boss = user(&store, "boss@agency.test", Role::Agency).await;
    let agency = store.orgs().create_organisation(OrgKind::Agency, "Agency", boss).await.expect("agency");
    let client = store.orgs().create_client(agency.id, "Client").await.expect("client");
    assert_eq!(
        store.orgs().agency_access(client.id, boss).await.expect("access"),
        Some((OrgRole::Owner, ClientAccess::Write))
    );
    assert_eq!(store.orgs().agency_access(org.id, boss).await.expect("access"), None);
    store.orgs().grant_agency(client.id, agency.id, ClientAccess::Read).await.expect("grant");
    assert_eq!(
        store.orgs().agency_access(client.id, boss).await.expect("access"),
        Some((OrgRole::Owner, ClientAccess::Read))
    );
    assert_eq!(store.orgs().clients(agency.id).await.expect("clients").len(), 1);
});

both_backends!(keys_are_found_by_prefix_and_revoked_by_their_owner, |store: Store| async move {
    let owner = user(&store, "k@a.test", Role::Brand).await;
    let stranger = user(&store, "s@a.test", Role::Brand).await;
    let key = store
        .identity()
        .create_key(NewKey {
            user_id: owner,
            org_id: None,
            kind: KeyKind::Key,
            name: "ci",
            prefix: "sk_abc",
            secret_hash: "h",
            scopes: &[Scope::ListsRead, Scope::Search],
        })
        .await
        .expect("key");
    assert_eq!(key.scopes, vec![Scope::Search, Scope::ListsRead]);
    assert_eq!(store.identity().key_by_prefix("sk_abc").await.expect("find").expect("key").id, key.id);
    store.identity().touch_key(key.id).await.expect("touch");
    assert!(store.identity().key_by_id(key.id).await.expect("find").expect("key").last_used_at.is_some());
    assert!(!store.identity().revoke_key(stranger, key.id).await.expect("revoke"), "only the owner revokes");
    assert!(store.identity().revoke_key(owner, key.id).await.expect("revoke"));
    assert!(!store.identity().revoke_key(owner, key.id).await.expect("revoke"), "once");
    assert!(store.identity().key_by_prefix("sk_abc").await.expect("find").expect("key").revoked_at.is_some());
});

both_backends!(erased_people_are_tombstoned_against_reimport, |store: Store| async move {
    store.profiles().upsert_profiles(&[profile("7", "Gone_Person"), profile("8", "stays")]).await.expect("profiles");
    let ids = store.privacy().profiles_by_handle("instagram", "@gone_person").await.expect("find");
    assert_eq!(ids.len(), 1);
    assert_eq!(store.privacy().erase_profiles(&ids, "request").await.expect("erase"), 1);
    assert_eq!(store.profiles().count_profiles().await.expect("count"), 1);
    // The same person again, by external id or by handle, is refused; others are not.
    let summary = store
        .profiles()
        .upsert_profiles(&[profile("7", "renamed"), profile("99", "GONE_PERSON"), profile("9", "new")])
        .await
        .expect("upsert");
    assert_eq!(summary.refused, vec![0, 1]);
    assert_eq!(summary.inserted, 1);
    assert_eq!(store.profiles().count_profiles().await.expect("count"), 2);
});

both_backends!(shortlisted_searches_become_feedback_without_tenant_details, |store: Store| async move {
    let a_owner = user(&store, "fa@a.test", Role::Brand).await;
    let b_owner = user(&store, "fb@b.test", Role::Agency).await;
    let a = store.orgs().create_organisation(OrgKind::Brand, "A", a_owner).await.expect("org a");
    let b = store.orgs().create_organisation(OrgKind::Agency, "B", b_owner).await.expect("org b");
    store
        .profiles()
        .upsert_profiles(&[profile("1", "one"), profile("2", "two"), profile("3", "three")])
        .await
        .expect("profiles");
    let id = |x: &'static str| {
        let store = store.clone();
        async move { store.profiles().find_id(Platform::Instagram.as_str(), x).await.expect("find").expect("id") }
    };
    let (p1, p2, p3) = (id("1").await, id("2").await, id("3").await);
    let (ta, tb) = (store.tenant(a.id), store.tenant(b.id));
    let la = ta.create_shortlist("A list", a_owner).await.expect("list");
    let lb = tb.create_shortlist("B list", b_owner).await.expect("list");
    ta.put_entry(la.id, p1, "private note", &[], Some("vegan chefs"), a_owner).await.expect("entry");
    ta.put_entry(la.id, p2, "", &[], Some("vegan chefs"), a_owner).await.expect("entry");
    tb.put_entry(lb.id, p1, "", &[], Some("vegan chefs"), b_owner).await.expect("entry");
    tb.put_entry(lb.id, p3, "", &[], None, b_owner).await.expect("no query: no feedback");
    // A later edit without a query keeps the recorded one.
    let kept = ta.put_entry(la.id, p2, "edited", &[], None, a_owner).await.expect("edit");
    assert_eq!((kept.note.as_str(), kept.query.as_deref()), ("edited", Some("vegan chefs")));

    let feedback = store.shortlist_feedback().await.expect("feedback");
    let rows: Vec<(&str, &str, i64)> =
        feedback.iter().map(|f| (f.query.as_str(), f.external_id.as_str(), f.lists)).collect();
    assert_eq!(rows, vec![("vegan chefs", "1", 2), ("vegan chefs", "2", 1)]);
    assert!(feedback.iter().all(|f| f.platform == "instagram"));
});
