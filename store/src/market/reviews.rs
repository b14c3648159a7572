//! Reviews after a contract: each side rates the other once; the ratings of
//! a creator's profile and of a brand organisation are summed from them.

use std::collections::HashMap;

use super::*;

/// A review as stored. `side` wrote it about the other side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReview {
    pub id: i64,
    pub contract_id: i64,
    pub side: Side,
    pub author_id: Option<UserId>,
    /// The brand organisation of the contract.
    pub org_id: OrgId,
    /// The creator's profile of the contract (none once erased).
    pub profile_id: Option<ProfileId>,
    pub rating: u8,
    pub body: String,
    /// Whether the reviewed side kept its dates, from the milestones.
    pub on_time: Option<bool>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new review.
#[derive(Debug, Clone)]
pub struct NewReview<'a> {
    pub contract_id: i64,
    pub side: Side,
    pub author_id: UserId,
    pub org_id: OrgId,
    pub profile_id: Option<ProfileId>,
    pub rating: u8,
    pub body: &'a str,
    pub on_time: Option<bool>,
}

/// The ratings of one creator profile or brand organisation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RatingSummary {
    /// Reviews counted.
    pub count: i64,
    /// Mean rating, 1–5.
    pub mean: f64,
    /// Share of reviewed contracts where this side kept its dates (none when
    /// no review said).
    pub on_time_rate: Option<f64>,
}

type ReviewRow =
    (i64, i64, String, Option<i64>, i64, Option<i64>, i64, String, Option<bool>, DateTime<Utc>, DateTime<Utc>);

const REVIEW_COLUMNS: &str =
    "id, contract_id, side, author_id, org_id, profile_id, rating, body, on_time, created_at, updated_at";

fn review_from(row: ReviewRow) -> Result<StoredReview> {
    let (id, contract_id, side, author_id, org_id, profile_id, rating, body, on_time, created_at, updated_at) = row;
    Ok(StoredReview {
        id,
        contract_id,
        side: spelled("reviews", &side)?,
        author_id,
        org_id,
        profile_id,
        rating: u8::try_from(rating).map_err(|e| corrupt("reviews", e))?,
        body,
        on_time,
        created_at,
        updated_at,
    })
}

impl Market<'_> {
    /// Writes a review; a second one by the same side of one contract is
    /// [`Error::ReviewExists`].
    pub async fn add_review(&self, new: NewReview<'_>) -> Result<StoredReview> {
        let now = Utc::now();
        let sql = format!(
            "INSERT INTO reviews (contract_id, side, author_id, org_id, profile_id, rating, body, on_time,
                                  created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING {REVIEW_COLUMNS}"
        );
        let row: std::result::Result<ReviewRow, sqlx::Error> = with_pool!(self.store, |p| sqlx::query_as(&sql)
            .bind(new.contract_id)
            .bind(new.side.as_str())
            .bind(new.author_id)
            .bind(new.org_id)
            .bind(new.profile_id)
            .bind(i64::from(new.rating))
            .bind(new.body)
            .bind(new.on_time)
            .bind(now)
            .fetch_one(p)
            .await);
        match row {
            Err(e) if is_unique_violation(&e) => {
                Err(Error::ReviewExists { contract: new.contract_id, side: new.side.as_str() })
            }
            other => review_from(other.doing("writing a review")?),
        }
    }

    pub async fn review(&self, id: i64) -> Result<StoredReview> {
        let sql = format!("SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = $1");
        let row: Option<ReviewRow> = with_pool!(self.store, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await)
            .doing("reading a review")?;
        review_from(row.ok_or_else(|| missing(Record::Review, id))?)
    }

    /// The reviews of one contract (at most one per side).
    pub async fn contract_reviews(&self, contract: i64) -> Result<Vec<StoredReview>> {
        self.reviews_where("contract_id = $1", contract, 0, 2).await
    }

    /// Reviews brands wrote about a creator's profile, newest first.
    pub async fn profile_reviews(&self, profile: ProfileId, offset: i64, limit: i64) -> Result<Vec<StoredReview>> {
        self.reviews_where("profile_id = $1 AND side = 'brand'", profile, offset, limit).await
    }

    /// Reviews creators wrote about a brand organisation, newest first.
    pub async fn org_reviews(&self, org: OrgId, offset: i64, limit: i64) -> Result<Vec<StoredReview>> {
        self.reviews_where("org_id = $1 AND side = 'creator'", org, offset, limit).await
    }

    /// Every review `user` wrote, newest first (for their data export).
    pub async fn reviews_by(&self, user: UserId) -> Result<Vec<StoredReview>> {
        let sql = format!("SELECT {REVIEW_COLUMNS} FROM reviews WHERE author_id = $1 ORDER BY id DESC");
        let rows: Vec<ReviewRow> =
            with_pool!(self.store, |p| sqlx::query_as(&sql).bind(user).fetch_all(p).await).doing("reading reviews")?;
        rows.into_iter().map(review_from).collect()
    }

    /// Every review brands wrote about `profile`, newest first (for its creator's data export).
    pub async fn reviews_of_profile(&self, profile: ProfileId) -> Result<Vec<StoredReview>> {
        let sql =
            format!("SELECT {REVIEW_COLUMNS} FROM reviews WHERE profile_id = $1 AND side = 'brand' ORDER BY id DESC");
        let rows: Vec<ReviewRow> = with_pool!(self.store, |p| sqlx::query_as(&sql).bind(profile).fetch_all(p).await)
            .doing("reading reviews")?;
        rows.into_iter().map(review_from).collect()
    }

    async fn reviews_where(&self, condition: &str, value: i64, offset: i64, limit: i64) -> Result<Vec<StoredReview>> {
        let sql = format!(
            "SELECT {REVIEW_COLUMNS} FROM reviews WHERE {condition} ORDER BY id DESC LIMIT {} OFFSET {}",
            limit.clamp(1, 200),
            offset.max(0)
        );
        let rows: Vec<ReviewRow> =
            with_pool!(self.store, |p| sqlx::query_as(&sql).bind(value).fetch_all(p).await).doing("reading reviews")?;
        rows.into_iter().map(review_from).collect()
    }

    /// Rewrites a review's rating and text, if nobody edited it since
    /// `seen` (its `updated_at` when read); else [`Error::Stale`].
    pub async fn edit_review(&self, id: i64, seen: DateTime<Utc>, rating: u8, body: &str) -> Result<StoredReview> {
        let n = with_pool!(self.store, |p| sqlx::query(
            "UPDATE reviews SET rating = $1, body = $2, updated_at = $3 WHERE id = $4 AND updated_at = $5"
        )
        .bind(i64::from(rating))
        .bind(body)
        .bind(Utc::now().max(seen + chrono::Duration::microseconds(1)))
        .bind(id)
        .bind(seen)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .doing("editing a review")?;
        if n == 0 {
            self.review(id).await?;
            return Err(stale(Record::Review, id));
        }
        self.review(id).await
    }

    /// Deletes a review (platform moderation); false when there was none.
    pub async fn remove_review(&self, id: i64) -> Result<bool> {
        with_pool!(self.store, |p| sqlx::query("DELETE FROM reviews WHERE id = $1")
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected() > 0))
        .doing("removing a review")
    }

    /// Ratings of creator profiles, from the reviews brands wrote.
    pub async fn profile_ratings(&self, profiles: &[ProfileId]) -> Result<HashMap<ProfileId, RatingSummary>> {
        self.ratings("profile_id", "brand", profiles).await
    }

    /// Ratings of brand organisations, from the reviews creators wrote.
    pub async fn org_ratings(&self, orgs: &[OrgId]) -> Result<HashMap<OrgId, RatingSummary>> {
        self.ratings("org_id", "creator", orgs).await
    }

    /// Ratings of every creator profile brands reviewed (the ranker's
    /// reputation feature; only profiles with work done on Scout have one).
    pub async fn all_profile_ratings(&self) -> Result<HashMap<ProfileId, RatingSummary>> {
        let mut out = HashMap::new();
        self.sum_ratings("profile_id", "brand", "profile_id IS NOT NULL", &mut out).await?;
        Ok(out)
    }

    async fn ratings(&self, column: &str, side: &str, ids: &[i64]) -> Result<HashMap<i64, RatingSummary>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(500) {
            if chunk.is_empty() {
                continue;
            }
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            // Ids are integers formatted here, never text from a caller.
            self.sum_ratings(column, side, &format!("{column} IN ({})", list.join(", ")), &mut out).await?;
        }
        Ok(out)
    }

    async fn sum_ratings(
        &self,
        column: &str,
        side: &str,
        condition: &str,
        out: &mut HashMap<i64, RatingSummary>,
    ) -> Result<()> {
        let sql = format!(
            "SELECT {column}, COUNT(*), CAST(SUM(rating) AS BIGINT),
                    CAST(SUM(CASE WHEN on_time THEN 1 ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN on_time IS NULL THEN 0 ELSE 1 END) AS BIGINT)
             FROM reviews WHERE side = '{side}' AND {condition} GROUP BY {column}"
        );
        let rows: Vec<(i64, i64, i64, i64, i64)> =
            with_pool!(self.store, |p| sqlx::query_as(&sql).fetch_all(p).await).doing("summing ratings")?;
        for (id, count, sum, on_time, said) in rows {
            let mean = (sum as f64 / count.max(1) as f64 * 100.0).round() / 100.0;
            let on_time_rate = (said > 0).then(|| (on_time as f64 / said as f64 * 100.0).round() / 100.0);
            out.insert(id, RatingSummary { count, mean, on_time_rate });
        }
        Ok(())
    }
}
