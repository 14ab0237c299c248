#!/usr/bin/env python3
"""Regenerates monperrus.jsonl from monperrus/crawler-user-agents (MIT).

Usage: import_monperrus.py PATH/TO/crawler-user-agents.json VERSION > monperrus.jsonl

The JSON ships in the `crawler-user-agents` package on npm and PyPI. Entries whose every sample UA is
already matched by one of our own entries in curated.jsonl (or that a curated entry lists in
`replaces`) are left out, so that one bot never has
two ids (an allow list naming GOOGLE_CRAWLER must not be defeated by a second id for Googlebot).
"""
import json
import re
import sys

# Tag -> category, strongest first: an entry tagged both ai-crawler and search-engine is an AI crawler.
TAG_ORDER = [
    ("ai-crawler", "AI_CRAWLER"),
    ("search-engine", "SEARCH_ENGINE"),
    ("scanner", "SCANNER"),
    ("browser-automation", "HEADLESS"),
    ("http-library", "HTTP_LIBRARY"),
    ("archiver", "ARCHIVE"),
    ("academic", "ACADEMIC"),
    ("advertising", "ADVERTISING"),
    ("feed-reader", "FEED"),
    ("social-preview", "PREVIEW"),
    ("monitoring", "MONITOR"),
    ("seo", "SEO"),
]

# Patterns that match real browsers, with the reason. They are dropped, not fixed, because the
# bot behind them cannot be told apart from a browser by its UA.
DROPPED = {
    "AP3A\\.240617\\.008": "an Android build id shared by every phone on that build",
    "Code\\/1\\.": "matches version strings inside ordinary browser UAs",
    "008\\/": "three digits and a slash occur in browser build strings",
    "NING\\/": "also the tail of Lightning/ (a Thunderbird add-on)",
    "Fetch\\/": "also the tail of MozacFetch/ (Firefox for Android's fetch client)",
    "Viber": "the Viber app and its in-app browser send it too",
    "Sogou": "Sogou's mobile browser says SogouMobileBrowser; the spiders say Sogou ... Spider",
    "Sonic": "a word inside phone and TV names (Panasonic, ViewSonic, Sonic phones)",
    "speedy": "a phone model name (SMART 4G Speedy)",
    "Fever": "a phone model name (Fever_Plus)",
    "Butterfly": "a phone model name (HTC Butterfly)",
    "ds9": "a substring of device models (XDS94K)",
}


def make_id(pattern):
    first = pattern.split("|")[0]
    text = re.sub(r"\\[dswDSW]", " ", first)
    text = re.sub(r"\[([a-zA-Z])[a-zA-Z]\]", r"\1", text)
    text = re.sub(r"\\(.)", r"\1", text)
    text = re.sub(r"[\^$()*+?{}\[\]]", " ", text)
    words = re.findall(r"[A-Za-z0-9]+", text)
    ident = "_".join(w.upper() for w in words)
    if not ident or ident[0].isdigit():
        ident = "BOT_" + ident
    return ident


def main():
    data = json.load(open(sys.argv[1], encoding="utf-8"))
    version = sys.argv[2]
    here = sys.argv[0].rsplit("/", 1)[0] if "/" in sys.argv[0] else "."
    curated = [json.loads(line) for line in open(f"{here}/curated.jsonl", encoding="utf-8")]
    curated_ids = {c["id"] for c in curated}
    curated_res = [re.compile(p, re.I) for c in curated for p in c["patterns"]]
    replaced = {p for c in curated for p in c.get("replaces", [])}
    out = {}
    for entry in data:
        pattern = entry["pattern"]
        if pattern in DROPPED or pattern in replaced:
            continue
        instances = entry.get("instances") or []
        if instances and all(any(r.search(ua) for r in curated_res) for ua in instances):
            continue
        tags = entry.get("tags") or []
        category = next((cat for tag, cat in TAG_ORDER if tag in tags), "UNKNOWN")
        ident = make_id(pattern)
        if ident in curated_ids:
            ident += "_BOT"
        if ident in out:
            out[ident]["patterns"].append(pattern)
            continue
        item = {"id": ident, "category": category, "patterns": [pattern]}
        if entry.get("url"):
            item["url"] = entry["url"]
        item["source"] = f"monperrus/crawler-user-agents {version} (MIT)"
        out[ident] = item
    for item in out.values():
        print(json.dumps(item, ensure_ascii=False))


if __name__ == "__main__":
    main()
