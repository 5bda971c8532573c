package dev.dray.queue;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.Dialect;
import dev.dray.db.QueueDdl;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableName;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable record of one bulk enqueue through a hold table, on one shard, in the queue's {@code
 * NAME_enqueues} table: its hold table, the hold table's key range split into parts, and for each
 * part how far it has been moved into the queue. Each moved chunk and its part's new frontier
 * commit in one transaction, so after a crash the record says exactly which jobs are in the queue,
 * and running the same enqueue again moves the rest, once.
 *
 * <p>States: filling (the hold table is being filled; nothing has been moved, so a re-run fills it
 * again from scratch), moving, done (the hold table is dropped), abandoned. While a run works on a
 * record it holds a named lock on the server; the lock goes away with its connection, so a record
 * in filling or moving state whose lock is free was left by a run that died.
 */
final class EnqueueProgress implements AutoCloseable {
  static final int NONE = -1;
  static final int FILLING = 0;
  static final int MOVING = 1;
  static final int DONE = 2;
  static final int ABANDONED = 3;

  private static final Logger LOG = LoggerFactory.getLogger(EnqueueProgress.class);

  /** One contiguous part of the hold table's key range: {@code (from, to]}, moved up to movedTo. */
  record Part(int index, long from, long to, long movedTo, long inserted) {
    boolean finished() {
      return movedTo >= to;
    }
  }

  private final JobQueue queue;
  private final Dialect dialect;
  private final Connection connection;
  private final String id;
  private final String table;
  private final String lockName;
  private int state = NONE;
  private TableName hold;
  private long submitted;
  private String finishedAt;
  private List<Part> parts = List.of();

  private EnqueueProgress(JobQueue queue, Connection connection, String id) {
    this.queue = queue;
    this.dialect = queue.dialect();
    this.connection = connection;
    this.id = id;
    this.table = dialect.quote(progressTable(queue));
    this.lockName = lockName(queue, id);
  }

  static TableName progressTable(JobQueue queue) {
    return queue.table().withTable(queue.name().enqueuesTable());
  }

  /**
   * Opens the record of enqueue {@code id} on this queue (creating the progress table if needed)
   * and takes its lock; refuses when another process is running the same enqueue now. With {@code
   * again}, a finished record is forgotten, so the enqueue runs once more.
   */
  static EnqueueProgress open(JobQueue queue, Connection connection, String id, boolean again)
      throws SQLException {
    EnqueueProgress progress = new EnqueueProgress(queue, connection, id);
    try (Statement statement = connection.createStatement()) {
      statement.execute(QueueDdl.createEnqueuesTable(queue.dialect(), progressTable(queue)));
    }
    connection.commit();
    if (!queue.dialect().tryAdvisoryLock(connection, progress.lockName)) {
      throw new DrayException(
          ErrorCode.TARGET_UNAVAILABLE,
          "bulk enqueue "
              + id
              + " into "
              + queue
              + " is running in another process right now; wait for it to finish (or stop it)"
              + " and run this again to finish what it leaves");
    }
    progress.read();
    if (again && progress.state == DONE) {
      progress.delete();
    }
    return progress;
  }

  private void read() throws SQLException {
    state = NONE;
    List<Part> found = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT part, state, hold_table, range_from, range_to, moved_to, submitted, inserted,"
                + " CAST(finished_at AS CHAR) FROM "
                + table
                + " WHERE enqueue_id = ? ORDER BY part")) {
      select.setString(1, id);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          state = rs.getInt(2);
          hold = queue.table().withTable(rs.getString(3));
          submitted = rs.getLong(7);
          finishedAt = rs.getString(9);
          if (rs.getObject(5) != null) {
            found.add(
                new Part(rs.getInt(1), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(8)));
          }
        }
      }
    }
    connection.commit();
    parts = List.copyOf(found);
  }

  String id() {
    return id;
  }

  int state() {
    return state;
  }

  TableName holdTable() {
    return hold;
  }

  long submitted() {
    return submitted;
  }

  String finishedAt() {
    return finishedAt;
  }

  List<Part> parts() {
    return parts;
  }

  /** Jobs the parts have put in the queue so far (by earlier runs, when just opened). */
  long inserted() {
    return parts.stream().mapToLong(Part::inserted).sum();
  }

  /**
   * Starts (or starts again) filling: records the hold table's name before creating it, so every
   * hold table dray makes has a record, and creates it empty.
   */
  TableName startFilling(String source) throws SQLException {
    if (state == MOVING || state == DONE) {
      throw new IllegalStateException("enqueue " + id + " is past filling");
    }
    if (state == NONE) {
      String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
      hold = queue.table().withTable(queue.name().holdTable() + "_" + suffix);
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO "
                  + table
                  + " (enqueue_id, part, state, hold_table, source) VALUES (?, 0, ?, ?, ?)")) {
        insert.setString(1, id);
        insert.setInt(2, FILLING);
        insert.setString(3, hold.table());
        insert.setString(4, source.length() > 500 ? source.substring(0, 497) + "..." : source);
        insert.executeUpdate();
      }
      connection.commit();
      state = FILLING;
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + dialect.quote(hold));
      statement.execute(QueueDdl.createHoldTable(dialect, hold));
    }
    connection.commit();
    return hold;
  }

  /**
   * The hold table is full and checked: records its key range {@code (first, last]} split into
   * {@code count} parts of whole chunks, all in one transaction. From here on a re-run moves.
   */
  void startMoving(long first, long last, int count, int chunkSize, long rows) throws SQLException {
    long chunks = Math.max(0, (last - first + chunkSize - 1) / chunkSize);
    List<Part> planned = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long from = first + chunks * i / count * chunkSize;
      long to = Math.min(last, first + chunks * (i + 1) / count * chunkSize);
      planned.add(new Part(i, from, Math.max(from, to), from, 0));
    }
    try (PreparedStatement delete =
            connection.prepareStatement("DELETE FROM " + table + " WHERE enqueue_id = ?");
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO "
                    + table
                    + " (enqueue_id, part, state, hold_table, range_from, range_to, moved_to,"
                    + " submitted, source) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?")) {
      String source = sourceText();
      delete.setString(1, id);
      delete.executeUpdate();
      for (Part part : planned) {
        insert.setString(1, id);
        insert.setInt(2, part.index());
        insert.setInt(3, MOVING);
        insert.setString(4, hold.table());
        insert.setLong(5, part.from());
        insert.setLong(6, part.to());
        insert.setLong(7, part.movedTo());
        insert.setLong(8, rows);
        insert.setString(9, source);
        insert.executeUpdate();
      }
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    }
    state = MOVING;
    submitted = rows;
    parts = List.copyOf(planned);
  }

  private String sourceText() throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT source FROM " + table + " WHERE enqueue_id = ? AND part = 0")) {
      select.setString(1, id);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /**
   * The statement that advances a part's frontier, run in the transaction of the chunk it covers:
   * parameters moved_to, inserted rows, enqueue id, part.
   */
  String advanceStatement() {
    return "UPDATE "
        + table
        + " SET moved_to = ?, inserted = inserted + ? WHERE enqueue_id = ? AND part = ?";
  }

  /** Every part is moved: the enqueue is done, and its hold table is dropped. */
  void finish() throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE "
                + table
                + " SET state = ?, finished_at = "
                + dialect.currentTimestamp()
                + " WHERE enqueue_id = ?")) {
      update.setInt(1, DONE);
      update.setString(2, id);
      update.executeUpdate();
    }
    connection.commit();
    state = DONE;
    dropHold();
  }

  /** Nothing was moved and nothing will be (a malformed payload, a failed fill): no trace left. */
  void forget() {
    try {
      connection.rollback();
      delete();
      dropHold();
    } catch (SQLException e) {
      LOG.warn(
          "could not remove the record of bulk enqueue {} or its hold table {}: {}",
          id,
          hold,
          SqlErrors.describe(e));
    }
  }

  private void delete() throws SQLException {
    try (PreparedStatement delete =
        connection.prepareStatement("DELETE FROM " + table + " WHERE enqueue_id = ?")) {
      delete.setString(1, id);
      delete.executeUpdate();
    }
    connection.commit();
    state = NONE;
    parts = List.of();
  }

  void dropHold() throws SQLException {
    if (hold != null) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE IF EXISTS " + dialect.quote(hold));
      }
    }
  }

  boolean holdExists() {
    return hold != null && QueueSchema.exists(connection, hold);
  }

  /**
   * Looks at the other hold tables of this queue: those of finished enqueues are dropped; those of
   * unfinished enqueues whose run died are named with what to do (or dropped and marked abandoned
   * with {@code dropUnfinished}); hold tables without a record, left by a dray before enqueues had
   * records, cannot be resumed and are named (or dropped with {@code dropUnfinished}).
   */
  void handleOtherHoldTables(boolean dropUnfinished) throws SQLException {
    List<String> holdTables = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?"
                + " AND table_name LIKE ?")) {
      select.setString(1, queue.table().schema());
      select.setString(2, queue.name().holdTable().replace("_", "\\_") + "\\_%");
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          holdTables.add(rs.getString(1));
        }
      }
    }
    // read after listing: a hold table's record is committed before the table is created
    Map<String, String[]> records = new LinkedHashMap<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT hold_table, enqueue_id, MIN(state), CAST(MIN(started_at) AS CHAR),"
                + " SUM(inserted), MAX(submitted) FROM "
                + table
                + " WHERE enqueue_id <> ? GROUP BY hold_table, enqueue_id")) {
      select.setString(1, id);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          records.put(
              rs.getString(1).toLowerCase(java.util.Locale.ROOT),
              new String[] {
                rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6)
              });
        }
      }
    }
    connection.commit();
    for (String name : holdTables) {
      if (hold != null && name.equalsIgnoreCase(hold.table())) {
        continue;
      }
      TableName other = queue.table().withTable(name);
      String[] record = records.get(name.toLowerCase(java.util.Locale.ROOT));
      if (record == null) {
        if (dropUnfinished) {
          drop(other);
          LOG.warn(
              "dropped hold table {}, left by an older dray's bulk enqueue into {} (it had no"
                  + " progress record, so it could not be finished)",
              other,
              queue);
        } else {
          LOG.warn(
              "hold table {} was left by an older dray's interrupted bulk enqueue into {}; it"
                  + " cannot be finished (no progress record): drop it with DROP TABLE {}, or pass"
                  + " --drop-unfinished",
              other,
              queue,
              dialect.quote(other));
        }
        continue;
      }
      String otherId = record[0];
      int otherState = Integer.parseInt(record[1]);
      if (otherState >= DONE) {
        drop(other);
        LOG.info("dropped hold table {} of finished bulk enqueue {}", other, otherId);
        continue;
      }
      if (dialect.advisoryLockHolder(connection, lockName(queue, otherId)).isPresent()) {
        continue; // running now, in another process
      }
      String progress =
          otherState == FILLING
              ? "before any job was enqueued"
              : "with " + record[3] + " of " + record[4] + " jobs enqueued";
      if (dropUnfinished) {
        drop(other);
        try (PreparedStatement update =
            connection.prepareStatement(
                "UPDATE " + table + " SET state = ? WHERE enqueue_id = ?")) {
          update.setInt(1, ABANDONED);
          update.setString(2, otherId);
          update.executeUpdate();
        }
        connection.commit();
        LOG.warn(
            "dropped hold table {} of bulk enqueue {} into {} (started {}, interrupted {});"
                + " its other jobs will not be enqueued",
            other,
            otherId,
            queue,
            record[2],
            progress);
      } else {
        LOG.warn(
            "bulk enqueue {} into {} (started {}) was interrupted {}; its hold table {} keeps the"
                + " rest: run that enqueue again (or with --enqueue-id {}) to finish it exactly"
                + " once, or pass --drop-unfinished to drop it",
            otherId,
            queue,
            record[2],
            progress,
            other,
            otherId);
      }
    }
  }

  private void drop(TableName other) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + dialect.quote(other));
    }
  }

  @Override
  public void close() {
    try {
      connection.rollback();
      dialect.releaseAdvisoryLock(connection, lockName);
    } catch (SQLException e) {
      // the lock ends with the connection anyway
    }
  }

  /** The server-wide lock name of an enqueue: at most 64 characters, as MySQL requires. */
  static String lockName(JobQueue queue, String id) {
    return "dray_enqueue_" + sha256(queue.table() + "/" + id).substring(0, 40);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
