#!/usr/bin/env bash
# Workload W4 (../shared/WORKLOADS.md, "online schema change of a live table"): a sysbench table of
# 2,000,000 rows under `sysbench oltp_write_only --rate=200`, changed with (a) ADD COLUMN x INT NULL
# and (b) a rebuild (ENGINE=InnoDB) by dray alter, pt-online-schema-change and MariaDB's own online
# ALTER (ALGORITHM=COPY, LOCK=NONE on 11.2+; INPLACE on older), alternating, ROUNDS rounds (default 3).
#
# Starts a dedicated MariaDB (binary log ROW/FULL, sync_binlog=1, flush_log_at_trx_commit=1) on
# port 3394 under /tmp/dray-alter-w4 unless one runs there. Needs mariadbd, mariadb-install-db,
# sysbench and percona-toolkit on the PATH. Writes one TSV line per run to $base/results.tsv:
#   round tool change seconds p99_ms_during tps_during writes_blocked_ms
# and the baseline (sysbench alone) first; then medians per tool and change.
# Not measured here: apply lag p99 and rows differing at the cut-over (dray's tests check the
# latter exactly; a comparison after the fact is meaningless while sysbench keeps writing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
base=/tmp/dray-alter-w4
port=3394
rounds="${ROUNDS:-3}"
rows="${ROWS:-2000000}"
mkdir -p "$base"
for tool in mariadbd mariadb-install-db sysbench pt-online-schema-change; do
  command -v "$tool" >/dev/null || { echo "W4 needs $tool on the PATH"; exit 1; }
done
sql() { mariadb -h127.0.0.1 -P"$port" -uroot "$@"; }
if ! sql -e 'SELECT 1' >/dev/null 2>&1; then
  if [[ ! -d "$base/data/mysql" ]]; then
    mariadb-install-db --no-defaults --datadir="$base/data" --user="$(id -un)" \
      --auth-root-authentication-method=normal >"$base/install.log"
  fi
  nohup mariadbd --no-defaults --datadir="$base/data" --port="$port" --socket="$base/s.sock" \
    --pid-file="$base/p.pid" --user="$(id -un)" --bind-address=127.0.0.1 --server-id=4 \
    --log-bin="$base/data/binlog" --binlog-format=ROW --binlog-row-image=FULL --sync-binlog=1 \
    --innodb-flush-log-at-trx-commit=1 --innodb-buffer-pool-size=1G --innodb-log-file-size=512M \
    --max-connections=300 >"$base/err.log" 2>&1 &
  for _ in $(seq 1 60); do sql -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
fi
version=$(sql -N -e 'SELECT VERSION()')
sb=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$port" --mysql-user=root --mysql-db=w4
    --tables=1 --table-size="$rows")
if [[ "$(sql -N -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='w4' AND TABLE_NAME='sbtest1'")" != 1 ]]; then
  sql -e 'CREATE DATABASE IF NOT EXISTS w4'
  sysbench oltp_write_only "${sb[@]}" prepare >"$base/prepare.log"
fi
cd "$root"
./mvnw -q -B -pl dray-cli -am -DskipTests -Dspotless.check.skip=true package >/dev/null
native_algorithm=COPY
case "$version" in 10.*|11.0*|11.1*) native_algorithm=INPLACE ;; esac
echo "machine: $(nproc) cores, $(free -h | awk '/Mem:/ {print $2}') memory; load: $(cut -d' ' -f1-3 /proc/loadavg); server $version"

# sysbench in the background for the length of one change; prints its pid
start_writer() {
  sysbench oltp_write_only "${sb[@]}" --threads=4 --rate=200 --percentile=99 --report-interval=1 \
    --time=3600 run >"$1" 2>&1 &
  echo $!
}
# the p99 and tps over a sysbench log's per-second lines: "max_p99 mean_tps"
summarize() {
  awk '/ tps: / { for (i = 1; i <= NF; i++) { if ($i == "tps:") tps += $(i+1); if ($i == "(99%):") { p = $(i+1); if (p > max) max = p } } n++ }
       END { if (n == 0) print "- -"; else printf "%.1f %.1f\n", max, tps / n }' "$1"
}
reset_table() {  # back to the original schema, not measured
  sql w4 -e "DROP TABLE IF EXISTS _sbtest1_old, _sbtest1_new, _sbtest1_gho, _sbtest1_del"
  if [[ "$(sql -N -e "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='w4' AND TABLE_NAME='sbtest1' AND COLUMN_NAME='x'")" == 1 ]]; then
    sql w4 -e 'ALTER TABLE sbtest1 DROP COLUMN x'
  fi
}
run_change() {  # tool change round
  local tool=$1 change=$2 round=$3 spec log report blocked=-
  spec=$([[ $change == add-column ]] && echo "ADD COLUMN x INT NULL" || echo "ENGINE=InnoDB")
  log="$base/sysbench-$tool-$change-$round.log"
  reset_table
  local writer; writer=$(start_writer "$log")
  sleep 5
  local started; started=$(date +%s.%N)
  case $tool in
    dray)
      report="$base/dray-$change-$round.json"
      ./dray alter --source "jdbc:mariadb://127.0.0.1:$port/w4" --user root --table w4.sbtest1 \
        --alter "$spec" --workers 2 --chunk-time 500ms --drop-old-table --progress-interval 0 \
        --report "$report" >"$base/dray-$change-$round.out" 2>&1
      blocked=$(grep -o '"writesBlockedMillis" *: *[0-9]*' "$report" | grep -o '[0-9]*$' || echo -) ;;
    pt-osc)
      pt-online-schema-change --alter "$spec" "D=w4,t=sbtest1,h=127.0.0.1,P=$port,u=root" \
        --execute --recursion-method=none >"$base/ptosc-$change-$round.out" 2>&1 ;;
    native)
      sql w4 -e "ALTER TABLE sbtest1 $spec, ALGORITHM=$native_algorithm, LOCK=NONE" ;;
  esac
  local seconds; seconds=$(echo "$(date +%s.%N) - $started" | bc)
  kill "$writer"; wait "$writer" 2>/dev/null || true
  printf '%s\t%s\t%s\t%.1f\t%s\t%s\n' "$round" "$tool" "$change" "$seconds" \
    "$(summarize "$log" | tr ' ' '\t')" "$blocked" | tee -a "$base/results.tsv"
}

: >"$base/results.tsv"
reset_table
writer=$(start_writer "$base/sysbench-baseline.log"); sleep 30; kill "$writer"; wait "$writer" 2>/dev/null || true
printf 'baseline\tsysbench\t-\t30\t%s\t-\n' "$(summarize "$base/sysbench-baseline.log" | tr ' ' '\t')" | tee -a "$base/results.tsv"
for round in $(seq 1 "$rounds"); do
  for change in add-column rebuild; do
    for tool in dray pt-osc native; do
      run_change "$tool" "$change" "$round"
    done
  done
done
reset_table
echo "medians (seconds, p99 ms, tps, writes blocked ms):"
for change in add-column rebuild; do
  for tool in dray pt-osc native; do
    awk -F'\t' -v t="$tool" -v c="$change" '$2 == t && $3 == c { s[n] = $4; p[n] = $5; q[n] = $6; b[n] = $7; n++ }
      function median(a, k,   i, j, x) { for (i = 0; i < k; i++) for (j = i + 1; j < k; j++) if (a[j] + 0 < a[i] + 0) { x = a[i]; a[i] = a[j]; a[j] = x } return a[int(k / 2)] }
      END { if (n) printf "  %-7s %-10s %8.1f %8s %8s %8s\n", t, c, median(s, n), median(p, n), median(q, n), median(b, n) }' "$base/results.tsv"
  done
done
