#!/bin/sh
# Patchtide agent enrolment, as served by @SERVER@ (agent @VERSION@):
#   curl -fsS @SERVER@/enroll.sh | sudo sh -s -- --activation-id ID --activation-code CODE --ca-fingerprint sha256:HEX
# Installs the agent package from that server (dpkg or rpm host), registers the agent once and starts it.
# Running it again is harmless: the same package is not reinstalled, a registered agent is not registered again.
set -eu

SERVER='@SERVER@'
VERSION='@VERSION@'
DEB='@DEB@'
RPM='@RPM@'

id=""
code=""
fingerprint=""
root=""
state=""
start=1

say() { printf '%s\n' "enroll.sh: $*" >&2; }
fail() { say "$*"; exit 1; }
usage() {
  say "usage: sh enroll.sh --activation-id ID --activation-code CODE [--ca-fingerprint sha256:HEX]"
  say "       [--root DIR] [--state-dir DIR] [--no-start]"
  exit 2
}
value() { [ "$2" -ge 2 ] || { say "$1 needs a value"; usage; }; }

while [ $# -gt 0 ]; do
  case "$1" in
    --activation-id) value "$1" $#; id=$2; shift 2 ;;
    --activation-id=*) id=${1#*=}; shift ;;
    --activation-code) value "$1" $#; code=$2; shift 2 ;;
    --activation-code=*) code=${1#*=}; shift ;;
    --ca-fingerprint) value "$1" $#; fingerprint=$2; shift 2 ;;
    --ca-fingerprint=*) fingerprint=${1#*=}; shift ;;
    --root) value "$1" $#; root=$2; shift 2 ;;
    --root=*) root=${1#*=}; shift ;;
    --state-dir) value "$1" $#; state=$2; shift 2 ;;
    --state-dir=*) state=${1#*=}; shift ;;
    --no-start) start=0; shift ;;
    -h|--help) usage ;;
    *) say "unknown option: $1"; usage ;;
  esac
done
[ -n "$id" ] || { say "--activation-id is required"; usage; }
[ -n "$code" ] || { say "--activation-code is required"; usage; }
case "$fingerprint" in
  ""|sha256:*) ;;
  *) fail "--ca-fingerprint must look like sha256:HEX (as 'patchtide activations create' prints it)" ;;
esac
root=${root%/}
state=${state:-$root/var/lib/patchtide-agent}
command -v curl >/dev/null 2>&1 || fail "needs curl"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/patchtide-enroll.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# Trust: over HTTPS, the server's CA is fetched unverified, then pinned by its fingerprint before anything
# else is downloaded; every later download is checked against that CA.
tls=""
case "$SERVER" in
  https://*)
    [ -n "$fingerprint" ] || fail "--ca-fingerprint sha256:HEX is required for $SERVER (see 'patchtide activations create')"
    curl -fsS -k -o "$tmp/ca.pem" "$SERVER/tls/ca.pem" || fail "cannot fetch the server's CA from $SERVER/tls/ca.pem"
    actual=$(sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' "$tmp/ca.pem" \
      | sed '1d;/-----END CERTIFICATE-----/,$d' | base64 -d | sha256sum | cut -d' ' -f1)
    expected=$(printf '%s' "${fingerprint#sha256:}" | tr -d ':' | tr 'ABCDEF' 'abcdef')
    [ "$actual" = "$expected" ] || fail "the server's CA has fingerprint sha256:$actual, not $fingerprint: refusing to enrol"
    tls="--cacert $tmp/ca.pem"
    ;;
  *)
    say "warning: $SERVER is plain HTTP: nothing to pin, the packages and the activation travel unprotected"
    ;;
esac

# shellcheck disable=SC2086 # $tls is empty or two words
fetch() { curl -fsS $tls -o "$2" "$SERVER/$1" || fail "cannot download $SERVER/$1"; }

if command -v dpkg >/dev/null 2>&1 && { command -v apt-get >/dev/null 2>&1 || [ -n "$root" ]; }; then
  [ -n "$DEB" ] || fail "$SERVER has no .deb of agent $VERSION"
  installed=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status} ${Version}' patchtide-agent 2>/dev/null || true)
  if [ "$installed" = "install ok installed $VERSION" ]; then
    say "patchtide-agent $VERSION is installed already"
  else
    fetch "agent-packages/$DEB" "$tmp/$DEB"
    if [ -n "$root" ]; then
      dpkg --root="$root" --force-not-root --force-script-chrootless --log="$root/var/log/dpkg.log" -i "$tmp/$DEB" >&2
    else
      dpkg -i "$tmp/$DEB" >&2
    fi
    say "installed patchtide-agent $VERSION"
  fi
elif command -v rpm >/dev/null 2>&1; then
  [ -n "$RPM" ] || fail "$SERVER has no .rpm of agent $VERSION"
  if [ "$(rpm --root="${root:-/}" -q --qf '%{VERSION}' patchtide-agent 2>/dev/null || true)" = "$VERSION" ]; then
    say "patchtide-agent $VERSION is installed already"
  else
    fetch "agent-packages/$RPM" "$tmp/$RPM"
    if [ -z "$root" ] && command -v dnf >/dev/null 2>&1; then
      dnf install -y "$tmp/$RPM" >&2
    else
      rpm --root="${root:-/}" -U --replacepkgs "$tmp/$RPM" >&2
    fi
    say "installed patchtide-agent $VERSION"
  fi
else
  fail "neither apt/dpkg nor dnf/rpm found: install the agent by hand from $SERVER/agent-packages/"
fi

agent="$root/usr/bin/patchtide-agent"
if [ -f "$state/registration.json" ]; then
  say "registered already ($state/registration.json); not registering again"
else
  set -- register --server "$SERVER" --activation-id "$id" --activation-code "$code" --state-dir "$state"
  [ -z "$fingerprint" ] || set -- "$@" --ca-fingerprint "$fingerprint"
  "$agent" "$@" >&2
fi

if [ "$start" -eq 0 ]; then
  say "not started (--no-start)"
elif [ -n "$root" ]; then
  say "not started: installed under --root $root"
elif command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now patchtide-agent.service
  say "patchtide-agent is enabled and running"
else
  say "no systemd here: start it with '$agent run'"
fi
