#!/usr/bin/env bash
# Workload W3 (job queue) for docs/BENCHMARKS.md: dray's strategies and the db-scheduler peer,
# alternating, RUNS times. Every line of the results file is one run's JSON report.
#
#   dray-bench/scripts/queue-bench.sh [JDBC_URL_OF_A_SCRATCH_DATABASE] [RESULTS_FILE]
#
# The database is used as scratch space: tables dray_bench, dray_bench_source and scheduled_tasks are
# dropped and recreated. RUNS (default 3) and BULK_JOBS (default 1000000) can be set in the environment.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
url="${1:-jdbc:mariadb://127.0.0.1:3306/dray_queue_bench}"
results="${2:-/tmp/dray-queue-bench-$(date +%Y%m%d-%H%M%S).jsonl}"
runs="${RUNS:-3}"
bulk_jobs="${BULK_JOBS:-1000000}"

cd "$root"
./mvnw -q -B -pl dray-cli,dray-bench -am -DskipTests -Dspotless.check.skip=true package
./mvnw -q -B -pl dray-bench dependency:build-classpath -Dmdep.outputFile=/tmp/dray-bench-classpath.txt
peer_cp="dray-bench/target/classes:$(cat /tmp/dray-bench-classpath.txt)"
peer_url="$url$([[ "$url" == *\?* ]] && echo '&' || echo '?')user=root"

dray() { java -Xmx1g -jar dray-cli/target/dray.jar "$@"; }
record() { # label, then the command
  local label="$1"; shift
  local json
  json="$("$@" | tr -d '\n')"
  echo "{\"label\":\"$label\",\"run\":$run,\"result\":$json}" >> "$results"
  echo "$label run $run: $json" >&2
}

bulk_alone() {
  local line seconds
  line="$(dray queue enqueue --db "$url" --queue dray_bulk_alone --via-hold-table --chunk-size 5000 \
    --from-query "SELECT JSON_OBJECT('user', user_id) AS payload FROM dray_bench_source")"
  seconds="$(sed -E 's/.* in ([0-9.]+) s .*/\1/' <<< "$line")"
  echo "{\"bulk_s\":$seconds,\"bulk_jobs_per_s\":$(sed -E 's/.*\(([0-9,]+) jobs\/s\).*/\1/; s/,//g' <<< "$line")}"
}

echo "machine: $(nproc) cores, $(free -h | awk '/Mem:/ {print $2}') memory, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for run in $(seq 1 "$runs"); do
  record static-100k-skip-locked-c8-no-claim-limit dray queue bench --db "$url" --strategy skip-locked --jobs 100000 --consumers 8 --concurrent-claims 0
  record static-100k-skip-locked-c8-claims2 dray queue bench --db "$url" --strategy skip-locked --jobs 100000 --consumers 8 --concurrent-claims 2
  record static-20k-skip-locked-c8 dray queue bench --db "$url" --strategy skip-locked --jobs 20000 --consumers 8
  record peer-db-scheduler-20k-t8-poll100ms java -cp "$peer_cp" dev.dray.bench.queue.DbSchedulerPeer "$peer_url" 20000 8 100
  record peer-db-scheduler-20k-t8-poll10ms java -cp "$peer_cp" dev.dray.bench.queue.DbSchedulerPeer "$peer_url" 20000 8 10
  for strategy in simple chunk skip-locked; do
    record "static-15k-$strategy-c5" dray queue bench --db "$url" --strategy "$strategy" --jobs 15000 --consumers 5
  done
  # the peer in the dynamic mode: 5 producers scheduling for 20 s, 5 scheduler threads, 10 s drain
  record peer-db-scheduler-dynamic-p5-t5-20s-poll100ms java -cp "$peer_cp" dev.dray.bench.queue.DbSchedulerPeer "$peer_url" 0 5 100 dynamic 5 20 10
  record peer-db-scheduler-dynamic-p5-t5-20s-poll10ms java -cp "$peer_cp" dev.dray.bench.queue.DbSchedulerPeer "$peer_url" 0 5 10 dynamic 5 20 10
  for strategy in simple chunk skip-locked; do
    record "dynamic-p5-c5-20s-$strategy" dray queue bench --db "$url" --strategy "$strategy" --producers 5 --consumers 5 --seconds 20 --drain 10s
  done
  record "dynamic-bulk-$bulk_jobs" dray queue bench --db "$url" --strategy skip-locked --producers 5 --consumers 5 --seconds 20 \
    --bulk-jobs "$bulk_jobs" --bulk-chunk 5000 --drain 5s
  # The same bulk enqueue with no live traffic: the rate ceiling of the hold-table path here.
  # (a one-job bench run drops and recreates the table: an empty queue without a SQL client)
  dray queue bench --db "$url" --queue dray_bulk_alone --jobs 1 --consumers 1 > /dev/null
  record "bulk-alone-$bulk_jobs" bulk_alone
done
echo "results: $results" >&2
python3 "$root/dray-bench/scripts/queue-bench-summary.py" "$results"
