#!/usr/bin/env bash
# Runs the commands the README shows, so the README cannot drift from what works:
# --help/--version, the main command (./dray demo), and the tour block, verbatim, against the MariaDB
# at 127.0.0.1:3306 (skipped when there is none, or when it has a database shop or a user etl).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./dray --help
./dray --version
[[ ${DRAY_SKIP_DEMO:-} == 1 ]] || ./dray demo

if ! (exec 3<>/dev/tcp/127.0.0.1/3306) 2>/dev/null || ! command -v mariadb >/dev/null; then
  echo "README tour skipped: no MariaDB server and client on 127.0.0.1:3306"
  exit 0
fi
sql() { mariadb -h 127.0.0.1 -u root "$@"; }
# The tour creates the database shop and the user etl itself; refuse to touch existing ones.
if [[ -n "$(sql -N -e "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'shop'
    UNION SELECT 1 FROM mysql.user WHERE User = 'etl'")" ]]; then
  echo "README tour skipped: a database shop or a user etl exists on 127.0.0.1:3306"
  exit 0
fi
cleanup() {
  sql -e "DROP DATABASE IF EXISTS shop; DROP USER IF EXISTS etl@'%', etl@localhost" || true
  rm -f orders.duckdb orders.duckdb.wal load.json
}
trap cleanup EXIT

# the tour block, verbatim
tour=$(sed -n '/<!-- tour:begin/,/<!-- tour:end/p' README.md | sed '/^```/d; /^<!--/d')
printf '%s\n' "$tour"
output=$(bash -euo pipefail -c "$tour" 2>&1) || { printf '%s\n' "$output"; echo "README tour failed"; exit 1; }
printf '%s\n' "$output"
if grep -q "dray: warning:" <<<"$output"; then
  echo "README tour printed a warning"
  exit 1
fi
echo "README tour passed"
