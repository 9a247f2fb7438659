#!/bin/bash
# Refreshes the agent's class list (packaging/src/main/dist/agent/agent.classlist, dumped into agent.jsa at build)
# from the daemon alone: the one-shot CLI (scan, patch, register, help) never runs here. Usage:
#   agent-classlist.sh TREE [LIST]        TREE: an extracted agent .deb (dpkg-deb -x), LIST: the file to write
# Two daemon runs of agent-command-rss.sh (two scans, heartbeats, the command channel, one AWS-RunShellScript, one
# AWS-RunPatchBaseline Scan, 60 s idle; same STATE and DATA as that script, so a server must be up):
#  1. TREE without its archive, with -XX:DumpLoadedClassList: every class, lambda proxy and lambda form it loads;
#  2. TREE with its archive, with -Xlog:class+load: what the daemon loads when it runs as installed.
# The list keeps what run 1 dumped and run 2 loaded: classes the JVM loads only when it has no archive (the module
# graph it otherwise maps ready-made) stay out. Not trained: an Install that installs (it would patch this host);
# its few classes load from the jar.
set -eu
T=$(cd "${1:?tree}" && pwd); OUT=${2:-packaging/src/main/dist/agent/agent.classlist}
HERE=$(cd "$(dirname "$0")" && pwd); W=/tmp/agent-classlist-$$
mkdir -p $W; cp -a "$T" $W/tree; rm -f $W/tree/usr/lib/patchtide-agent/agent.jsa
"$HERE/agent-command-rss.sh" $W/tree "-XX:DumpLoadedClassList=$W/dumped.classlist"
"$HERE/agent-command-rss.sh" "$T" "-Xlog:class+load:file=$W/loaded.txt"
# class+load lines: "[time][info][class,load] java.lang.Object source: ..."; the list names classes with '/'
sed -n 's/^\[[^]]*\]\[[^]]*\]\[class,load\] \([^ ]*\) .*/\1/p' $W/loaded.txt | tr . / | sort -u > $W/loaded.names
{
  grep '^#' "$OUT" || true
  grep -v -e '^#' -e '^@cp' $W/dumped.classlist | sed 's/ id: [0-9]*$//' | awk -v names=$W/loaded.names '
    BEGIN { while ((getline n < names) > 0) loaded[n] = 1 }
    /^@lambda-form-invoker/ { print; next }
    /^@lambda-proxy/ { if ($2 in loaded) print; else dropped++; next }
    { if ($1 in loaded) print; else { dropped++; print "not loaded by the daemon with its archive: " $1 > "/dev/stderr" } }
    END { print dropped + 0 " entries left out" > "/dev/stderr" }'
} > $W/new.classlist
mv $W/new.classlist "$OUT"
echo "$(grep -vc '^#' "$OUT") entries in $OUT"
rm -rf $W
