#!/usr/bin/env python3
"""Medians per label of a queue-bench.sh results file (one JSON run report per line)."""
import json
import statistics
import sys
from collections import defaultdict

KEYS = ["processed", "duplicates", "leftover", "deadlocks", "claim_loops", "wall_s", "throughput_per_s",
        "item_time_mean_ms", "item_time_p50_ms", "item_time_p99_ms", "claim_latency_p50_ms", "claim_latency_p99_ms",
        "enqueue_to_claim_p50_ms", "enqueue_to_claim_p99_ms", "insert_latency_p99_ms", "bulk_jobs_per_s",
        "insert_latency_during_bulk_p99_ms"]

runs = defaultdict(list)
with open(sys.argv[1]) as f:
    for line in f:
        if line.strip():
            row = json.loads(line)
            runs[row["label"]].append(row["result"])

for label, results in runs.items():
    parts = []
    for key in KEYS:
        values = [r[key] for r in results if key in r]
        if values:
            parts.append(f"{key}={statistics.median(values):g} {sorted(values)}")
    print(f"{label} (n={len(results)}):\n  " + "\n  ".join(parts))
