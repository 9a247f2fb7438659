#!/usr/bin/env python3
"""Server CPU samples of a JFR recording by request stage (the first of these markers found anywhere in
the stack, in this order), optionally between two UTC times.

usage: jfr print --events jdk.ExecutionSample --stack-depth 96 rec.jfr | jfr-by-stage.py [FROM TO]"""
import re
import sys
from collections import Counter

STAGES = [
    ("PatchStates.", "judging (core PatchStates / BaselineEvaluator)"),
    ("BaselineEvaluator.", "judging (core PatchStates / BaselineEvaluator)"),
    ("Inventory.parse", "inventories: unpack (gunzip + parse)"),
    ("InventoryStore.", "inventories: store / read"),
    ("Inventory.", "inventories: canonical text + SHA-256"),
    ("OutcomeHash.", "outcome and patch-list hashes"),
    ("PatchStateRows.", "batch SQL: state rows, patch rows, locks, times (JDBI/pgjdbc)"),
    ("ComplianceHistory.", "batch SQL: history rows"),
    ("PatchEvaluation.write", "last_scan JSON for a judged report"),
    ("ScanIngest.", "ScanIngest: instance locks, baseline cache, events, commit"),
    ("ScanWriter.", "ScanWriter: queue, hand-off, commit"),
    ("AccessKeyStore.find", "authentication: access-key look-up"),
    ("SigV4.verify", "authentication: SigV4 verify (SHA-256 of body, HMACs)"),
    ("SigV4.", "authentication: SigV4 parse"),
    ("ApiRouter.bind", "JSON: bind request"),
    ("Validation", "request validation"),
    ("ObjectMapper.writeValueAsBytes", "JSON: write response"),
    ("ApiRouter.signable", "router: copy headers for SigV4"),
    ("io.micrometer.", "metrics"),
    ("ApiRouter.", "router other"),
    ("io.javalin.", "Javalin"),
    ("org.eclipse.jetty.", "Jetty (HTTP parse/write, I/O)"),
]
window = sys.argv[1:3] if len(sys.argv) >= 3 else None
counts, total = Counter(), 0
frames, start, thread, in_stack = [], None, "", False


def flush():
    global total
    if not frames or start is None or (window and not (window[0] <= start <= window[1])):
        return
    if thread.startswith("pool-") or thread.startswith("HttpClient-"):
        return  # the simulator's side
    total += 1
    text = "\n".join(frames)
    for marker, name in STAGES:
        if marker in text:
            counts[name] += 1
            return
    counts["other (GC helpers, JIT, carrier threads): " + frames[-1].split("(")[0]] += 1


for line in sys.stdin:
    s = line.strip()
    if s.startswith("jdk.ExecutionSample"):
        flush()
        frames, start, thread, in_stack = [], None, "", False
    elif s.startswith("sampledThread"):
        m = re.search(r'"([^"]*)"', s)
        thread = m.group(1) if m else ""
    elif s.startswith("startTime"):
        m = re.search(r"(\d\d:\d\d:\d\d)", s)
        start = m.group(1) if m else None
    elif s.startswith("stackTrace = ["):
        in_stack = True
    elif in_stack and s.startswith("]"):
        in_stack = False
    elif in_stack and s and s != "...":
        frames.append(s)
flush()
print(f"{total} server samples")
for name, n in counts.most_common(20):
    print(f"{100.0 * n / total:6.1f}%  {name}")
