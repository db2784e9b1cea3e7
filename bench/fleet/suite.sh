#!/usr/bin/env bash
# The fleet scenarios of issue 13, appended to the bench report ($1): 1,000
# agents on two replicas over NATS JetStream, 10,000 idle agents on one
# replica, a replica SIGKILLed mid-run, and nats-server restarted with its
# store kept. Each run exits non-zero if an alert was lost or delivered twice.
set -uo pipefail
cd "$(dirname "$0")/../.."
report=${1:-bench/results/latest.md}
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
{
  printf '\n## Fleet (bench/fleet/run-fleet.mjs; simulator and replicas share the 2 vCPUs)\n\n'
  printf '| scenario | replicas | alerts/s | events/s | alerts raised | lost | delivered twice | send->subscriber p50 / p99 ms | replica CPU (cores) | replica RSS (MB) | per 100 agents (CPU / RSS) | notes |\n'
  printf '|---|---|---:|---:|---:|---:|---:|---|---|---|---|---|\n'
} >> "$report"
fail=0
run() { node bench/fleet/run-fleet.mjs "$@" --report "$report" > /dev/null || fail=1; }
run --agents 1000 --replicas 2 --start-nats --alerts-per-s 1 --events-per-s 50 --duration 60 --label "1,000 agents, 1 alert/s + 50 events/s each"
run --agents 1000 --replicas 1 --alerts-per-s 1 --events-per-s 50 --duration 60 --label "1,000 agents, embedded (no NATS)"
run --agents 10000 --replicas 1 --alerts-per-min 1 --events-per-s 0 --duration 120 --label "10,000 idle agents (1 alert/min each)"
run --agents 1000 --replicas 2 --start-nats --alerts-per-s 1 --events-per-s 0 --duration 60 --kill-replica-at 30 --label "SIGKILL a replica at 30 s"
run --agents 1000 --replicas 2 --start-nats --alerts-per-s 1 --events-per-s 0 --duration 60 --restart-nats-at 30 --label "restart nats-server at 30 s (store kept)"
exit $fail
