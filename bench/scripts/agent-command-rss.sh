#!/bin/bash
# Idle memory of a packaged agent tree (extracted .deb) after two scans, then 20 s and 60 s after one
# AWS-RunShellScript and one AWS-RunPatchBaseline Scan sent with the AWS CLI (the lead's rsscmd.sh, 2026-12-03,
# made reusable by rss4). Usage: agent-command-rss.sh TREE [JAVA_TOOL_OPTIONS] [nmt]
#   STATE: a registered agent state folder (copied per run, journal emptied: each run starts having run nothing)
#   DATA:  the `patchtide up` data folder of the server it is registered with (its aws-config and credentials)
# With a third argument "nmt", JAVA_TOOL_OPTIONS should hold -XX:NativeMemoryTracking=summary: the NMT summaries
# at both moments, the diff between them (a baseline taken after the scans) and a thread dump at the end are
# written next to the log. Each line also gives the CDS archive's own pages (agent.jsa in smaps: Rss and
# Private_Clean/Private_Dirty), which the load of the machine hardly moves.
T=${1:?tree}; X=${2:-}; NMT=${3:-}; STATE=${STATE:-/tmp/rss3-srv/state-a}; DATA=${DATA:-/tmp/rss3-srv/data}
S=/tmp/agent-rss-state-$$; L=/tmp/agent-rss-$(basename "$T")-$$.log
J=${JCMD:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/jcmd}
ID=$(sed -n 's/.*"instanceId" *: *"\([^"]*\)".*/\1/p' "$STATE/registration.json")
rm -rf $S; cp -a "$STATE" $S; rm -rf $S/invocations/* $S/command-scripts/*
unset AWS_CA_BUNDLE # the sandbox sets one; the profile names the server's CA
export AWS_CONFIG_FILE=$DATA/aws-config AWS_SHARED_CREDENTIALS_FILE=$DATA/aws-credentials AWS_PROFILE=patchtide
JAVA_TOOL_OPTIONS="$X" "$T/usr/bin/patchtide-agent" run --state-dir $S --scan-interval PT20S --heartbeat-interval PT60S > $L 2>&1 &
P=$!
for i in $(seq 1 150); do [ "$(grep -c 'patch scan reported' $L)" -ge 2 ] && break; sleep 1; done
sleep 20
r() { awk -v k="^$1:" '$0 ~ k {printf "%.1f", $2/1024}' /proc/$P/smaps_rollup; }
jsa() { awk '/agent\.jsa/{f=1;next} /^[0-9a-f]+-[0-9a-f]+ /{f=0} f&&/^(Rss|Private_Clean|Private_Dirty):/{s[$1]+=$2}
  END{printf "%.1f/%.1f/%.1f", s["Rss:"]/1024, s["Private_Clean:"]/1024, s["Private_Dirty:"]/1024}' /proc/$P/smaps; }
m() { echo "rss=$(r Rss) pss=$(r Pss) anon=$(r Anonymous) hwm=$(awk '/VmHWM/{printf "%.1f", $2/1024}' /proc/$P/status) threads=$(ls /proc/$P/task | wc -l) jsa(rss/clean/dirty)=$(jsa) load=$(cut -d' ' -f1 /proc/loadavg)"; }
echo "$T idle after 2 scans: $(m)"
[ "$NMT" = nmt ] && $J $P VM.native_memory summary > $L.nmt1 && $J $P VM.native_memory baseline > /dev/null
for doc in "AWS-RunShellScript commands=echo-hi" "AWS-RunPatchBaseline Operation=Scan"; do
  set -- $doc
  CID=$(aws ssm send-command --document-name $1 --instance-ids $ID --parameters "${2%%=*}=${2#*=}" --query Command.CommandId --output text)
  for i in $(seq 1 120); do S2=$(aws ssm get-command-invocation --command-id $CID --instance-id $ID --query Status --output text 2>/dev/null); [ "$S2" = Success ] || [ "$S2" = Failed ] && break; sleep 1; done
  echo "$1: $S2"
done
sleep 20
echo "idle 20 s after two commands: $(m)"
sleep 40
echo "idle 60 s after two commands: $(m)"
[ "$NMT" = nmt ] && $J $P VM.native_memory summary > $L.nmt2 && $J $P VM.native_memory summary.diff > $L.nmtdiff \
  && $J $P Thread.print > $L.threads && echo "NMT: $L.nmt1 $L.nmt2 $L.nmtdiff $L.threads"
kill $P; wait $P 2>/dev/null; rm -rf $S
