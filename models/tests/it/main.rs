//! The encoders on the real MiniLM checkpoint (installed by scripts/setup.sh).

use std::path::PathBuf;

use scout_models::{MiniLm, StaticEncoder, TextEncoder, distill, dot};

fn minilm_dir() -> PathBuf {
    let configured = std::env::var("SCOUT_MINILM_DIR").ok().map(PathBuf::from);
    scout_models::minilm::locate(configured.as_deref()).expect("MiniLM checkpoint installed by scripts/setup.sh")
}

fn static_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models/static-minilm-256")
}

/// Checks that the encoder ranks a paraphrase above an unrelated text.
fn ranks_paraphrases(enc: &dyn TextEncoder) {
    let v = enc
        .encode_batch(&[
            "vegan recipes and plant based cooking",
            "meals without meat or dairy",
            "competitive first person shooter streams",
        ])
        .expect("encode");
    for x in &v {
        assert_eq!(x.len(), enc.dim());
        let norm: f32 = x.iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "not unit length: {norm}");
    }
    let related = dot(&v[0], &v[1]);
    let unrelated = dot(&v[0], &v[2]);
    assert!(related > unrelated + 0.1, "{} related vs {} unrelated", related, unrelated);
}

#[test]
fn minilm_embeds_like_sentence_transformers() {
    let m = MiniLm::load(&minilm_dir()).expect("load");
    assert_eq!(m.dim(), 384);
    ranks_paraphrases(&m);
    // Deterministic and batch-independent: padding must not change a text's vector.
    let alone = m.encode("a short text").expect("encode");
    let batched = m
        .encode_batch(&["a short text", "a much longer text that forces padding of the first one in the batch"])
        .expect("encode");
    let diff: f32 = alone.iter().zip(&batched[0]).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(diff < 1e-4, "padding changed the vector by {diff}");
    assert!(m.encode("   ").expect("encode").iter().all(|x| *x == 0.0));
}

#[test]
fn distillation_on_a_tiny_vocabulary_writes_a_loadable_artifact() {
    let teacher_dir = minilm_dir();
    let teacher = MiniLm::load(&teacher_dir).expect("load");
    let out = tempfile::tempdir().expect("tmp");
    let card = distill(&teacher, &teacher_dir, out.path(), 16, Some(64), |_, _| {}).expect("distill");
    assert_eq!(card.dim, 16);
    assert_eq!(card.vocab, 30522);
    assert!(card.explained_variance > 0.3 && card.explained_variance <= 1.0);
    let enc = StaticEncoder::load(out.path()).expect("load artifact");
    assert_eq!(enc.dim(), 16);
    // Tokens beyond the first 64 have zero rows, so ordinary words encode to zero.
    assert!(enc.encode("photography").expect("encode").iter().all(|x| *x == 0.0));
    assert!(out.path().join("MODEL_CARD.md").exists());
}

#[test]
fn the_shipped_static_encoder_is_semantic() {
    let enc = StaticEncoder::load(&static_dir()).expect("static encoder built by scripts/setup.sh");
    assert_eq!(enc.dim(), 256);
    ranks_paraphrases(&enc);
}

#[test]
fn a_corrupt_artifact_is_refused() {
    let out = tempfile::tempdir().expect("tmp");
    for f in ["card.json", "tokenizer.json"] {
        std::fs::copy(static_dir().join(f), out.path().join(f)).expect("copy");
    }
    std::fs::write(out.path().join("embeddings.safetensors"), b"not a tensor file").expect("write");
    assert!(StaticEncoder::load(out.path()).is_err());
}

/// Scout's candle MiniLM against an independent float64 numpy forward pass of
/// the same checkpoint (`tests/reference/minilm_reference.py`), on English,
/// German with an emoji, Spanish, punctuation and a text cut at 256 tokens.
#[test]
fn minilm_matches_the_float64_reference() {
    #[derive(serde::Deserialize)]
    struct Reference {
        embeddings: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        text: String,
        vector: Vec<f32>,
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference/minilm_reference.json");
    let reference: Reference =
        serde_json::from_str(&std::fs::read_to_string(path).expect("reference file")).expect("reference JSON");
    let m = MiniLm::load(&minilm_dir()).expect("load");
    let texts: Vec<&str> = reference.embeddings.iter().map(|e| e.text.as_str()).collect();
    let got = m.encode_batch(&texts).expect("encode");
    let mut worst = 0.0f32;
    for (e, v) in reference.embeddings.iter().zip(&got) {
        assert_eq!(v.len(), e.vector.len());
        let diff = v.iter().zip(&e.vector).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        worst = worst.max(diff);
        assert!(diff < 1e-6, "{:?}: largest difference {diff}", &e.text[..e.text.len().min(40)]);
    }
    println!("largest difference from the float64 reference: {worst:e}");
}
