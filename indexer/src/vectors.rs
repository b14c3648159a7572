//! The vector index of profiles: the [`VectorIndex`] contract and its embedded
//! backend on qdrant-edge. Each point is a profile with two named vectors,
//! `static` (always present) and `minilm` (added later by enrichment), and the
//! filter fields as an indexed payload.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use qdrant_edge::{
    CountRequest, Distance, EdgeConfigBuilder, EdgeOptimizersConfig, EdgeShard, EdgeVectorParamsBuilder,
    FieldIndexOperations, Filter as QFilter, HnswIndexConfig, OrderByInterface, PayloadFieldSchema, PayloadSchemaType,
    PointId, PointInsertOperations, PointOperations, PointStruct, PointStructPersisted, PointVectorsPersisted,
    QueryEnum, ScrollRequest, SearchParams, SearchRequest, UpdateOperation, UpdateVectorsOp, VectorInternal,
    VectorOperations, VectorPersisted, VectorStructInternal, VectorStructPersisted, Vectors, WithPayloadInterface,
    WithVector,
};
use qdrant_edge::{CreateIndex, NamedQuery, QuantizationConfig, VectorStorageDatatype};
use scout_domain::query::SHARE_STEP_PERCENT;
use scout_domain::{Clause, Filter, KeywordField, NumericField, ProfileId};
use serde_json::{Value, json};

use crate::document::IndexDoc;
use crate::error::{Error, Result, vectors_err};

/// Which named vector a search uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Space {
    /// The static table's vector; every profile has one.
    Static,
    /// The transformer's vector; present once enrichment reached the profile.
    MiniLm,
}

impl Space {
    pub fn name(self) -> &'static str {
        match self {
            Space::Static => "static",
            Space::MiniLm => "minilm",
        }
    }
}

/// A page of `(id, vector)` pairs and the id the next page starts at.
pub type VectorPage = (Vec<(ProfileId, Vec<f32>)>, Option<ProfileId>);

/// Vector storage and filtered nearest-neighbour search over profiles.
///
/// Callers may assume: a filter selects exactly the profiles that the same
/// [`Filter`] selects in the text index, except for clauses on live scores
/// ([`is_live`]), which implementers ignore and `ProfileIndex::vector_search`
/// applies; `upsert` replaces a point wholly (its
/// `minilm` vector is dropped, since the text it was made from changed);
/// scores are cosine similarities. Implementers must make every write durable
/// before `flush` returns and keep `applied_seq` in step with it.
pub trait VectorIndex: Send + Sync {
    fn upsert(&self, docs: &[(&IndexDoc, Vec<f32>)]) -> Result<()>;
    fn set_vectors(&self, space: Space, vectors: &[(ProfileId, Vec<f32>)]) -> Result<()>;
    fn delete(&self, ids: &[ProfileId]) -> Result<()>;
    fn search(&self, space: Space, vector: &[f32], filter: &Filter, limit: usize) -> Result<Vec<(ProfileId, f32)>>;
    /// Similarity of the given profiles to `vector` (profiles without the vector are left out).
    fn score(&self, space: Space, vector: &[f32], ids: &[ProfileId]) -> Result<Vec<(ProfileId, f32)>>;
    fn vector(&self, id: ProfileId, space: Space) -> Result<Option<Vec<f32>>>;
    /// Up to `limit` points that have a `space` vector, with it, in id order
    /// from id `from` (inclusive); and the id the next page starts at, `None`
    /// after the last page.
    fn scroll_vectors(&self, space: Space, from: Option<ProfileId>, limit: usize) -> Result<VectorPage>;
    /// Up to `limit` profiles without a vector in `space`, most-followed first.
    fn missing(&self, space: Space, limit: usize) -> Result<Vec<ProfileId>>;
    fn count(&self, space: Option<Space>) -> Result<usize>;
    fn applied_seq(&self) -> i64;
    fn flush(&self, seq: i64) -> Result<()>;
    /// Builds HNSW graphs and merges segments; blocking.
    fn optimize(&self) -> Result<()>;
}

/// The embedded backend: one qdrant-edge shard in a folder.
pub struct EdgeVectors {
    shard: EdgeShard,
    dir: PathBuf,
    dims: HashMap<Space, usize>,
    applied_seq: parking_lot::Mutex<i64>,
    /// qdrant-edge's `flush` panics when an update holds the WAL at the same
    /// moment, so every write, flush and optimisation goes through this lock.
    writes: parking_lot::Mutex<()>,
}

impl std::fmt::Debug for EdgeVectors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EdgeVectors").field("dir", &self.dir).finish()
    }
}

const SEQ_FILE: &str = "scout_applied_seq";
/// Keyword fields with a payload index. `audience` is filtered without one: its
/// thousands of values would multiply the HNSW build (payload links per value).
const KEYWORDS: [&str; 7] = ["platform", "country", "city", "region", "language", "niche", "tier"];

impl EdgeVectors {
    /// Opens the shard in `dir`, creating it with the given dimensions when missing.
    pub fn open(dir: &Path, static_dim: usize, minilm_dim: usize) -> Result<EdgeVectors> {
        let exists = dir.join("edge_config.json").exists();
        let shard = if exists {
            EdgeShard::load(dir, None).map_err(vectors_err("opening the vector index"))?
        } else {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Io { path: dir.display().to_string(), message: e.to_string() })?;
            // Payload-aware HNSW links keep filtered searches accurate; they are
            // built per value of every indexed keyword field, so the thousands of
            // audience share terms get no payload index here (see KEYWORDS).
            let hnsw =
                HnswIndexConfig { m: 16, ef_construct: 64, full_scan_threshold: 4_000, ..HnswIndexConfig::default() };
            // Half-precision storage halves memory at no cost to ranking (cosine of
            // f16 vectors differs from f32 in the fourth decimal). MiniLM vectors
            // live on disk (memory-mapped): dense storage reserves a row for every
            // point, enriched or not. Payloads live on disk too: search reads
            // only the payload indexes.
            // int8 scalar quantisation kept in RAM: distances on bytes are several
            // times faster, and the top candidates are rescored on the f16 originals.
            let quantization: QuantizationConfig =
                serde_json::from_value(json!({"scalar": {"type": "int8", "quantile": 0.99, "always_ram": true}}))
                    .map_err(|e| Error::Vectors { doing: "configuring quantisation", message: e.to_string() })?;
            let static_params = EdgeVectorParamsBuilder::new(static_dim, Distance::Cosine)
                .datatype(VectorStorageDatatype::Float16)
                .quantization_config(quantization)
                .build();
            let minilm_params = EdgeVectorParamsBuilder::new(minilm_dim, Distance::Cosine)
                .datatype(VectorStorageDatatype::Float16)
                .on_disk(true)
                .build();
            let config = EdgeConfigBuilder::new()
                .vector(Space::Static.name(), static_params)
                .vector(Space::MiniLm.name(), minilm_params)
                .hnsw_config(hnsw)
                .on_disk_payload(true)
                // Segments of at most ~250 MB: graphs are built per segment, and
                // several mid-sized graphs build far faster than one of a million points.
                .optimizers(EdgeOptimizersConfig {
                    max_segment_size: Some(256_000),
                    default_segment_number: Some(8),
                    ..Default::default()
                })
                .build();
            let shard = EdgeShard::new(dir, config).map_err(vectors_err("creating the vector index"))?;
            let mut schema: Vec<(&str, PayloadSchemaType)> =
                KEYWORDS.iter().map(|k| (*k, PayloadSchemaType::Keyword)).collect();
            schema.push(("followers", PayloadSchemaType::Integer));
            schema.push(("engagement_rate", PayloadSchemaType::Float));
            schema.push(("verified", PayloadSchemaType::Bool));
            schema.push(("price_usd", PayloadSchemaType::Integer));
            for (name, kind) in schema {
                let field_name = name
                    .try_into()
                    .map_err(|_| Error::Vectors { doing: "naming a payload index", message: name.into() })?;
                shard
                    .update(UpdateOperation::FieldIndexOperation(FieldIndexOperations::CreateIndex(CreateIndex {
                        field_name,
                        field_schema: Some(PayloadFieldSchema::FieldType(kind)),
                    })))
                    .map_err(vectors_err("creating a payload index"))?;
            }
            shard
        };
        let applied_seq =
            std::fs::read_to_string(dir.join(SEQ_FILE)).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(0);
        let dims = HashMap::from([(Space::Static, static_dim), (Space::MiniLm, minilm_dim)]);
        Ok(EdgeVectors {
            shard,
            dir: dir.to_path_buf(),
            dims,
            applied_seq: parking_lot::Mutex::new(applied_seq),
            writes: parking_lot::Mutex::new(()),
        })
    }

    fn check_dim(&self, space: Space, v: &[f32]) -> Result<()> {
        let expected = self.dims.get(&space).copied().unwrap_or(0);
        if v.len() != expected {
            return Err(Error::Dimension { got: v.len(), expected });
        }
        Ok(())
    }
}

impl EdgeVectors {
    /// Nearest points to `vector` in `space` under `filter`, as `(id, cosine)`.
    fn nearest(
        &self,
        space: Space,
        vector: &[f32],
        filter: Option<QFilter>,
        params: SearchParams,
        limit: usize,
        doing: &'static str,
    ) -> Result<Vec<(ProfileId, f32)>> {
        self.check_dim(space, vector)?;
        let hits = self
            .shard
            .search(SearchRequest {
                query: QueryEnum::Nearest(NamedQuery {
                    query: VectorInternal::Dense(vector.to_vec()),
                    using: Some(space.name().into()),
                }),
                filter,
                params: Some(params),
                limit,
                offset: 0,
                with_payload: Some(WithPayloadInterface::Bool(false)),
                with_vector: Some(WithVector::Bool(false)),
                score_threshold: None,
            })
            .map_err(vectors_err(doing))?;
        Ok(hits.iter().filter_map(|p| Some((point_id(&p.id)?, p.score))).collect())
    }

    /// The stored `space` vectors of the given points; points without one are left out.
    fn stored_vectors(
        &self,
        ids: &[ProfileId],
        space: Space,
        doing: &'static str,
    ) -> Result<Vec<(ProfileId, Vec<f32>)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let points: Vec<PointId> = ids.iter().map(|i| PointId::NumId(*i as u64)).collect();
        let records = self
            .shard
            .retrieve(
                &points,
                Some(WithPayloadInterface::Bool(false)),
                Some(WithVector::Selector(vec![space.name().into()])),
            )
            .map_err(vectors_err(doing))?;
        Ok(records.into_iter().filter_map(|r| dense_vector(r, space)).collect())
    }

    /// qdrant-edge 0.7.2 appends every update to its write-ahead log but never
    /// truncates it (the server acknowledges WAL entries once segments are
    /// flushed; the edge shard has no such call), and it never replays it on
    /// load either: flushed segments are the state. Once segments are flushed,
    /// closed WAL files are dead weight (2 GB per million upserts), so they are
    /// removed, keeping the newest as the server's default retention does.
    fn drop_closed_wal_segments(&self) {
        let Ok(entries) = std::fs::read_dir(self.dir.join("wal")) else { return };
        let mut closed: Vec<(u64, PathBuf)> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().to_string();
                let n = name.strip_prefix("closed-")?.parse().ok()?;
                Some((n, e.path()))
            })
            .collect();
        closed.sort();
        closed.pop();
        for (_, path) in closed {
            if let Err(e) = std::fs::remove_file(&path) {
                tracing::warn!(path = %path.display(), error = %e, "could not remove a closed WAL segment");
            }
        }
    }
}

/// The payload stored with each point: exactly the fields filters use.
pub fn payload(d: &IndexDoc) -> Value {
    let f = &d.features;
    json!({
        "platform": f.platform,
        "country": f.country,
        "city": d.city,
        "region": d.facts.region,
        "language": f.languages,
        "niche": f.niches,
        "tier": f.tier.as_str(),
        "audience": audience_payload(&d.facts.audience_terms),
        "followers": f.followers,
        "engagement_rate": f.engagement_rate as f64,
        "verified": f.verified,
        "price_usd": d.price_usd,
    })
}

/// Compiles the filter tree into Qdrant's filter (its JSON form, which is
/// Qdrant's public interface and stable across versions). Clauses on live
/// scores ([`scout_domain::NumericField::AudienceQuality`]) are left out: no
/// payload holds them, and `ProfileIndex::vector_search` applies them to what
/// the search returns.
pub fn compile_filter(filter: &Filter) -> Value {
    let must: Vec<Value> = filter
        .must
        .iter()
        .filter(|c| !is_live(c))
        .map(|c| match c {
            Clause::AnyOf { field: KeywordField::Audience, values } => {
                json!({"should": values.iter().map(|t| audience_condition(t)).collect::<Vec<_>>()})
            }
            Clause::AnyOf { field, values } => json!({"key": field.name(), "match": {"any": values}}),
            Clause::Range { field, min, max } => {
                let mut range = serde_json::Map::new();
                if let Some(x) = min {
                    range.insert("gte".into(), json!(x));
                }
                if let Some(x) = max {
                    range.insert("lte".into(), json!(x));
                }
                json!({"key": field.name(), "range": range})
            }
            Clause::Verified(v) => json!({"key": "verified", "match": {"value": v}}),
        })
        .collect();
    json!({ "must": must })
}

/// Audience shares as the payload holds them: one number per audience
/// segment, its share rounded down to the indexed step (`{"country_DE": 25,
/// "gender_female": 45}`), from the terms the text index holds
/// (`country:DE:5` … `country:DE:25`). One number instead of a term per step
/// makes the payload about five times smaller (it was most of each point's
/// payload), and a share filter is a range on it.
fn audience_payload(terms: &[String]) -> Value {
    let mut shares = serde_json::Map::new();
    for (key, pct) in terms.iter().filter_map(|t| audience_key(t)) {
        let highest = shares.get(&key).and_then(Value::as_u64).unwrap_or(0).max(u64::from(pct));
        shares.insert(key, json!(highest));
    }
    Value::Object(shares)
}

/// A share term's payload key and step: `age:55+:10` → (`age_55_2b`, 10).
/// Characters other than ASCII letters and digits become `_` and their hex
/// code, so that the key is a plain JSON path segment and no two segments
/// share one. `None` for a term that is not a whole step of a segment (the
/// text index holds no such term either, so a filter on it matches nothing).
fn audience_key(term: &str) -> Option<(String, u32)> {
    let (dimension, rest) = term.split_once(':')?;
    let (value, pct) = rest.rsplit_once(':')?;
    let pct: u32 = pct.parse().ok()?;
    if pct == 0 || !pct.is_multiple_of(SHARE_STEP_PERCENT) || !dimension.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let mut key = format!("{dimension}_");
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() {
            key.push(b as char);
        } else {
            key.push_str(&format!("_{b:02x}"));
        }
    }
    Some((key, pct))
}

/// The Qdrant condition a share term stands for: the segment's stored share
/// is at least the term's step. A malformed term matches nothing, as in the
/// text index.
fn audience_condition(term: &str) -> Value {
    match audience_key(term) {
        Some((key, pct)) => json!({"key": format!("audience.{key}"), "range": {"gte": pct}}),
        None => json!({"key": "audience.unmatchable", "range": {"gte": 1}}),
    }
}

/// Whether a clause reads live scores rather than a stored field.
pub fn is_live(clause: &Clause) -> bool {
    matches!(clause, Clause::Range { field: NumericField::AudienceQuality, .. })
}

fn qfilter(v: Value) -> Result<QFilter> {
    serde_json::from_value(v).map_err(|e| Error::Vectors { doing: "compiling a filter", message: e.to_string() })
}

/// The point's id and its dense `space` vector, if it has one.
fn dense_vector(record: qdrant_edge::Record, space: Space) -> Option<(ProfileId, Vec<f32>)> {
    let Some(VectorStructInternal::Named(mut m)) = record.vector else { return None };
    let Some(VectorInternal::Dense(v)) = m.remove(space.name()) else { return None };
    Some((point_id(&record.id)?, v))
}

fn point_id(id: &PointId) -> Option<ProfileId> {
    match id {
        PointId::NumId(n) => Some(*n as ProfileId),
        PointId::Uuid(_) => None,
    }
}

impl VectorIndex for EdgeVectors {
    fn upsert(&self, docs: &[(&IndexDoc, Vec<f32>)]) -> Result<()> {
        if docs.is_empty() {
            return Ok(());
        }
        let mut points = Vec::with_capacity(docs.len());
        for (d, v) in docs {
            self.check_dim(Space::Static, v)?;
            let vectors: Vectors = HashMap::from([(Space::Static.name().to_string(), v.clone())]).into();
            points.push(PointStructPersisted::from(PointStruct::new(d.id as u64, vectors, payload(d))));
        }
        let _writing = self.writes.lock();
        self.shard
            .update(UpdateOperation::PointOperation(PointOperations::UpsertPoints(PointInsertOperations::PointsList(
                points,
            ))))
            .map_err(vectors_err("upserting points"))
    }

    fn set_vectors(&self, space: Space, vectors: &[(ProfileId, Vec<f32>)]) -> Result<()> {
        let mut points = Vec::with_capacity(vectors.len());
        for (id, v) in vectors {
            self.check_dim(space, v)?;
            points.push(PointVectorsPersisted {
                id: PointId::NumId(*id as u64),
                vector: VectorStructPersisted::Named(HashMap::from([(
                    space.name().to_string(),
                    VectorPersisted::Dense(v.clone()),
                )])),
            });
        }
        let _writing = self.writes.lock();
        self.shard
            .update(UpdateOperation::VectorOperation(VectorOperations::UpdateVectors(UpdateVectorsOp {
                points,
                update_filter: None,
            })))
            .map_err(vectors_err("setting vectors"))
    }

    fn delete(&self, ids: &[ProfileId]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let ids = ids.iter().map(|i| PointId::NumId(*i as u64)).collect();
        let _writing = self.writes.lock();
        self.shard
            .update(UpdateOperation::PointOperation(PointOperations::DeletePoints { ids }))
            .map_err(vectors_err("deleting points"))
    }

    fn search(&self, space: Space, vector: &[f32], filter: &Filter, limit: usize) -> Result<Vec<(ProfileId, f32)>> {
        let filter = if filter.must.iter().all(is_live) { None } else { Some(qfilter(compile_filter(filter))?) };
        let params = SearchParams { hnsw_ef: Some(64), ..Default::default() };
        self.nearest(space, vector, filter, params, limit, "searching vectors")
    }

    fn score(&self, space: Space, vector: &[f32], ids: &[ProfileId]) -> Result<Vec<(ProfileId, f32)>> {
        self.check_dim(space, vector)?;
        // Reading the stored vectors and taking the dot product here is several
        // times cheaper than an exact search restricted to the ids (which
        // estimates and evaluates a `has_id` filter in every segment).
        // Stored vectors are unit length (cosine distance normalises them).
        let norm = scout_models::dot(vector, vector).sqrt().max(f32::EPSILON);
        Ok(self
            .stored_vectors(ids, space, "scoring vectors")?
            .into_iter()
            .map(|(id, v)| (id, scout_models::dot(&v, vector) / norm))
            .collect())
    }

    fn vector(&self, id: ProfileId, space: Space) -> Result<Option<Vec<f32>>> {
        Ok(self.stored_vectors(&[id], space, "retrieving a vector")?.pop().map(|(_, v)| v))
    }

    fn scroll_vectors(&self, space: Space, from: Option<ProfileId>, limit: usize) -> Result<VectorPage> {
        let filter = qfilter(json!({"must": [{"has_vector": space.name()}]}))?;
        let offset = from.map(|id| PointId::NumId(id as u64));
        let (records, next) = self
            .shard
            .scroll(ScrollRequest {
                offset,
                limit: Some(limit.max(1)),
                filter: Some(filter),
                with_payload: Some(WithPayloadInterface::Bool(false)),
                with_vector: WithVector::Selector(vec![space.name().into()]),
                order_by: None,
            })
            .map_err(vectors_err("reading vectors in id order"))?;
        let page = records.into_iter().filter_map(|r| dense_vector(r, space)).collect();
        Ok((page, next.as_ref().and_then(point_id)))
    }

    fn missing(&self, space: Space, limit: usize) -> Result<Vec<ProfileId>> {
        let filter = qfilter(json!({"must_not": [{"has_vector": space.name()}]}))?;
        let order_by: OrderByInterface = serde_json::from_value(json!({"key": "followers", "direction": "desc"}))
            .map_err(|e| Error::Vectors { doing: "ordering by followers", message: e.to_string() })?;
        let (records, _) = self
            .shard
            .scroll(ScrollRequest {
                offset: None,
                limit: Some(limit.max(1)),
                filter: Some(filter),
                with_payload: Some(WithPayloadInterface::Bool(false)),
                with_vector: WithVector::Bool(false),
                order_by: Some(order_by),
            })
            .map_err(vectors_err("listing points without a vector"))?;
        Ok(records.iter().filter_map(|r| point_id(&r.id)).collect())
    }

    fn count(&self, space: Option<Space>) -> Result<usize> {
        let filter = match space {
            Some(s) => Some(qfilter(json!({"must": [{"has_vector": s.name()}]}))?),
            None => None,
        };
        self.shard.count(CountRequest { filter, exact: true }).map_err(vectors_err("counting points"))
    }

    fn applied_seq(&self) -> i64 {
        *self.applied_seq.lock()
    }

    fn flush(&self, seq: i64) -> Result<()> {
        let _writing = self.writes.lock();
        self.shard.flush();
        self.drop_closed_wal_segments();
        let path = self.dir.join(SEQ_FILE);
        let tmp = self.dir.join(format!("{SEQ_FILE}.tmp"));
        let io = |e: std::io::Error| Error::Io { path: path.display().to_string(), message: e.to_string() };
        std::fs::write(&tmp, seq.to_string()).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        *self.applied_seq.lock() = seq;
        Ok(())
    }

    fn optimize(&self) -> Result<()> {
        let _writing = self.writes.lock();
        self.shard.optimize().map(|_| ()).map_err(vectors_err("optimising the vector index"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_shares_become_one_number_per_segment() {
        let terms: Vec<String> =
            ["country:DE:5", "country:DE:10", "country:DE:15", "age:55+:5", "age:13-17:5", "age:13-17:10"]
                .map(String::from)
                .to_vec();
        assert_eq!(audience_payload(&terms), json!({"country_DE": 15, "age_55_2b": 5, "age_13_2d17": 10}));
    }

    #[test]
    fn segment_keys_are_plain_and_distinct() {
        let key = |t: &str| audience_key(t).map(|(k, _)| k);
        // `_` is escaped too, so an escaped character never reads as another value.
        assert_ne!(key("age:a_2b:5"), key("age:a+:5"));
        assert_eq!(key("country:x:y:5").as_deref(), Some("country_x_3ay"));
        for bad in ["country:DE:7", "country:DE:0", "country:DE", "Country:DE:5", "country:DE:x"] {
            assert_eq!(audience_key(bad), None, "{bad}");
        }
        assert_eq!(audience_condition("country:DE:25"), json!({"key": "audience.country_DE", "range": {"gte": 25}}));
    }
}
