#!/usr/bin/env bash
# `make run`: control plane on 127.0.0.1 with SQLite, plus the local agent
# connected to it. Tokens are created once and kept (0600) in the state dir,
# because the control plane stores only their hashes.
set -euo pipefail
cd "$(dirname "$0")/.."

STATE=${VIGIL_STATE:-/var/lib/vigil}
LISTEN=${VIGIL_LISTEN:-127.0.0.1:7070}
CP_DB=$STATE/control-plane.db
VIGIL=./bin/vigil

if [ "$(id -u)" -ne 0 ]; then
	echo "make run: the agent loads eBPF programs; run as root (sudo make run)" >&2
	exit 1
fi
umask 077
mkdir -p "$STATE"

token_for() { # role -> token, created once
	local file=$STATE/$1.token
	if [ ! -s "$file" ]; then
		"$VIGIL" token create --role "$1" --name "make-run-$1" --db "$CP_DB" 2>/dev/null | head -n1 > "$file.tmp"
		mv "$file.tmp" "$file"
	fi
	cat "$file"
}
ADMIN=$(token_for admin)
AGENT=$(token_for agent)

pids=()
stop() {
	trap - INT TERM EXIT
	echo
	echo "stopping (the loader detaches ~100 probes; this takes a few seconds)..."
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$VIGIL" control-plane --listen "$LISTEN" --db "$CP_DB" --log-level warn &
pids+=($!)
for _ in $(seq 1 100); do
	curl -fs "http://$LISTEN/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done

"$VIGIL" agent --control-plane "ws://$LISTEN" --token "$AGENT" --db "$STATE/events.db" \
	--retention-age 7d --retention-size 1GB --log-level warn &
pids+=($!)

cat <<MSG

  Vigil is running.
  Dashboard:   http://$LISTEN/
  Admin token: $ADMIN
  History:     $VIGIL query --db $STATE/events.db --since 15m
  Ctrl-C stops both.

MSG
wait -n "${pids[@]}"
