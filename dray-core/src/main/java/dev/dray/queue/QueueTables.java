package dev.dray.queue;

import static java.util.Objects.requireNonNull;

import dev.dray.db.TableName;

/** The tables of one queue in one database. */
record QueueTables(TableName queue, TableName done, TableName schedule) {
  QueueTables {
    requireNonNull(queue, "queue is null");
    requireNonNull(done, "done is null");
    requireNonNull(schedule, "schedule is null");
  }

  static QueueTables of(String schema, QueueName name) {
    return new QueueTables(
        new TableName(schema, name.table()),
        new TableName(schema, name.doneTable()),
        new TableName(schema, name.scheduleTable()));
  }
}
