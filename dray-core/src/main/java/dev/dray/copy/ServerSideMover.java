package dev.dray.copy;

import dev.dray.db.Dialect;
import dev.dray.db.TableName;
import dev.dray.plan.KeyPredicates;
import dev.dray.plan.KeyRange;
import dev.dray.plan.SqlFragment;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Source and target on one server: {@code SELECT COUNT(*) ... LOCK IN SHARE MODE}, then {@code
 * INSERT INTO target (cols) SELECT cols FROM source WHERE <range> LOCK IN SHARE MODE}, in one
 * transaction. No row leaves the server. The shared locks (taken by the count, held to the commit)
 * keep the range's rows as they are between the count and the insert, so the two numbers must
 * match, and keep a concurrent delete from being undone by a copy of the old row.
 */
final class ServerSideMover extends ChunkMover {
  private final String countPrefix;
  private final String insertPrefix;
  private final String lockClause;

  ServerSideMover(
      Connection target,
      Dialect dialect,
      TableName sourceTable,
      TableName targetTable,
      CopyColumns columns,
      boolean overwrite) {
    super(target, dialect, targetTable, columns.keyColumns(), overwrite);
    String list = dialect.quotedList(columns.names());
    String targetList = dialect.quotedList(columns.targetNames());
    this.countPrefix = "SELECT COUNT(*) FROM " + dialect.quote(sourceTable) + " WHERE ";
    this.insertPrefix =
        "INSERT INTO "
            + dialect.quote(targetTable)
            + " ("
            + targetList
            + ") SELECT "
            + list
            + " FROM "
            + dialect.quote(sourceTable)
            + " WHERE ";
    this.lockClause = " " + dialect.sharedLockClause();
  }

  @Override
  Copied copy(KeyRange range) throws SQLException {
    SqlFragment where = KeyPredicates.range(dialect, keyColumns, range);
    long read;
    try (PreparedStatement count =
        target.prepareStatement(countPrefix + where.sql() + lockClause)) {
      where.bind(count, 1);
      try (ResultSet rs = count.executeQuery()) {
        rs.next();
        read = rs.getLong(1);
      }
    }
    try (PreparedStatement insert =
        target.prepareStatement(insertPrefix + where.sql() + lockClause)) {
      where.bind(insert, 1);
      return new Copied(read, insert.executeUpdate());
    }
  }
}
