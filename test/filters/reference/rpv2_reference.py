"""Independent reference for the RedPajama-V2 quality signals, written from their published
definitions with the Python standard library only (re, unicodedata, collections, math), for
/usr/bin/python3. Reads JSON lines {"text": ..., "lang": ...} on stdin; writes one JSON object of
signals per line. Used by test/dedup/signals.test.ts to check the TypeScript implementation.
"""
import collections
import json
import math
import re
import string
import sys
import unicodedata

PUNCT = str.maketrans("", "", string.punctuation)
LINE_RE = re.compile(r"([^\n]*\n|[^\n]+$)")
WORD_PUNCT_RE = re.compile(r"\w+|[^\w\s]+")
SENT_RE = re.compile(r"\b[^.!?]+[.!?]*")
BULLETS = ("\u2022", "\u2023", "\u25B6", "\u25C0", "\u25E6", "\u25A0", "\u25A1", "\u25AA", "\u25AB", "\u2013")


def normalize(text):
    text = text.translate(PUNCT).lower().strip()
    text = re.sub(r"\s+", " ", text)
    return unicodedata.normalize("NFD", text)


def ngrams(seq, n):
    return [tuple(seq[i:i + n]) for i in range(len(seq) - n + 1)]


def span(text, score):
    return [[0, len(text), score]]


def signals(text, stop):
    norm = normalize(text)
    words = norm.split()
    raw_words = WORD_PUNCT_RE.findall(text)
    lines = [(m.start(), m.end(), m.group(0)) for m in LINE_RE.finditer(text)]
    nlines = [(s, e, normalize(t)) for s, e, t in lines]
    out = {}
    out["rps_doc_num_sentences"] = span(text, float(len(SENT_RE.findall(text))))
    out["rps_doc_word_count"] = span(text, len(words))
    out["rps_doc_mean_word_length"] = span(text, round(sum(len(w) for w in words) / len(words), 8) if words else None)
    sym = text.count("#") + text.count("...") + text.count("\u2026")
    out["rps_doc_symbol_to_word_ratio"] = span(text, round(sym / len(raw_words), 8) if raw_words else None)
    ell = sum(1 for _, _, t in lines if t.rstrip().endswith(("...", "\u2026")))
    out["rps_doc_frac_lines_end_with_ellipsis"] = span(text, round(ell / len(lines), 8) if lines else None)
    alpha = sum(1 for w in raw_words if re.search(r"[a-zA-Z]", w))
    out["rps_doc_frac_no_alph_words"] = span(text, round(1.0 - alpha / len(raw_words), 8) if raw_words else None)
    out["rps_doc_frac_unique_words"] = span(text, round(len(set(words)) / len(words), 8) if words else None)
    if words:
        c = collections.Counter(words)
        ent = sum(-x / len(words) * math.log(x / len(words)) for x in c.values())
        out["rps_doc_unigram_entropy"] = span(text, round(ent, 8))
    else:
        out["rps_doc_unigram_entropy"] = span(text, None)
    caps = sum(1 for w in raw_words if w.isupper())
    out["rps_doc_frac_all_caps_words"] = span(text, round(caps / len(raw_words), 8) if raw_words else None)
    lorem = len(re.findall("lorem ipsum", norm, re.IGNORECASE))
    out["rps_doc_lorem_ipsum"] = span(text, round(lorem / len(norm), 8) if norm else 0.0)
    curly = text.count("{") + text.count("}")
    out["rps_doc_curly_bracket"] = span(text, round(curly / len(text), 8) if text else 0.0)
    sw = sum(1 for w in raw_words if w in stop)
    out["rps_doc_stop_word_fraction"] = span(text, round(sw / len(raw_words), 8) if words else 0.0)
    total = sum(len(w) for w in words)
    for n in (2, 3, 4):
        grams = ngrams(words, n)
        counts = collections.Counter(grams)
        score = 0.0
        if counts:
            best, cnt = counts.most_common(1)[0]
            if cnt > 1:
                score = round(sum(len(w) for w in best) * cnt / total, 8)
        out[f"rps_doc_frac_chars_top_{n}gram"] = span(text, score)
    for n in range(5, 11):
        score = 0.0
        if len(words) >= n:
            grams = ngrams(words, n)
            dup = {g for g, k in collections.Counter(grams).items() if k > 1}
            marked = [False] * len(words)
            for i, g in enumerate(grams):
                if g in dup:
                    for k in range(i, i + n):
                        marked[k] = True
            if total:
                score = round(sum(len(w) for w, m in zip(words, marked) if m) / total, 8)
        out[f"rps_doc_frac_chars_dupe_{n}grams"] = span(text, score)
    out["rps_lines_javascript_counts"] = [[s, e, float(t.split().count("javascript"))] for s, e, t in nlines]
    out["rps_lines_ending_with_terminal_punctution_mark"] = [
        [s, e, float(t.rstrip().endswith((".", "!", "?", "\u201d")))] for s, e, t in lines]
    out["rps_lines_num_words"] = [[s, e, len(t.split())] for s, e, t in nlines]
    out["rps_lines_uppercase_letter_fraction"] = [
        [s, e, round(sum(ch.isupper() for ch in t) / len(t), 8)] for s, e, t in lines]
    out["rps_lines_numerical_chars_fraction"] = [
        [s, e, round(sum(ch.isnumeric() for ch in t) / len(t), 8) if t else 0.0] for s, e, t in nlines]
    out["rps_lines_start_with_bulletpoint"] = (
        [[s, e, float(t.lstrip().startswith(BULLETS))] for s, e, t in lines] if lines else span(text, None))
    return out


def main():
    stops = {}
    for line in sys.stdin:
        rec = json.loads(line)
        lang = rec.get("lang", "en")
        if lang not in stops:
            with open(rec["stopwords"], encoding="utf-8") as f:
                stops[lang] = set(json.load(f)[lang])
        print(json.dumps(signals(rec["text"], stops[lang])))


if __name__ == "__main__":
    main()
