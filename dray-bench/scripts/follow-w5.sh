#!/usr/bin/env bash
# Workload W5 (docs/BENCHMARKS.md, "W5"), quickly: dev.dray.bench.follow.FollowApplyBenchmark on an
# embedded MariaDB 11.4 with a ROW binary log (or SOURCE_URL): the follow applier alone on CHANGES
# synthetic changes in batches of BATCH, then freshness per source transaction under a writer at
# RATE changes/s for SECONDS. Arguments: [ROWS CHANGES BATCH RATE SECONDS [SOURCE_URL]].
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work=/tmp/dray-follow-w5
mkdir -p "$work"
cd "$root"
./mvnw -q -B -pl dray-bench -am -DskipTests -Dspotless.check.skip=true package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt >/dev/null
# this checkout's modules first (a shared ~/.m2 may hold another checkout's dray-core)
others=$(tr ':' '\n' <dray-bench/target/classpath.txt | grep -v '/dev/dray/' | paste -sd: -)
cp="dray-bench/target/classes:dray-core/target/classes:dray-driver-access/target/classes:$others"
echo "machine: $(nproc) cores, $(free -h | awk '/Mem:/ {print $2}') memory; load: $(cut -d' ' -f1-3 /proc/loadavg)"
exec java -Xmx3g -cp "$cp" dev.dray.bench.follow.FollowApplyBenchmark "$work" \
  "${1:-1000000}" "${2:-300000}" "${3:-50000}" "${4:-5000}" "${5:-20}" ${6:+"$6"}
