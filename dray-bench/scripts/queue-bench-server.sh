#!/usr/bin/env bash
# Starts the dedicated MariaDB the queue benchmark numbers in docs/BENCHMARKS.md were measured on:
# the machine's own mariadbd binary (Debian 10.11) with a private datadir under /tmp, on port 3317,
# so the shared server on 3306 keeps its settings. Stop it with:
#   mysqladmin -uroot -h127.0.0.1 -P3317 shutdown
set -euo pipefail
dir="${1:-/tmp/dray-queue-bench-db}"
mkdir -p "$dir"
cat > "$dir/my.cnf" <<CNF
[mariadbd]
datadir=$dir/data
socket=$dir/mysqld.sock
port=3317
bind-address=127.0.0.1
pid-file=$dir/mysqld.pid
innodb_buffer_pool_size=2G
innodb_log_file_size=1G
innodb_flush_log_at_trx_commit=1
innodb_autoinc_lock_mode=2
max_connections=200
skip-log-bin
user=root
CNF
if [[ ! -d "$dir/data/mysql" ]]; then
  mariadb-install-db --defaults-file="$dir/my.cnf" --auth-root-authentication-method=normal > "$dir/install.log" 2>&1
fi
nohup /usr/sbin/mariadbd --defaults-file="$dir/my.cnf" > "$dir/server.log" 2>&1 &
for _ in $(seq 1 30); do
  mysql -uroot -h127.0.0.1 -P3317 -e "CREATE DATABASE IF NOT EXISTS qb" 2>/dev/null && break
  sleep 1
done
echo "MariaDB on 127.0.0.1:3317, scratch database qb: jdbc:mariadb://127.0.0.1:3317/qb"
