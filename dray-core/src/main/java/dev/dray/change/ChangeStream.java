package dev.dray.change;

import static java.util.Objects.requireNonNull;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.MariadbGtidEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.network.ServerException;
import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.BinlogPosition;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableName;
import java.io.IOException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a server's binary log as a replica from an exact position and hands out the committed
 * transactions on the followed tables, in commit order, with full decoded row images and the
 * position after each commit. It applies nothing: an applier (into a MySQL-family table, into
 * DuckDB) {@link #poll polls} batches of transactions and stores the position it reached together
 * with what it wrote.
 *
 * <p>Transactions that touch no followed table come out too, without changes, so a consumer's
 * position keeps moving on a server busy with other tables. DDL on a followed table stops the
 * stream with an error: the decoded images would no longer match the table's columns.
 *
 * <pre>{@code
 * try (ChangeStream stream = ChangeStream.builder()
 *         .source(config).table(TableName.parse("shop.orders"))
 *         .start(position).build().open()) {
 *   List<ChangeTransaction> batch = stream.poll(1000, Duration.ofMillis(200));
 * }
 * }</pre>
 */
public final class ChangeStream implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeStream.class);
  public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final ConnectionConfig source;
  private Dialect dialect;
  private final List<TableName> tableNames;
  private final BinlogPosition start;
  private final long serverId;
  private final BlockingQueue<ChangeTransaction> queue;
  private final Map<Long, TableMapEventData> tableMaps = new ConcurrentHashMap<>();
  private final Map<TableName, FollowedTable> tables = new LinkedHashMap<>();
  private final Map<TableName, BinlogPosition> floors;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong transactionsRead = new AtomicLong();
  private final AtomicLong changesRead = new AtomicLong();
  private final AtomicReference<BinlogPosition> readPosition = new AtomicReference<>();
  private volatile BinlogPosition eventPosition;
  private final AtomicReference<SchemaChange> schemaChange = new AtomicReference<>();
  private volatile boolean closing;
  private BinaryLogClient client;

  // reader thread state
  private String file;
  private BinlogPosition lastEnd;
  private final List<RowChange> pending = new ArrayList<>();
  private final Map<Long, String> gtidByDomain = new LinkedHashMap<>();
  private String lastMySqlGtid;
  private long sequence;
  private BinlogPosition queryEnd;
  private FollowedTable currentRowTable;

  private ChangeStream(Builder builder) {
    this.source = builder.source;
    this.tableNames = List.copyOf(builder.tables);
    this.start = builder.start;
    this.serverId = builder.serverId;
    this.floors = Map.copyOf(builder.floors);
    this.queue = new ArrayBlockingQueue<>(builder.queueCapacity);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks the preconditions, reads the followed tables' shapes and connects; the position must
   * still be on the server. Throws {@link DrayException} with one line naming the problem.
   */
  public ChangeStream open() {
    boolean mysqlJson;
    try (Connection connection = Connections.open(source)) {
      dialect = Dialects.detect(connection);
      BinlogPreconditions.check(connection, dialect);
      BinlogPreconditions.checkStillAvailable(connection, dialect, start);
      mysqlJson = dialect.productName().startsWith("MySQL");
      for (TableName name : tableNames) {
        tables.put(name, FollowedTable.inspect(connection, name, mysqlJson));
      }
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED,
          "change stream: cannot read the tables' shapes: " + SqlErrors.describe(e),
          e);
    }
    seedGtids(start.gtid());
    file = start.file();
    lastEnd = start;
    readPosition.set(start);
    BinlogEndpoint endpoint = BinlogEndpoint.of(source);
    client =
        new BinaryLogClient(endpoint.host(), endpoint.port(), endpoint.user(), endpoint.password());
    client.setServerId(serverId);
    client.setBinlogFilename(start.file());
    client.setBinlogPosition(start.position());
    client.setKeepAlive(false); // a broken stream fails the job; resume continues exactly
    client.setEventDeserializer(deserializer());
    client.setThreadFactory(
        r -> {
          Thread thread = new Thread(r, "dray-binlog-" + start.file());
          thread.setDaemon(true);
          return thread;
        });
    client.registerEventListener(this::onEvent);
    client.registerLifecycleListener(
        new BinaryLogClient.AbstractLifecycleListener() {
          @Override
          public void onCommunicationFailure(BinaryLogClient c, Exception ex) {
            // the server answers a request for a purged file with error 1236 once the dump began
            // (a purge between the check in open() and the connect)
            fail(purgedWhileConnecting(ex) ? BinlogPreconditions.purged(start, null) : ex);
          }

          @Override
          public void onEventDeserializationFailure(BinaryLogClient c, Exception ex) {
            fail(ex);
          }

          @Override
          public void onDisconnect(BinaryLogClient c) {
            if (!closing) {
              fail(new IOException("the server closed the binary log connection"));
            }
          }
        });
    try {
      client.connect(DEFAULT_CONNECT_TIMEOUT.toMillis());
    } catch (IOException | TimeoutException | RuntimeException e) {
      throw connectFailure(e);
    }
    LOG.info("change stream on {} from {} (server id {})", tableNames, start, serverId);
    return this;
  }

  private static boolean purgedWhileConnecting(Exception e) {
    String message = String.valueOf(e.getMessage());
    return message.contains("Could not find first log file")
        || message.contains("purged")
        || (e instanceof ServerException server && server.getErrorCode() == 1236);
  }

  private DrayException connectFailure(Exception e) {
    String message = String.valueOf(e.getMessage());
    if (purgedWhileConnecting(e)) {
      return BinlogPreconditions.purged(start, null);
    }
    if (message.contains("REPLICATION SLAVE")
        || message.toLowerCase(Locale.ROOT).contains("access denied")) {
      return new DrayException(
          ErrorCode.ACCESS_DENIED,
          "cannot read the binary log: "
              + message
              + " (GRANT REPLICATION SLAVE ON *.* TO the user)",
          e);
    }
    return new DrayException(
        ErrorCode.CONNECTION_FAILED,
        "cannot read the binary log from " + source.safeUrl() + ": " + message,
        e);
  }

  private EventDeserializer deserializer() {
    EventDeserializer deserializer = new EventDeserializer();
    deserializer.setEventDataDeserializer(
        EventType.WRITE_ROWS, new RowImageDeserializers.Write(tableMaps, false));
    deserializer.setEventDataDeserializer(
        EventType.EXT_WRITE_ROWS, new RowImageDeserializers.Write(tableMaps, true));
    deserializer.setEventDataDeserializer(
        EventType.UPDATE_ROWS, new RowImageDeserializers.Update(tableMaps, false));
    deserializer.setEventDataDeserializer(
        EventType.EXT_UPDATE_ROWS, new RowImageDeserializers.Update(tableMaps, true));
    deserializer.setEventDataDeserializer(
        EventType.DELETE_ROWS, new RowImageDeserializers.Delete(tableMaps, false));
    deserializer.setEventDataDeserializer(
        EventType.EXT_DELETE_ROWS, new RowImageDeserializers.Delete(tableMaps, true));
    return deserializer;
  }

  /** The followed tables as the stream decodes them. */
  public Map<TableName, FollowedTable> tables() {
    return Map.copyOf(tables);
  }

  public BinlogPosition startPosition() {
    return start;
  }

  /** The position after the last transaction the reader has read (handed out or queued). */
  public BinlogPosition readPosition() {
    return readPosition.get();
  }

  /**
   * The position after the last event read, of any kind (also inside a transaction, or a rotation
   * to a new file): once it is at or past a position read from the server, every transaction that
   * committed before that position has been read.
   */
  public BinlogPosition eventPosition() {
    return eventPosition;
  }

  /**
   * The schema change on a followed table that stopped the stream, once {@link #poll} has thrown
   * for it; empty otherwise. A consumer that can start a table afresh (load --follow reloads it)
   * continues with a new stream from {@link SchemaChange#end()}.
   */
  public java.util.Optional<SchemaChange> schemaChange() {
    return java.util.Optional.ofNullable(schemaChange.get());
  }

  public long transactionsRead() {
    return transactionsRead.get();
  }

  public long changesRead() {
    return changesRead.get();
  }

  /**
   * Up to {@code max} transactions in commit order, waiting up to {@code wait} for the first one;
   * empty when none came. Throws the reader's failure, if any, once everything read before it was
   * handed out.
   */
  public List<ChangeTransaction> poll(int max, Duration wait) {
    List<ChangeTransaction> batch = new ArrayList<>();
    try {
      ChangeTransaction first = queue.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
      if (first != null) {
        batch.add(first);
        queue.drainTo(batch, max - 1);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DrayException(ErrorCode.INTERRUPTED, "interrupted while reading changes", e);
    }
    if (batch.isEmpty()) {
      throwIfFailed();
    }
    return batch;
  }

  /** Whether nothing read is waiting to be polled. */
  public boolean drained() {
    return queue.isEmpty();
  }

  public void throwIfFailed() {
    Throwable cause = failure.get();
    if (cause != null) {
      if (cause instanceof DrayException dray) {
        throw new DrayException(dray.code(), dray.getMessage(), dray);
      }
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED,
          "the change stream stopped after " + readPosition.get() + ": " + describe(cause),
          cause);
    }
  }

  private static String describe(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  private void fail(Throwable cause) {
    if (failure.compareAndSet(null, cause)) {
      LOG.debug("change stream failed", cause);
    }
  }

  // --- reader thread ---

  private void onEvent(Event event) {
    if (failure.get() != null || closing) {
      return;
    }
    try {
      handle(event);
      EventHeaderV4 header = event.getHeader();
      long next =
          header.getEventType() == EventType.ROTATE
              ? ((RotateEventData) event.getData()).getBinlogPosition()
              : header.getNextPosition();
      if (next > 0) {
        eventPosition = new BinlogPosition(file, next, null);
      }
    } catch (DrayException e) {
      if (e.code() == ErrorCode.UNSUPPORTED_SCHEMA
          && schemaChange.get() == null
          && currentRowTable != null) {
        // row images that no longer match the table's columns: its shape changed before the
        // stream started; a consumer that reloads the table can go on from the transaction start
        schemaChange.set(
            new SchemaChange(
                currentRowTable.name(),
                "(the table's row images no longer match its columns: it changed shape)",
                lastEnd,
                lastEnd));
      }
      fail(e);
      disconnectQuietly();
    } catch (IllegalArgumentException | ClassCastException e) {
      fail(e);
      disconnectQuietly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(e);
    }
  }

  private void handle(Event event) throws InterruptedException {
    EventHeaderV4 header = event.getHeader();
    EventType type = header.getEventType();
    switch (type) {
      case ROTATE -> file = ((RotateEventData) event.getData()).getBinlogFilename();
      case TABLE_MAP -> {
        TableMapEventData map = event.getData();
        tableMaps.put(map.getTableId(), map);
      }
      case MARIADB_GTID -> {
        MariadbGtidEventData gtid = event.getData();
        gtidByDomain.put(
            gtid.getDomainId(),
            gtid.getDomainId() + "-" + gtid.getServerId() + "-" + gtid.getSequence());
        if ((gtid.getFlags() & MariadbGtidEventData.FL_STANDALONE) != 0) {
          // a DDL or other statement outside BEGIN ... COMMIT: its QUERY event ends it
        }
      }
      case GTID -> lastMySqlGtid = ((GtidEventData) event.getData()).getGtid();
      case WRITE_ROWS, EXT_WRITE_ROWS -> {
        WriteRowsEventData data = event.getData();
        FollowedTable table = followedAt(data.getTableId(), header);
        if (table != null) {
          int count = columnCount(data.getTableId());
          for (Serializable[] row : data.getRows()) {
            pending.add(
                RowChange.insert(
                    table.name(), table.decode(row, data.getIncludedColumns(), count)));
          }
        }
      }
      case UPDATE_ROWS, EXT_UPDATE_ROWS -> {
        UpdateRowsEventData data = event.getData();
        FollowedTable table = followedAt(data.getTableId(), header);
        if (table != null) {
          int count = columnCount(data.getTableId());
          BitSet before = data.getIncludedColumnsBeforeUpdate();
          BitSet after = data.getIncludedColumns();
          for (Map.Entry<Serializable[], Serializable[]> row : data.getRows()) {
            pending.add(
                RowChange.update(
                    table.name(),
                    table.decode(row.getKey(), before, count),
                    table.decode(row.getValue(), after, count)));
          }
        }
      }
      case DELETE_ROWS, EXT_DELETE_ROWS -> {
        DeleteRowsEventData data = event.getData();
        FollowedTable table = followedAt(data.getTableId(), header);
        if (table != null) {
          int count = columnCount(data.getTableId());
          for (Serializable[] row : data.getRows()) {
            pending.add(
                RowChange.delete(
                    table.name(), table.decode(row, data.getIncludedColumns(), count)));
          }
        }
      }
      case XID -> commit(header);
      case QUERY -> {
        QueryEventData query = event.getData();
        String sql = query.getSql().trim();
        String upper = sql.toUpperCase(Locale.ROOT);
        if (upper.equals("BEGIN")
            || upper.startsWith("XA START")
            || upper.startsWith("SAVEPOINT")) {
          return;
        }
        if (upper.equals("COMMIT") || upper.startsWith("XA COMMIT")) {
          commit(header);
          return;
        }
        if (upper.equals("ROLLBACK")) {
          pending.clear();
          commit(header);
          return;
        }
        queryEnd = new BinlogPosition(file, header.getNextPosition(), gtidText());
        checkDdl(query.getDatabase(), sql);
        commit(header); // a DDL statement commits on its own
      }
      default -> {
        // FORMAT_DESCRIPTION, ANNOTATE_ROWS, BINLOG_CHECKPOINT, GTID lists, heartbeats: no data
      }
    }
  }

  private int columnCount(long tableId) {
    return tableMaps.get(tableId).getColumnTypes().length;
  }

  /**
   * The followed table of a row event, or null when the table is not followed or the event is at or
   * before the table's floor (the consumer has those rows from a snapshot and they may be in an
   * older shape that no longer decodes).
   */
  private FollowedTable followedAt(long tableId, EventHeaderV4 header) {
    FollowedTable table = followed(tableId);
    currentRowTable = table;
    if (table != null && !floors.isEmpty()) {
      BinlogPosition floor = floors.get(table.name());
      // By the start of the event's transaction: MariaDB 11.4 writes row events with a next
      // position of 0, and a floor is a transaction boundary, so "started before the floor" is
      // "ended at or before it".
      if (floor != null && lastEnd != null && lastEnd.compareTo(floor) < 0) {
        currentRowTable = null;
        return null;
      }
    }
    return table;
  }

  private FollowedTable followed(long tableId) {
    TableMapEventData map = tableMaps.get(tableId);
    if (map == null) {
      return null;
    }
    return tables.get(new TableName(map.getDatabase(), map.getTable()));
  }

  private void checkDdl(String database, String sql) {
    for (TableName table : tables.keySet()) {
      BinlogPosition floor = floors.get(table);
      if (floor != null && lastEnd != null && lastEnd.compareTo(floor) < 0) {
        continue; // the consumer's rows of this table were read after this statement
      }
      if (dialect.changesTableDefinition(sql, database, table)) {
        schemaChange.set(new SchemaChange(table, sql, lastEnd, queryEnd));
        throw new DrayException(
            ErrorCode.UNSUPPORTED_SCHEMA,
            "a schema change on followed table "
                + table
                + " came through the binary log ("
                + (sql.length() > 120 ? sql.substring(0, 120) + "..." : sql)
                + "): the change stream stops here; start the job afresh");
      }
    }
  }

  private void commit(EventHeaderV4 header) throws InterruptedException {
    BinlogPosition end = new BinlogPosition(file, header.getNextPosition(), gtidText());
    currentRowTable = null;
    ChangeTransaction transaction =
        new ChangeTransaction(
            ++sequence, lastEnd, end, Instant.ofEpochMilli(header.getTimestamp()), pending);
    pending.clear();
    lastEnd = end;
    while (!queue.offer(transaction, 100, TimeUnit.MILLISECONDS)) {
      if (closing) {
        return;
      }
    }
    transactionsRead.incrementAndGet();
    changesRead.addAndGet(transaction.changes().size());
    readPosition.set(end);
  }

  private void seedGtids(String gtid) {
    if (gtid == null) {
      return;
    }
    for (String part : gtid.split(",")) {
      String[] fields = part.trim().split("-");
      if (fields.length == 3) {
        try {
          gtidByDomain.put(Long.parseLong(fields[0]), part.trim());
        } catch (NumberFormatException e) {
          gtidByDomain.clear(); // not MariaDB's form: keep none rather than a wrong one
          return;
        }
      }
    }
  }

  private String gtidText() {
    if (!gtidByDomain.isEmpty()) {
      return String.join(",", gtidByDomain.values());
    }
    return lastMySqlGtid;
  }

  private void disconnectQuietly() {
    closing = true;
    Thread stopper =
        new Thread(
            () -> {
              try {
                client.disconnect();
              } catch (IOException e) {
                // closing anyway
              }
            },
            "dray-binlog-stop");
    stopper.setDaemon(true);
    stopper.start();
  }

  @Override
  public void close() {
    closing = true;
    if (client != null) {
      try {
        client.disconnect();
      } catch (IOException e) {
        LOG.debug("closing the binary log connection", e);
      }
    }
  }

  /** Builds a {@link ChangeStream}; {@link #build()} validates. */
  public static final class Builder {
    private ConnectionConfig source;
    private final List<TableName> tables = new ArrayList<>();
    private BinlogPosition start;
    private long serverId;
    private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
    private final Map<TableName, BinlogPosition> floors = new LinkedHashMap<>();

    private Builder() {}

    /**
     * The consumer has {@code table}'s rows from a snapshot taken at {@code floor}: its row events
     * and schema changes at or before it are passed over (not decoded; they may be in an older
     * shape), its later ones come out as usual.
     */
    public Builder tableFloor(TableName table, BinlogPosition floor) {
      floors.put(requireNonNull(table, "table is null"), requireNonNull(floor, "floor is null"));
      return this;
    }

    public Builder source(ConnectionConfig source) {
      this.source = requireNonNull(source, "source is null");
      return this;
    }

    public Builder table(TableName table) {
      tables.add(requireNonNull(table, "table is null"));
      return this;
    }

    /** Where to start reading: a position from {@link BinlogPreconditions#currentPosition}. */
    public Builder start(BinlogPosition start) {
      this.start = requireNonNull(start, "start is null");
      return this;
    }

    /**
     * The replica server id to announce; it must differ from every server's and replica's id (0: a
     * random one between 2^20 and 2^30).
     */
    public Builder serverId(long serverId) {
      this.serverId = serverId;
      return this;
    }

    /** Transactions read ahead of the consumer before the reader waits (backpressure). */
    public Builder queueCapacity(int capacity) {
      this.queueCapacity = capacity;
      return this;
    }

    public ChangeStream build() {
      if (source == null) {
        throw DrayException.usage("a source database is required for a change stream");
      }
      if (tables.isEmpty()) {
        throw DrayException.usage("a change stream needs at least one table to follow");
      }
      if (start == null) {
        throw DrayException.usage("a change stream needs a start position");
      }
      if (queueCapacity < 1) {
        throw DrayException.usage("queue capacity must be positive, not " + queueCapacity);
      }
      if (serverId < 0 || serverId > 0xFFFFFFFFL) {
        throw DrayException.usage("server id must be between 1 and 4294967295, not " + serverId);
      }
      if (serverId == 0) {
        serverId = ThreadLocalRandom.current().nextLong(1L << 20, 1L << 30);
      }
      return new ChangeStream(this);
    }
  }
}
