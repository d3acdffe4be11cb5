#!/usr/bin/env python3
"""Writes N generated contacts (vCard 3.0, Japanese names with their readings and Western ones,
a few groups) into a user's address book in Radicale's storage directly — a PUT per card would
take minutes for the benchmark's 10,000. Radicale reads the files as they are; its sync tokens
follow the folder's contents.

gencontacts.py --storage DIR --user alice@example.test --count N [--book contacts] [--seed S]
"""
import argparse
import json
import os
import random

FAMILY = [("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"), ("伊藤", "いとう"),
          ("渡辺", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら"), ("小林", "こばやし"), ("加藤", "かとう"),
          ("吉田", "よしだ"), ("山田", "やまだ"), ("佐々木", "ささき"), ("山口", "やまぐち"), ("松本", "まつもと")]
GIVEN = [("一郎", "いちろう"), ("花子", "はなこ"), ("太郎", "たろう"), ("さくら", "さくら"), ("健", "けん"),
         ("美咲", "みさき"), ("翔", "しょう"), ("陽菜", "ひな"), ("大輔", "だいすけ"), ("結衣", "ゆい")]
WESTERN_FAMILY = ["Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Martin", "Müller", "Dubois", "Rossi"]
WESTERN_GIVEN = ["James", "Mary", "Anna", "Lucas", "Emma", "Noah", "Olivia", "Liam", "Sophie", "Marco"]
ORGS = ["株式会社サンプル", "Example Corp", "東京大学", "", "", ""]


def card(i, rng):
    uid = f"gen-{i:06d}"
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"UID:{uid}"]
    if rng.random() < 0.6:
        (fam, fam_r), (giv, giv_r) = rng.choice(FAMILY), rng.choice(GIVEN)
        lines += [f"FN:{fam} {giv}", f"N:{fam};{giv};;;", f"X-PHONETIC-LAST-NAME:{fam_r}", f"X-PHONETIC-FIRST-NAME:{giv_r}"]
        email = f"user{i}@example.jp"
    else:
        fam, giv = rng.choice(WESTERN_FAMILY), rng.choice(WESTERN_GIVEN)
        lines += [f"FN:{giv} {fam}", f"N:{fam};{giv};;;"]
        email = f"{giv.lower()}.{i}@example.org"
    lines.append(f"EMAIL;TYPE=INTERNET,WORK:{email}")
    if rng.random() < 0.5:
        lines.append(f"TEL;TYPE=CELL:090-{rng.randrange(10000):04d}-{rng.randrange(10000):04d}")
    org = rng.choice(ORGS)
    if org:
        lines.append(f"ORG:{org}")
    if rng.random() < 0.1:
        lines.append("CATEGORIES:" + rng.choice(["友達", "仕事", "テニス"]))
    lines.append("END:VCARD")
    return uid, "\r\n".join(lines) + "\r\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--storage", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--book", default="contacts")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    book = os.path.join(args.storage, "collection-root", args.user, args.book)
    os.makedirs(book, exist_ok=True)
    with open(os.path.join(book, ".Radicale.props"), "w", encoding="utf-8") as f:
        json.dump({"tag": "VADDRESSBOOK", "D:displayname": "Contacts"}, f)
    start = len([n for n in os.listdir(book) if n.endswith(".vcf")])
    for i in range(start, start + args.count):
        uid, text = card(i, rng)
        with open(os.path.join(book, uid + ".vcf"), "w", encoding="utf-8", newline="") as f:
            f.write(text)
    print(f"contacts: {args.count} cards written to {book}")


if __name__ == "__main__":
    main()
