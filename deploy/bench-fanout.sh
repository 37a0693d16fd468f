#!/bin/sh
# bench-fanout.sh times one urban plan job, fanned out into child jobs, with
# one and then two `lastmile worker` processes behind an API-only server on
# PostgreSQL, and prints the wall time of each, the load average, and a
# checksum of each report (they must match each other and the in-process
# `lastmile plan urban`). Run it from the repository root:
#
#	deploy/bench-fanout.sh [DATABASE_URL]
#
# BODY (the plan request), WORKERS (River workers per process), ROUNDS
# (runs of each setting, alternating) and PORT may be set in the
# environment. The database is dropped and created afresh: use a scratch
# one.
set -eu
DB=${1:-postgres://postgres@127.0.0.1:5432/lastmile_fanout_bench?sslmode=disable}
BODY=${BODY:-'{"seed":3,"parcels":2000,"carriers":4,"iterations":40}'}
WORKERS=${WORKERS:-2}
ROUNDS=${ROUNDS:-1}
PORT=${PORT:-18412}
KEY=bench-planner-key
URL=http://127.0.0.1:$PORT

tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

name=${DB##*/}
name=${name%%\?*}
admin=${DB%/*}/postgres
psql -q "$admin" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
go build -o "$tmp/lastmile" ./cmd/lastmile

"$tmp/lastmile" serve --database-url "$DB" --workers 0 --addr "127.0.0.1:$PORT" \
	--api-key "planner:$KEY" --coverage-every 0 >"$tmp/api.log" 2>&1 &
pids="$pids $!"
until curl -fs "$URL/readyz" >/dev/null 2>&1; do sleep 0.2; done

# The in-process plan, for the checksum and as a reference time.
seed=$(echo "$BODY" | jq .seed)
parcels=$(echo "$BODY" | jq .parcels)
carriers=$(echo "$BODY" | jq .carriers)
iters=$(echo "$BODY" | jq .iterations)
t0=$(date +%s.%N)
"$tmp/lastmile" plan --quiet --json --seed "$seed" --parcels "$parcels" --carriers "$carriers" --iterations "$iters" urban |
	jq -cS . | sha256sum | cut -c1-12 >"$tmp/inprocess.sum"
t1=$(date +%s.%N)
printf 'in-process  %6.1f s  report %s  load %s\n' "$(echo "$t1 - $t0" | bc)" "$(cat "$tmp/inprocess.sum")" "$(cut -d' ' -f1-3 /proc/loadavg)"

run() { # $1: worker processes
	wpids=""
	for _ in $(seq "$1"); do
		"$tmp/lastmile" worker --database-url "$DB" --workers "$WORKERS" >>"$tmp/worker.log" 2>&1 &
		wpids="$wpids $!"
	done
	sleep 2 # the workers connect and start polling
	t0=$(date +%s.%N)
	id=$(curl -fs -H "Authorization: Bearer $KEY" -H 'Prefer: respond-async' --json "$BODY" "$URL/v1/plans/urban" | jq -r .id)
	while :; do
		doc=$(curl -fs -H "Authorization: Bearer $KEY" "$URL/v1/jobs/$id")
		case $(echo "$doc" | jq -r .status) in
		succeeded | failed | cancelled) break ;;
		esac
		sleep 0.2
	done
	t1=$(date +%s.%N)
	sum=$(echo "$doc" | jq -cS .result.result | sha256sum | cut -c1-12)
	printf '%d worker(s) %6.1f s  report %s  %s, %s sub-plans  load %s\n' "$1" "$(echo "$t1 - $t0" | bc)" "$sum" \
		"$(echo "$doc" | jq -r .status)" "$(echo "$doc" | jq -r .progress.parts_total)" "$(cut -d' ' -f1-3 /proc/loadavg)"
	for p in $wpids; do kill "$p"; done
	wait $wpids 2>/dev/null || true
}

for _ in $(seq "$ROUNDS"); do
	run 1
	run 2
done
