#!/usr/bin/env python3
"""CPU samples of a JFR recording, attributed to the first non-JDK frame of each stack (so a HashMap.put
called by Jackson counts as Jackson), optionally only between two UTC times (as FleetSimulator prints).

usage: jfr print --events jdk.ExecutionSample --stack-depth 96 rec.jfr | jfr-by-library.py [FROM TO [PREFIX]]
       FROM/TO like 02:31:05 (UTC, compared with the events' startTime)."""
import re
import sys
from collections import Counter

LIBS = [
    ("dev.patchtide.bench.", "simulator (client)"),
    ("jdk.internal.net.http.", "JDK HttpClient (client)"),
    ("java.net.http.", "JDK HttpClient (client)"),
    ("dev.patchtide.core.auth.", "SigV4 (core.auth)"),
    ("dev.patchtide.server.auth.", "SigV4 (core.auth)"),
    ("dev.patchtide.core.patching.", "baseline evaluation"),
    ("dev.patchtide.core.", "core other"),
    ("dev.patchtide.server.", "server code"),
    ("dev.patchtide.agent.", "agent client"),
    ("com.fasterxml.jackson.", "Jackson"),
    ("org.postgresql.", "pgjdbc"),
    ("org.jdbi.", "JDBI"),
    ("com.zaxxer.", "HikariCP"),
    ("org.eclipse.jetty.", "Jetty"),
    ("io.javalin.", "Javalin"),
    ("io.micrometer.", "Micrometer"),
    ("io.prometheus.", "Micrometer"),
]
JDK = ("java.", "javax.", "jdk.", "sun.", "com.sun.")

window = sys.argv[1:3] if len(sys.argv) >= 3 else None
counts = Counter()
total = 0
frames, start, in_stack, thread = [], None, False, ""
sides = Counter()
drill = sys.argv[3] if len(sys.argv) >= 4 else None
drilled = Counter()


def flush():
    global total
    if not frames or start is None:
        return
    if window and not (window[0] <= start <= window[1]):
        return
    # The simulator's client threads are a fixed pool of platform threads (pool-N-thread-M); the server
    # runs requests on virtual threads (carried by ForkJoinPool workers) and Jetty's own threads.
    if thread.startswith("pool-"):
        sides["client (simulator threads)"] += 1
        return
    sides["server JVM"] += 1
    total += 1
    if drill:
        # Samples attributed to one library: its innermost method (where its own time goes).
        for f in frames:
            if f.startswith(drill):
                drilled[f.split("(")[0]] += 1
                break
            if any(f.startswith(p) for p, _ in LIBS) or not f.startswith(JDK):
                break
    for f in frames:
        for prefix, name in LIBS:
            if f.startswith(prefix):
                counts[name] += 1
                return
        if not f.startswith(JDK):
            counts["other: " + f.split("(")[0].rsplit(".", 2)[0]] += 1
            return
    counts["JDK only (" + frames[-1].split("(")[0] + ")"] += 1


for line in sys.stdin:
    s = line.strip()
    if s.startswith("jdk.ExecutionSample"):
        flush()
        frames, start, in_stack, thread = [], None, False, ""
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
all_samples = sum(sides.values())
for name, n in sides.most_common():
    print(f"{100.0 * n / all_samples:6.1f}%  {name} ({n} samples)")
print(f"server JVM samples by library ({total}):")
for name, n in counts.most_common(25):
    print(f"{100.0 * n / total:6.1f}%  {name}")
if drill:
    print(f"server samples inside {drill}, by its first frame:")
    for name, n in drilled.most_common(15):
        print(f"{100.0 * n / total:6.1f}%  {name}")
