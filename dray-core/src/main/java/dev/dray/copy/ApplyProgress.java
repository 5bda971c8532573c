package dev.dray.copy;

import dev.dray.db.BinlogPosition;

/**
 * A snapshot of an online copy's applier, for progress lines.
 *
 * @param transactionsApplied source transactions applied so far
 * @param changesApplied row changes applied so far
 * @param held changes waiting for their chunk to be copied
 * @param lagSeconds source commit to applied, now
 * @param applied the position applied up to
 */
public record ApplyProgress(
    long transactionsApplied,
    long changesApplied,
    int held,
    double lagSeconds,
    BinlogPosition applied) {}
