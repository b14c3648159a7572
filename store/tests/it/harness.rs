//! Fresh databases for each test: a temp SQLite file, and a PostgreSQL database
//! of its own (created on the server in `SCOUT_TEST_PG_URL`, default the local
//! one, and dropped afterwards).

use scout_store::Store;
use sqlx::Connection;

pub struct TestDb {
    pub store: Store,
    cleanup: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

pub fn pg_admin_url() -> String {
    std::env::var("SCOUT_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite:{}", dir.path().join("scout.db").display());
        let store = Store::connect(&url).await.expect("open sqlite");
        TestDb { store, cleanup: None, _dir: Some(dir) }
    }

    pub async fn postgres() -> TestDb {
        let admin = pg_admin_url();
        let name = format!("scout_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&admin).await.expect("postgres must be running (see .ci/run)");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
        conn.close().await.ok();
        let (base, _) = admin.rsplit_once('/').expect("url has a database");
        let store = Store::connect(&format!("{base}/{name}")).await.expect("connect test database");
        TestDb { store, cleanup: Some((admin, name)), _dir: None }
    }

    pub async fn drop_db(self) {
        self.store.close().await;
        if let Some((admin, name)) = self.cleanup
            && let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
        }
    }
}

/// Runs one async test body against both backends.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let db = $crate::harness::TestDb::sqlite().await;
                ($body)(db.store.clone()).await;
                db.drop_db().await;
            }
            #[tokio::test]
            async fn postgres() {
                let db = $crate::harness::TestDb::postgres().await;
                ($body)(db.store.clone()).await;
                db.drop_db().await;
            }
        }
    };
}
