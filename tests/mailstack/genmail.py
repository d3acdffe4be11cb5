#!/usr/bin/env python3
"""Generate N realistic RFC 5322 messages.

Modes:
  --maildir DIR     write files straight into DIR/cur (Dovecot maildir; name carries S= and W= sizes
                    and flags, mtime = message date so INTERNALDATE is realistic)
  --mbox FILE       write one mbox file (for doveadm import / other servers)
  --lmtp HOST:PORT  deliver through LMTP (one session, one transaction per message)
Deterministic for a given --seed. About 6% of messages are Japanese, in the charsets Japanese mail
really uses: ISO-2022-JP (7bit), Shift_JIS (base64) and EUC-JP (8bit), with RFC 2047 headers in the
same charset.
"""
import argparse, os, random, socket, time, email.utils, base64, sys, datetime

FIRST = ["Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory",
         "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Zoë", "José", "Søren",
         "Małgorzata", "Ólafur", "Chloé", "Jürgen"]
LAST = ["Smith", "Jones", "Müller", "García", "Rossi", "Dubois", "Nowak", "Kowalski", "Johansson", "Tanaka",
        "Nguyen", "O'Brien", "Fernández", "Novák", "Larsen", "Schmidt", "Brown", "Martin"]
DOMAINS = ["example.com", "example.org", "example.net", "corp.example", "mail.example.co.uk", "lists.example.org"]
SUBJ_A = ["Quarterly report", "Meeting notes", "Invoice", "Your order", "Re: project plan", "Lunch on Friday?",
          "Build failed", "Security advisory", "Weekly digest", "Holiday schedule", "Contract draft",
          "Question about the API", "Travel itinerary", "Password reset", "Team offsite", "Release candidate",
          "Überweisung bestätigt", "Café menu", "会议记录", "Budget 2025", "Code review request"]
SUBJ_B = ["", " - action required", " (updated)", " for Q3", " #%d", " [draft]", " – final version", "!!", " 🚀"]
WORDS = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et "
         "dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea "
         "commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur "
         "excepteur sint occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id est "
         "laborum report meeting budget schedule deploy server release customer invoice please review "
         "attached thanks regards tomorrow").split()


JA_NAMES = ["山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲", "田中 健", "渡辺 さくら"]
JA_SUBJECTS = ["会議の議事録", "お見積りのご依頼", "【重要】システムメンテナンスのお知らせ", "来週の打ち合わせについて",
               "請求書送付のご案内", "ご注文ありがとうございます", "忘年会のお知らせ"]
JA_LINES = ["いつもお世話になっております。", "ご確認のほど、よろしくお願いいたします。", "添付の資料をご覧ください。",
            "来週の火曜日に打ち合わせを予定しております。", "何かご不明な点がございましたらお知らせください。",
            "本日は晴天なり。東京は少し寒くなってきました。", "引き続きよろしくお願い申し上げます。"]
JA_CHARSETS = [("iso-2022-jp", "7bit")] * 3 + [("shift_jis", "base64"), ("euc-jp", "8bit")]


def enc_header_in(s, charset):
    return f"=?{charset.upper()}?B?" + base64.b64encode(s.encode(charset)).decode() + "?="


def japanese_msg(rnd, i, to, domain, date, mid):
    charset, cte = rnd.choice(JA_CHARSETS)
    name = rnd.choice(JA_NAMES)
    subj = rnd.choice(JA_SUBJECTS)
    text = "\n".join(rnd.choice(JA_LINES) for _ in range(rnd.randint(3, 8))) + "\n"
    raw = text.encode(charset)
    body = base64.encodebytes(raw) if cte == "base64" else raw
    h = [f"From: {enc_header_in(name, charset)} <user{i}@example.jp>", f"To: <{to}>",
         f"Subject: {enc_header_in(subj, charset)}", f"Date: {rfcdate(date)}", f"Message-ID: {mid}",
         "MIME-Version: 1.0", f"Content-Type: text/plain; charset={charset}", f"Content-Transfer-Encoding: {cte}"]
    return ("\n".join(h) + "\n\n").encode() + body


def rfcdate(ts):
    return email.utils.format_datetime(datetime.datetime.fromtimestamp(ts, datetime.timezone.utc))


def enc_header(s):
    try:
        s.encode("ascii")
        return s
    except UnicodeEncodeError:
        return "=?UTF-8?B?" + base64.b64encode(s.encode()).decode() + "?="


def addr(rnd):
    f, l = rnd.choice(FIRST), rnd.choice(LAST)
    local = (f + "." + l).lower().encode("ascii", "ignore").decode().replace("'", "")
    return f'"{enc_header(f + " " + l)}" <{local}@{rnd.choice(DOMAINS)}>'


def para(rnd, n):
    w = [rnd.choice(WORDS) for _ in range(n)]
    w[0] = w[0].capitalize()
    lines, cur = [], ""
    for x in w:
        if len(cur) + len(x) + 1 > 72:
            lines.append(cur)
            cur = x
        else:
            cur = (cur + " " + x).strip()
    lines.append(cur + ".")
    return "\n".join(lines)


def make_msg(rnd, i, to, domain, date, msgids):
    subj = rnd.choice(SUBJ_A) + (rnd.choice(SUBJ_B).replace("%d", str(rnd.randint(1, 999))))
    mid = f"<{i}.{rnd.getrandbits(48):012x}@{rnd.choice(DOMAINS)}>"
    if rnd.random() < 0.06:
        msgids.append(mid)
        return japanese_msg(rnd, i, to, domain, date, mid)
    h = [
        f"Return-Path: <sender{i}@{rnd.choice(DOMAINS)}>",
        f"Received: from mx.{rnd.choice(DOMAINS)} (mx [192.0.2.{rnd.randint(1, 254)}])\n\tby mail.{domain} with ESMTPS; {rfcdate(date)}",
        f"From: {addr(rnd)}",
        f"To: <{to}>",
    ]
    if rnd.random() < 0.3:
        h.append("Cc: " + ", ".join(addr(rnd) for _ in range(rnd.randint(1, 3))))
    h += [f"Subject: {enc_header(subj)}", f"Date: {rfcdate(date)}",
          f"Message-ID: {mid}"]
    if msgids and rnd.random() < 0.35:
        parent = rnd.choice(msgids[-50:])
        h += [f"In-Reply-To: {parent}", f"References: {parent}"]
    msgids.append(mid)
    h.append("MIME-Version: 1.0")
    text = "\n\n".join(para(rnd, rnd.randint(20, 120)) for _ in range(rnd.randint(1, 6)))
    r = rnd.random()
    if r < 0.65:
        h += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
        body = text + "\n"
    elif r < 0.9:
        b = f"=_alt_{i:08d}"
        html = "<html><body>" + "".join(f"<p>{p}</p>" for p in text.split("\n\n")) + "</body></html>"
        h.append(f'Content-Type: multipart/alternative; boundary="{b}"')
        body = (f"--{b}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{text}\n"
                f"--{b}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{html}\n--{b}--\n")
    else:
        b = f"=_mix_{i:08d}"
        blob = base64.encodebytes(rnd.randbytes(rnd.randint(2000, 60000))).decode()
        h.append(f'Content-Type: multipart/mixed; boundary="{b}"')
        body = (f"--{b}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{text}\n"
                f"--{b}\nContent-Type: application/pdf; name=\"doc{i}.pdf\"\n"
                f"Content-Disposition: attachment; filename=\"doc{i}.pdf\"\nContent-Transfer-Encoding: base64\n\n"
                f"{blob}--{b}--\n")
    return ("\n".join(h) + "\n\n" + body).encode()


def flags_for(rnd, age_frac):
    f = ""
    if rnd.random() < 0.03:
        f += "F"  # flagged
    if rnd.random() < 0.1:
        f += "R"  # answered
    if rnd.random() < (0.97 if age_frac < 0.98 else 0.3):
        f += "S"  # seen: most old mail read, recent mail mostly unread
    return "".join(sorted(f))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--to", required=True)
    ap.add_argument("--domain", default="example.test")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--uid", type=int, default=-1, help="chown written maildir files to this uid")
    ap.add_argument("--gid", type=int, default=-1)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--maildir")
    g.add_argument("--mbox")
    g.add_argument("--lmtp")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    now = time.time()
    start = now - 3 * 365 * 86400
    step = (now - start) / max(a.count, 1)
    msgids = []
    host = socket.gethostname()
    pid = os.getpid()
    if a.maildir:
        cur = os.path.join(a.maildir, "cur")
        for i in range(a.count):
            date = start + i * step + rnd.random() * step
            m = make_msg(rnd, i, a.to, a.domain, date, msgids)
            size = len(m)
            vsize = size + m.count(b"\n")
            fl = flags_for(rnd, i / a.count)
            name = f"{int(date)}.M{i:06d}P{pid}.{host},S={size},W={vsize}:2,{fl}"
            p = os.path.join(cur, name)
            with open(p, "wb") as fh:
                fh.write(m)
            if a.uid >= 0:
                os.chown(p, a.uid, a.gid)
            os.utime(p, (date, date))
    elif a.mbox:
        with open(a.mbox, "wb") as fh:
            for i in range(a.count):
                date = start + i * step + rnd.random() * step
                m = make_msg(rnd, i, a.to, a.domain, date, msgids)
                fh.write(b"From MAILER-DAEMON " + time.asctime(time.gmtime(date)).encode() + b"\n")
                # mboxrd quoting
                out = []
                for line in m.split(b"\n"):
                    s = line.lstrip(b">")
                    out.append(b">" + line if s.startswith(b"From ") else line)
                fh.write(b"\n".join(out) + b"\n")
    else:
        hostp, port = a.lmtp.rsplit(":", 1)
        s = socket.create_connection((hostp, int(port)))
        f = s.makefile("rb")

        def resp():
            while True:
                line = f.readline()
                if line[3:4] != b"-":
                    if line[:1] not in (b"2", b"3"):
                        raise SystemExit("LMTP error: " + line.decode())
                    return line

        resp()
        s.sendall(b"LHLO seed\r\n"); resp()
        for i in range(a.count):
            date = start + i * step + rnd.random() * step
            m = make_msg(rnd, i, a.to, a.domain, date, msgids)
            data = m.replace(b"\n", b"\r\n")
            data = b"\r\n".join((b"." + l if l.startswith(b".") else l) for l in data.split(b"\r\n"))
            s.sendall(b"MAIL FROM:<seed@example.com>\r\nRCPT TO:<" + a.to.encode() + b">\r\nDATA\r\n")
            resp(); resp(); resp()
            s.sendall(data + (b"" if data.endswith(b"\r\n") else b"\r\n") + b".\r\n")
            resp()
        s.sendall(b"QUIT\r\n")


if __name__ == "__main__":
    main()
