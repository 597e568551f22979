"""RedPajama's StackExchange processing (rp_v1 data_prep/stack_exchange filter.py + post_processing.py)
re-implemented as the reference, with BeautifulSoup + lxml, and answers sorted by NUMERIC score
(RedPajama compares the score strings; pass --string-scores for that order).

Usage: rp_stackexchange.py Posts.xml site [--string-scores]  → JSON lines {"question_id", "text"}.
"""
import json
import sys
import time
import xml.etree.ElementTree as ET

from bs4 import BeautifulSoup


def cleanhtml(raw_html):
    raw_html = raw_html.replace("<li>", "\n*")
    raw_html = raw_html.replace("</li>", "")
    raw_html = raw_html.replace("<ol>", "\n*")
    raw_html = raw_html.replace("</ol>", "")
    return BeautifulSoup(raw_html, "lxml").get_text()


def main():
    path, string_scores = sys.argv[1], "--string-scores" in sys.argv
    start = time.process_time()
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("<row"):
                continue
            try:
                rows.append(ET.fromstring(line).attrib)
            except ET.ParseError:
                continue  # RedPajama would crash here; the test's sample has no broken rows
    parents = {}
    for a in rows:
        if "ParentId" in a:
            parents.setdefault(a["ParentId"], []).append({"id": a["Id"], "text": a["Body"], "score": a["Score"]})
    for a in rows:
        if "ParentId" in a:
            continue
        if a["Id"] in parents:
            answers = parents[a["Id"]]
            key = (lambda x: x["score"]) if string_scores else (lambda x: int(x["score"]))
            answers = sorted(answers, key=key, reverse=True)
            q = cleanhtml(f"{a.get('Title', '')} {a['Body']}")
            text = f"Q: {q}\nA: " + "\nA: ".join(cleanhtml(x["text"]) for x in answers)
        elif "Title" in a:
            text = "Q: " + cleanhtml(f"{a['Title']} {a.get('Body', '')}")
        else:
            continue
        if "--time" not in sys.argv:
            sys.stdout.write(json.dumps({"question_id": int(a["Id"]), "text": text}) + "\n")
    if "--time" in sys.argv:
        print(json.dumps({"seconds": time.process_time() - start}))


if __name__ == "__main__":
    main()
