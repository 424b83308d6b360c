"""How much the scores move when the same text is written as people write it online (session 17).

Takes ``--per-group`` training-split rows of each group (unreliable and reliable ReINTEL posts,
clickbait and other ViClickbait titles; `test` is not read), rewrites each in one of the forms
below, and prints per form and group the mean absolute change of each score and how many flags
were lost and gained against the text as written.  A form the text pipeline reads back to the
original moves nothing.

    python scripts/written_forms.py [--model DIR] [--per-group 80]

Run it with an older checkout on ``PYTHONPATH`` and that checkout's model (``--model``) to compare
pipelines.  About a minute on one core.
"""
import argparse
import json
import os
import random
import re
import unicodedata

import numpy as np

import misinfo
import misinfo.train as T


def fancy(text):  # mathematical sans-serif bold, as "fancy font" generators write it
    out = []
    for c in unicodedata.normalize("NFD", text):
        if "a" <= c <= "z":
            c = chr(0x1D5EE + ord(c) - ord("a"))
        elif "A" <= c <= "Z":
            c = chr(0x1D5D4 + ord(c) - ord("A"))
        out.append(c)
    return "".join(out)


def cp1252_mojibake(text):
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode("utf-8"))


_HOMOGLYPHS = str.maketrans({"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "y": "у", "i": "і"})
FORMS = {
    "fancy font (bold)": fancy,
    "fullwidth letters": lambda t: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in t),
    "mojibake (cp1252)": cp1252_mojibake,
    "mojibake (Mac Roman)": lambda t: t.encode("utf-8").decode("mac_roman"),
    "HTML numeric references": lambda t: "".join(c if ord(c) < 128 else f"&#{ord(c)};" for c in t),
    "Markdown bold heading": lambda t: "## **" + t.partition("\n")[0] + "**" + "".join(t.partition("\n")[1:]),
    "Cyrillic look-alikes": lambda t: t.translate(_HOMOGLYPHS),
    "elongated letters": lambda t: re.sub(r"([^\W\d_]{3,})", lambda m: m.group() + m.group()[-1] * 4
                                          if random.Random(m.start()).random() < 0.3 else m.group(), t),
    "ALL CAPS": str.upper,
    "a '.' line under it": lambda t: t + "\n.",
    "a link line under it": lambda t: t + "\nhttps://bit.ly/3kF9xQz",
    "bare shortened link": lambda t: t + " bit.ly/3kF9xQz",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--per-group", type=int, default=80)
    parser.add_argument("--datasets", default=os.environ.get("DATASETS", "../shared/datasets"))
    args = parser.parse_args()
    model = misinfo.load_model(args.model)
    posts, titles = T.read_reintel(args.datasets), T.read_viclickbait(args.datasets)
    rng = random.Random(0)

    def pick(data, label):
        rows = [i for i in data.rows("train", unique=True) if data.y[i] == label and len(data.texts[i]) >= 40]
        return [data.texts[i] for i in rng.sample(rows, args.per_group)]

    groups = {"unreliable posts": pick(posts, 1), "reliable posts": pick(posts, 0),
              "clickbait titles": pick(titles, 1), "other titles": pick(titles, 0)}
    base = {g: model.score_many(texts) for g, texts in groups.items()}
    print(json.dumps({"model": model.version, "flagged": {g: sum(s.flagged for s in b) for g, b in base.items()}}))
    for name, form in FORMS.items():
        row = {"form": name}
        for g, texts in groups.items():
            new = model.score_many([form(t) for t in texts])
            row[g] = {
                "misinformation": round(float(np.mean([abs(a.misinformation - b.misinformation) for a, b in zip(base[g], new)])), 3),
                "sensational": round(float(np.mean([abs(a.sensational - b.sensational) for a, b in zip(base[g], new)])), 3),
                "flags_lost": sum(a.flagged and not b.flagged for a, b in zip(base[g], new)),
                "flags_gained": sum(b.flagged and not a.flagged for a, b in zip(base[g], new)),
            }
        print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
