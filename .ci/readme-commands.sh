#!/usr/bin/env bash
# Runs the commands the README shows, so the README cannot drift from what works:
# --help/--version, the main command (./dray demo), and the tour block, verbatim, against a scratch
# schema on the MariaDB at 127.0.0.1:3306 (skipped when there is none).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./dray --help
./dray --version
[[ ${DRAY_SKIP_DEMO:-} == 1 ]] || ./dray demo

if ! (exec 3<>/dev/tcp/127.0.0.1/3306) 2>/dev/null || ! command -v mariadb >/dev/null; then
  echo "README tour skipped: no MariaDB server and client on 127.0.0.1:3306"
  exit 0
fi
schema=dray_readme_tour
work=$(mktemp -d)
password="tour-$RANDOM-$RANDOM"
sql() { mariadb -h 127.0.0.1 -u root "$@"; }
drop_scratch() { sql -e "DROP DATABASE IF EXISTS $schema; DROP USER IF EXISTS 'etl'@'%', 'etl'@'localhost'" || true; }
trap 'drop_scratch; rm -rf "$work"' EXIT
drop_scratch
sql -e "CREATE DATABASE $schema;
  CREATE USER 'etl'@'%' IDENTIFIED BY '$password'; CREATE USER 'etl'@'localhost' IDENTIFIED BY '$password';
  GRANT ALL ON $schema.* TO 'etl'@'%'; GRANT ALL ON $schema.* TO 'etl'@'localhost';
  GRANT PROCESS ON *.* TO 'etl'@'%'; GRANT PROCESS ON *.* TO 'etl'@'localhost'"
# the README's orders table: workload W1 with 200,000 rows
java -cp dray-cli/target/dray.jar dev.dray.workload.GenerateOrders \
  "jdbc:mariadb://127.0.0.1:3306/$schema?user=root" "$schema.orders" 200000

tour=$(sed -n '/<!-- tour:begin/,/<!-- tour:end/p' README.md | sed '/^```/d; /^<!--/d')
tour=${tour//shop./$schema.}
tour=${tour//3306\/shop/3306\/$schema}
tour=${tour//SHOP_PW=.../SHOP_PW=$password}
tour=${tour//orders.duckdb/$work\/orders.duckdb}
tour=${tour//load.json/$work\/load.json}
printf '%s\n' "$tour" | sed "s/$password/****/g"
root=$(pwd)
(cd "$root" && bash -euo pipefail -c "$tour") 2>&1 | sed "s/$password/****/g"
echo "README tour passed"
