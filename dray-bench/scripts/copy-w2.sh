#!/usr/bin/env bash
# Workload W2 (docs/BENCHMARKS.md, "Copy (W2)"): starts two dedicated MariaDB servers with the W2
# settings (doublewrite off, sync_binlog=1, flush_log_at_trx_commit=1, binlog ROW) on ports 3391
# and 3392 under /tmp/dray-copy-w2 (unless they already run), builds dray, then runs the benchmark:
# dray at 1/2/4/8/16 workers vs pt-online-schema-change (fixed and dynamic chunks) in one run, and
# the cross-server mode. Needs mariadbd, mariadb-install-db and percona-toolkit on the PATH.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
base=/tmp/dray-copy-w2
mkdir -p "$base"
for port in 3391 3392; do
  if ! mariadb -h127.0.0.1 -P"$port" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
    if [[ ! -d "$base/d$port/mysql" ]]; then
      mariadb-install-db --no-defaults --datadir="$base/d$port" --user="$(id -un)" --auth-root-authentication-method=normal >"$base/install$port.log"
    fi
    nohup mariadbd --no-defaults --datadir="$base/d$port" --port="$port" --socket="$base/s$port.sock" --pid-file="$base/p$port.pid" \
      --user="$(id -un)" --bind-address=127.0.0.1 --innodb-doublewrite=OFF --sync-binlog=1 --innodb-flush-log-at-trx-commit=1 \
      --log-bin="$base/d$port/binlog" --server-id="$port" --binlog-format=ROW --innodb-buffer-pool-size=2G \
      --innodb-log-file-size=512M --max-connections=300 --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
      >"$base/err$port.log" 2>&1 &
    for _ in $(seq 1 30); do mariadb -h127.0.0.1 -P"$port" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
  fi
done
cd "$root"
./mvnw -q -B -pl dray-cli,dray-bench -am -DskipTests -Dspotless.check.skip=true package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt >/dev/null
cp="dray-bench/target/classes:$(cat dray-bench/target/classpath.txt)"
echo "machine: $(nproc) cores, $(free -h | awk '/Mem:/ {print $2}') memory; load: $(cut -d' ' -f1-3 /proc/loadavg)"
exec java -cp "$cp" dev.dray.bench.copy.CopyBenchmark --port 3391 --cross-port 3392 --rounds "${ROUNDS:-3}" --dray-jar dray-cli/target/dray.jar
