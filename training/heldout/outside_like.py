#!/usr/bin/env python3
"""Rewrites a fixture profile file the way outside data differs from ours, for a
held-out evaluation of the audience-quality model on data built differently from
its training data (training/README.md, "On data built differently").

Outside profiles come from other scrapers and vendors: fields are missing, post
lists are short, comments are few or none, the engagement rate is not stated,
follower histories are sparse or absent. Each change below is drawn per profile
with a fixed seed, independently of the bought-follower label, so the labels
stay true and nothing here can tell the model which accounts bought.

    python3 training/heldout/outside_like.py IN.jsonl OUT.jsonl [--seed 7]
"""
import argparse
import json
import random


def rewrite(p, rng):
    if rng.random() < 0.45:
        p.pop("follower_history", None)
    elif p.get("follower_history"):
        # A sparse history: every third point.
        p["follower_history"] = p["follower_history"][::3]
    if rng.random() < 0.35:
        for k in ("engagement_rate", "avg_shares", "avg_views"):
            p.pop(k, None)
    if rng.random() < 0.25:
        p.pop("audience", None)
    posts = p.get("recent_posts") or []
    if posts:
        posts = posts[: rng.choice([3, 6, 12, len(posts)])]
        mode = rng.random()
        for post in posts:
            comments = post.get("top_comments") or []
            if mode < 0.15:
                post.pop("top_comments", None)
            elif mode < 0.55:
                post["top_comments"] = comments[:2]
        p["recent_posts"] = posts
    for k in ("bio", "hashtags", "brand_mentions"):
        if rng.random() < 0.2:
            p.pop(k, None)
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    with open(a.src) as f, open(a.dst, "w") as out:
        for line in f:
            out.write(json.dumps(rewrite(json.loads(line), rng), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
