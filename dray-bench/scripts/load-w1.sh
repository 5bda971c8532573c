#!/usr/bin/env bash
# Workload W1 load benchmark: dray (default workers) vs dray --workers 1 vs SELECT INTO OUTFILE +
# DuckDB read_csv, alternating, medians of RUNS. Starts its own MariaDB (buffer pool 4G,
# secure_file_priv set for OUTFILE) on port 3407 with its data under /tmp/dray-load-bench.
# Usage: dray-bench/scripts/load-w1.sh [ROWS=5000000] [RUNS=3]
set -euo pipefail
rows="${1:-5000000}"
runs="${2:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
base=/tmp/dray-load-bench
port=3407
schema="w1_${rows}"
mkdir -p "$base/work"

if ! mariadb -h127.0.0.1 -P"$port" -uroot -e "SELECT 1" >/dev/null 2>&1; then
  mkdir -p "$base"/{data,outfile,tmp,work}
  [[ -d "$base/data/mysql" ]] || mariadb-install-db --no-defaults --datadir="$base/data" --user=root \
      --auth-root-authentication-method=normal >"$base/install.log" 2>&1
  mariadbd --no-defaults --datadir="$base/data" --port="$port" --bind-address=127.0.0.1 \
      --socket="$base/mysqld.sock" --pid-file="$base/mysqld.pid" --tmpdir="$base/tmp" --user=root \
      --innodb-buffer-pool-size=4G --innodb-log-file-size=1G --innodb-flush-log-at-trx-commit=2 \
      --secure-file-priv="$base/outfile" --character-set-server=utf8mb4 --skip-log-bin \
      >"$base/server.log" 2>&1 &
  for _ in $(seq 60); do mariadb -h127.0.0.1 -P"$port" -uroot -e "SELECT 1" >/dev/null 2>&1 && break; sleep 1; done
fi

(cd "$root" && ./mvnw -q -B -DskipTests -Dspotless.check.skip=true install)
cp_file="$base/classpath.txt"
(cd "$root" && ./mvnw -q -B -pl dray-bench dependency:build-classpath -Dmdep.outputFile="$cp_file")
cp="$(cat "$cp_file"):$root/dray-bench/target/classes"

if [[ "$(mariadb -h127.0.0.1 -P"$port" -uroot -N -e "SELECT count(*) FROM $schema.orders" 2>/dev/null)" != "$rows" ]]; then
  java -cp "$cp" dev.dray.bench.load.GenerateW1 "jdbc:mariadb://127.0.0.1:$port/?user=root" "$schema" "$rows"
fi

# OUTFILE may only write below the server's secure_file_priv (an already running server may have its own)
outfile_dir="$(mariadb -h127.0.0.1 -P"$port" -uroot -N -e "SELECT @@secure_file_priv")"
if [[ -z "$outfile_dir" || "$outfile_dir" == "NULL" ]]; then
  echo "the server on port $port has secure_file_priv=NULL: SELECT ... INTO OUTFILE is disabled" >&2
  exit 1
fi
echo "machine: $(nproc) cores, $(free -h | awk '/Mem:/ {print $2}') memory, load average $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$cp" dev.dray.bench.load.LoadBenchmark "jdbc:mariadb://127.0.0.1:$port/$schema" "$schema" \
    "$root/dray-cli/target/dray.jar" "${outfile_dir%/}" "$base/work" "$runs"
