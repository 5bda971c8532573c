package dev.dray.copy;

import dev.dray.db.Dialect;
import dev.dray.db.TableName;
import dev.dray.plan.KeyPredicates;
import dev.dray.plan.KeyRange;
import dev.dray.plan.SqlFragment;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Source and target on one server: {@code INSERT IGNORE INTO target (cols) SELECT cols FROM source
 * WHERE <range> LOCK IN SHARE MODE}. No row leaves the server; the shared locks keep a concurrent
 * delete from being undone by a copy of the old row, and IGNORE makes a re-copied chunk harmless.
 */
final class ServerSideMover implements ChunkMover {
  private final Connection target;
  private final Dialect dialect;
  private final String insertPrefix;
  private final String lockClause;
  private final List<String> keyColumns;

  ServerSideMover(
      Connection target,
      Dialect dialect,
      TableName sourceTable,
      TableName targetTable,
      CopyColumns columns) {
    this.target = target;
    this.dialect = dialect;
    String list = dialect.quotedList(columns.names());
    this.insertPrefix =
        "INSERT IGNORE INTO "
            + dialect.quote(targetTable)
            + " ("
            + list
            + ") SELECT "
            + list
            + " FROM "
            + dialect.quote(sourceTable)
            + " WHERE ";
    this.lockClause = " " + dialect.sharedLockClause();
    this.keyColumns = columns.keyColumns();
  }

  @Override
  public long move(KeyRange range) throws SQLException {
    SqlFragment where = KeyPredicates.range(dialect, keyColumns, range);
    try (PreparedStatement statement =
        target.prepareStatement(insertPrefix + where.sql() + lockClause)) {
      where.bind(statement, 1);
      return statement.executeUpdate();
    }
  }
}
