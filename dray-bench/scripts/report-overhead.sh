#!/usr/bin/env bash
# What --report FILE.html and --status-port cost (issue 15: "<= 2% on W1 and W2"): runs the W1 load
# (the skewed 12-partition orders table into DuckDB) and the W2 copy (a narrow table into
# t_copy LIKE t, 4 workers, 1000-row chunks) alternately without and with
# `--report r.html --status-port 0`, rotating the order each round, and prints every run, the
# medians and the overhead. Times are dray's own (the "seconds" of its --json result: no JVM start).
#
# Usage: dray-bench/scripts/report-overhead.sh [W1_ROWS=1000000] [W2_ROWS=500000] [ROUNDS=5]
# The server: PORT (default 3306) on 127.0.0.1, user root without a password; the data goes to the
# schemas ro_w1_ROWS and ro_w2 (created when missing). Run it on a quiet machine: a 2% difference
# drowns in the noise of a busy one.
set -euo pipefail
w1_rows="${1:-1000000}"
w2_rows="${2:-500000}"
rounds="${3:-5}"
port="${PORT:-3306}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d /tmp/dray-report-overhead.XXXXXX)"
trap 'rm -rf "$work"' EXIT
server="jdbc:mariadb://127.0.0.1:$port"
w1="ro_w1_$w1_rows"
w2="ro_w2"
sql() { mariadb -h127.0.0.1 -P"$port" -uroot -N -e "$1"; }

cd "$root"
./mvnw -q -B -pl dray-cli,dray-bench -am -DskipTests -Dspotless.check.skip=true -Dmaven.javadoc.skip=true package \
  dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null
cp="dray-bench/target/classes:$(cat dray-bench/target/classpath.txt)"
jar="$root/dray-cli/target/dray.jar"

if [[ "$(sql "SELECT COUNT(*) FROM $w1.orders" 2>/dev/null)" != "$w1_rows" ]]; then
  java -cp "$cp" dev.dray.bench.load.GenerateW1 "$server/?user=root" "$w1" "$w1_rows"
fi
if [[ "$(sql "SELECT COUNT(*) FROM $w2.t" 2>/dev/null)" != "$w2_rows" ]]; then
  sql "DROP DATABASE IF EXISTS $w2; CREATE DATABASE $w2;
       CREATE TABLE $w2.t (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, a INT NOT NULL, b VARCHAR(64) NOT NULL);
       INSERT INTO $w2.t (id, a, b) SELECT seq, seq % 100000, MD5(seq) FROM $w2.seq_1_to_$w2_rows;
       ANALYZE TABLE $w2.t" >/dev/null
fi

# one run: prints dray's own seconds
run() {
  local workload="$1" variant="$2" extra=()
  [[ "$variant" == "report" ]] && extra=(--report "$work/r.html" --status-port 0)
  if [[ "$workload" == "W1" ]]; then
    rm -f "$work/w1.duckdb"
    java -jar "$jar" load --source "$server/$w1?user=root" --table "$w1.orders" \
      --target "duckdb:$work/w1.duckdb" --json "${extra[@]}" 2>"$work/err.log"
  else
    sql "DROP TABLE IF EXISTS $w2.t_copy; CREATE TABLE $w2.t_copy LIKE $w2.t"
    java -jar "$jar" copy --source "$server/$w2?user=root" --table "$w2.t" --target-table "$w2.t_copy" \
      --workers 4 --chunk-size 1000 --progress-interval 0 --json "${extra[@]}" 2>"$work/err.log"
  fi | python3 -c 'import json, sys; print(json.load(sys.stdin)["seconds"])'
}

echo "machine: $(nproc) cores, $(free -h | awk '/Mem:/ {print $2}') memory, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "W1: load of $w1.orders ($w1_rows rows); W2: copy of $w2.t ($w2_rows rows); $rounds rounds"
results="$work/results.tsv"
for ((round = 1; round <= rounds; round++)); do
  if ((round % 2)); then order=(plain report); else order=(report plain); fi
  for workload in W1 W2; do
    for variant in "${order[@]}"; do
      seconds="$(run "$workload" "$variant")" || { cat "$work/err.log" >&2; exit 1; }
      printf '%s\t%s\t%s\n' "$workload" "$variant" "$seconds" | tee -a "$results"
    done
  done
done
python3 - "$results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    workload, variant, seconds = line.split()
    runs.setdefault((workload, variant), []).append(float(seconds))
for workload in ("W1", "W2"):
    plain = statistics.median(runs[(workload, "plain")])
    report = statistics.median(runs[(workload, "report")])
    print(f"{workload}: median {plain:.3f} s plain, {report:.3f} s with --report x.html --status-port 0:"
          f" {100 * (report / plain - 1):+.1f}%  (plain {runs[(workload, 'plain')]},"
          f" report {runs[(workload, 'report')]})")
PY
