"""HF datasets' wikipedia.py (v2.0.0) cleaning, run with Debian's mwparserfromhell, as the reference.

Reads JSON lines {"id", "wikitext", "media": [prefixes], "category": [prefixes]} on stdin and writes
JSON lines {"id", "text"} in the same order. The steps follow _parse_and_clean_wikicode: per section
(flat, with the lead and headings) remove file links, rename category links to their text without the
prefix, remove <ref> and table tags, then strip_code().strip() with __MAGIC__ words removed; sections
joined by a blank line.
"""
import json
import re
import sys
import time

import mwparserfromhell

MAGIC = re.compile("__[A-Z]*__", flags=re.UNICODE)


def clean(raw, media, category):
    wikicode = mwparserfromhell.parse(raw)
    re_rm_wikilink = re.compile("^(?:%s):" % "|".join(map(re.escape, media)), flags=re.IGNORECASE | re.UNICODE)
    re_clean_wikilink = re.compile("^(?:%s):" % "|".join(map(re.escape, category)), flags=re.IGNORECASE | re.UNICODE)

    def rm_tag(obj):
        return str(obj.tag) in {"ref", "table"}

    def try_remove(obj, section):
        try:
            section.remove(obj)
        except ValueError:
            pass

    out = []
    for section in wikicode.get_sections(flat=True, include_lead=True, include_headings=True):
        for obj in section.ifilter_wikilinks(recursive=True):
            if re_rm_wikilink.match(str(obj.title)):
                try_remove(obj, section)
            elif re_clean_wikilink.match(str(obj.title)):
                try:
                    text = obj.__strip__()
                    obj.text = re.sub(re_clean_wikilink, "", text)
                except ValueError:
                    pass
        for obj in section.ifilter_tags(matches=rm_tag, recursive=True):
            try_remove(obj, section)
        out.append(MAGIC.sub("", section.strip_code().strip()))
    return "\n\n".join(out)


def main():
    # --time: print only the seconds spent cleaning (for bench/xml.ts), not the texts.
    timing = "--time" in sys.argv
    recs = [json.loads(line) for line in sys.stdin]
    start = time.process_time()
    texts = [clean(r["wikitext"], r["media"], r["category"]) for r in recs]
    spent = time.process_time() - start
    if timing:
        print(json.dumps({"seconds": spent}))
        return
    for r, text in zip(recs, texts):
        sys.stdout.write(json.dumps({"id": r["id"], "text": text}) + "\n")


if __name__ == "__main__":
    main()
