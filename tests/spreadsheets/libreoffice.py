#!/usr/bin/env python3
"""Imports every CSV report through a feed link into a real spreadsheet engine and checks the cells.

LibreOffice headless (Debian's libreoffice-calc) opens each feed URL itself, over HTTP with no
header, as a spreadsheet's "link to external data" would, with formula evaluation switched on,
and converts it to a flat ODF spreadsheet, whose cells this script reads back:
  - numbers are numbers (every non-empty cell of a numeric column is a float),
  - dates are dates (every non-empty cell of a date column is a date),
  - formula payloads are text (a cell written with a leading ' is a string, and no cell anywhere
    holds a formula), though the import evaluates formulas (a control file proves it does),
  - instants stay exactly as in JSON (RFC 3339 with Z); LibreOffice 7.4 reads them as text, not as
    date-times, which the report prints as a finding rather than a failure.

Usage: tests/spreadsheets/libreoffice.py [TANDEM_BINARY]   (default: $CARGO_TARGET_DIR/debug/tandem)
Exits non-zero when a check fails. Needs soffice and curl-free Python 3 only.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

NUMERIC = {
    "value", "baseline", "target", "latest_value", "progress", "progress_clamped", "expected",
    "weight", "confidence", "length_minutes", "reschedule_count", "readings",
}
DATES = {"start_date", "due_date", "due_on", "week_of", "projected_hit_date"}
INSTANTS = {
    "observed_at", "created_at", "updated_at", "deleted_at", "latest_observed_at", "as_of", "at",
    "scheduled_at", "slot_at", "held_at", "closed_at",
}
# The CSV import LibreOffice is asked for: comma, double quote, UTF-8, from line 1, English (US),
# quoted fields not forced to text, special numbers (dates) detected, formulas evaluated.
FILTER = "CSV:44,34,76,1,,1033,false,true,false,false,false,-1,true"
NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}
FORMULA = "=HYPERLINK(\"http://evil.example/\";\"click\")"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(base, method, path, token=None, body=None):
    req = urllib.request.Request(base + path, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, data) as res:
        text = res.read().decode()
        return json.loads(text) if text else None


def seed(base):
    tokens = {}
    for who in ("ada", "grace"):
        call(base, "POST", "/v1/auth/register", body={
            "email": f"{who}@sheet.test", "password": f"{who}-password-123",
            "display_name": who.title(), "time_zone": "Europe/Berlin"})
        tokens[who] = call(base, "POST", "/v1/auth/token", body={
            "email": f"{who}@sheet.test", "password": f"{who}-password-123"})["access_token"]
    ada, grace = tokens["ada"], tokens["grace"]
    p = call(base, "POST", "/v1/partnerships", ada,
             {"invitee_email": "grace@sheet.test", "time_zone": "Europe/Berlin"})["id"]
    call(base, "POST", f"/v1/partnerships/{p}/accept", grace)
    goal = call(base, "POST", f"/v1/partnerships/{p}/goals", ada, {
        "title": FORMULA, "what": "Reduce average customer wait time by 20%", "who": "Support team",
        "why": "Long waits are the top reason for churn",
        "metric": {"name": "Average wait", "unit": "minutes", "kind": "duration",
                   "direction": "decrease", "baseline": 12.0, "target": 9.6},
        "confidence": 0.7, "alignment": "Retention", "start_date": "2026-01-01",
        "due_date": "2026-12-31"})["id"]
    call(base, "POST", f"/v1/goals/{goal}/activate", ada)
    for value, at, note in ((11.5, "2026-01-10T09:00:00Z", "=1+2"),
                            (-1.25, "2026-02-01T09:00:00.250Z", "@SUM(A1)")):
        call(base, "POST", f"/v1/goals/{goal}/readings", ada,
             {"value": value, "observed_at": at, "note": note})
    soon = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    m = call(base, "POST", f"/v1/partnerships/{p}/meetings", ada,
             {"scheduled_at": soon, "location": "-2+3"})["id"]
    call(base, "POST", f"/v1/meetings/{m}/commitments", grace,
         {"text": "+cmd|' /C calc'!A0", "due_on": "2026-12-20"})
    call(base, "POST", f"/v1/partnerships/{p}/check-ins", grace, {"text": "=SUM(1;2)"})
    link = call(base, "POST", f"/v1/partnerships/{p}/feed-links", grace, {"name": "LibreOffice"})
    return link["urls"]


def cells(fods):
    """The sheet as rows of (type, text, formula)."""
    rows = []
    for row in ET.parse(fods).iter(f"{{{NS['table']}}}table-row"):
        out = []
        for c in row.findall("table:table-cell", NS):
            repeat = int(c.get(f"{{{NS['table']}}}number-columns-repeated", "1"))
            kind = c.get(f"{{{NS['office']}}}value-type")
            text = "".join(c.itertext()).strip()
            formula = c.get(f"{{{NS['table']}}}formula")
            out.extend([(kind, text, formula)] * min(repeat, 64))
        rows.append(out)
    return rows


def convert(url, out):
    subprocess.run(["soffice", "--headless", f"--infilter={FILTER}", "--convert-to", "fods",
                    "--outdir", out, url], check=True, capture_output=True, timeout=120)
    name = url.rsplit("/", 1)[1].rsplit(".", 1)[0]
    return cells(os.path.join(out, name + ".fods"))


def check(name, rows, failures, findings):
    header = [t for _, t, _ in rows[0]]
    counts = {"numbers": 0, "dates": 0, "neutralised": 0, "instants": 0}
    for r, row in enumerate(rows[1:], start=2):
        for (kind, text, formula), column in zip(row, header):
            where = f"{name} row {r} {column}"
            if formula:
                failures.append(f"{where}: holds a formula {formula!r}")
            if not text:
                continue
            if column in NUMERIC:
                counts["numbers"] += 1
                if kind != "float":
                    failures.append(f"{where}: {text!r} imported as {kind}, not a number")
            elif column in DATES:
                counts["dates"] += 1
                if kind != "date":
                    failures.append(f"{where}: {text!r} imported as {kind}, not a date")
            elif column in INSTANTS:
                counts["instants"] += 1
                if not text.endswith("Z"):
                    failures.append(f"{where}: {text!r} is not written as in JSON")
                if kind != "date":
                    findings.add("instants (RFC 3339 with Z, as in JSON) import as text")
            if text.startswith("'"):
                counts["neutralised"] += 1
                if kind != "string":
                    failures.append(f"{where}: formula payload {text!r} imported as {kind}")
    return counts


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "debug", "tandem")
    work = tempfile.mkdtemp()
    port = free_port()
    env = dict(os.environ, TANDEM_DATABASE_URL=os.path.join(work, "sheet.db"),
               TANDEM_BIND=f"127.0.0.1:{port}", RUST_LOG="warn", TANDEM_WEBHOOK_WORKER="false")
    server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/readyz")
                break
            except OSError:
                time.sleep(0.1)
        urls = seed(base)
        failures, findings = [], set()
        # Control: the import really evaluates formulas, so neutralisation is what stops them.
        control = os.path.join(work, "control.csv")
        with open(control, "w") as f:
            f.write("raw,neutralised\r\n=1+2,'=1+2\r\n")
        out = os.path.join(work, "out")
        subprocess.run(["soffice", "--headless", f"--infilter={FILTER}", "--convert-to", "fods",
                        "--outdir", out, control], check=True, capture_output=True, timeout=120)
        raw, kept = cells(os.path.join(out, "control.fods"))[1][:2]
        if not raw[2] or kept[0] != "string":
            failures.append(f"control: the import does not evaluate formulas as expected: {raw}, {kept}")
        print("| report | rows | numbers | dates | formula payloads as text | instants |")
        print("|---|---|---|---|---|---|")
        for name, url in urls.items():
            if name == "calendar":
                continue
            rows = convert(url, out)
            counts = check(name, rows, failures, findings)
            print(f"| {name} | {len(rows) - 1} | {counts['numbers']} | {counts['dates']} | "
                  f"{counts['neutralised']} | {counts['instants']} |")
        for finding in sorted(findings):
            print(f"finding: {finding}")
        for failure in failures:
            print(f"FAIL: {failure}")
        if failures:
            sys.exit(1)
        print(f"LibreOffice imported {len(urls) - 1} feed URLs: numbers are numbers, dates are "
              "dates, formula payloads are text")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
