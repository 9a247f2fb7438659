#!/bin/bash
# Idle memory of a packaged agent tree (extracted .deb) after two scans, then 20 s and 60 s after one
# AWS-RunShellScript and one AWS-RunPatchBaseline Scan sent with the AWS CLI (the lead's rsscmd.sh, 2026-12-03,
# made reusable by rss4). Usage: agent-command-rss.sh TREE [JAVA_TOOL_OPTIONS] [nmt]
#   STATE: a registered agent state folder (copied per run, journal emptied: each run starts having run nothing)
#   DATA:  the `patchtide up` data folder of the server it is registered with (its aws-config and credentials)
# With a third argument "nmt", JAVA_TOOL_OPTIONS should hold -XX:NativeMemoryTracking=summary: the NMT summaries
# at both moments are written next to the log.
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
m() { echo "rss=$(r Rss) pss=$(r Pss) anon=$(r Anonymous) hwm=$(awk '/VmHWM/{printf "%.1f", $2/1024}' /proc/$P/status) threads=$(ls /proc/$P/task | wc -l) load=$(cut -d' ' -f1 /proc/loadavg)"; }
echo "$T idle after 2 scans: $(m)"
[ "$NMT" = nmt ] && $J $P VM.native_memory summary > $L.nmt1
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
[ "$NMT" = nmt ] && $J $P VM.native_memory summary > $L.nmt2 && echo "NMT: $L.nmt1 $L.nmt2"
kill $P; wait $P 2>/dev/null; rm -rf $S
