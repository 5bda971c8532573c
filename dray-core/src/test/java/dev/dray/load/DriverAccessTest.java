package dev.dray.load;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.dray.load.spi.BinaryRows;
import dev.dray.load.spi.DriverInternals;
import dev.dray.load.spi.RowSink;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * dray-core chooses the drivers' internals only from the optional module and only for the driver
 * versions the module was built against; everything else takes the drivers' public APIs.
 * dray-core's own tests run without the module, so every load test here (LoadTypesTest and the
 * rest) exercises the public path.
 */
class DriverAccessTest {
  @TempDir Path dir;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(DriverAccess.class);
  private DuckDBConnection connection;

  @BeforeEach
  void open() throws Exception {
    log.start();
    logger.addAppender(log);
    connection =
        DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("a.duckdb"))
            .unwrap(DuckDBConnection.class);
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE t (id BIGINT, s VARCHAR)");
    }
  }

  @AfterEach
  void close() throws Exception {
    logger.detachAppender(log);
    connection.close();
  }

  @Test
  void withoutTheModuleTheCoreUsesThePublicApis() throws Exception {
    assertThat(ServiceLoader.load(DriverInternals.class))
        .as("dray-core is tested without dray-driver-access")
        .isEmpty();
    assertThat(DriverAccess.shared().useDuckDbInternals(connection)).isFalse();
    RowSink sink = DriverAccess.shared().openSink(connection, "t", List.of("BIGINT", "VARCHAR"));
    assertThat(sink).isInstanceOf(PublicAppenderSink.class);
    sink.append(7L);
    sink.append("seven, more than twelve bytes");
    sink.endRow();
    sink.close();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT id, s FROM t")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(7);
      assertThat(rs.getString(2)).isEqualTo("seven, more than twelve bytes");
    }
  }

  @Test
  void internalsBuiltForAnotherDriverVersionAreNotUsedAndTheLogSaysSo() throws Exception {
    List<String> opened = new ArrayList<>();
    DriverAccess access = new DriverAccess(internals("0.9.0.0", opened));
    RowSink sink = access.openSink(connection, "t", List.of("BIGINT", "VARCHAR"));
    assertThat(sink).isInstanceOf(PublicAppenderSink.class);
    sink.abandon();
    assertThat(opened).isEmpty();
    assertThat(log.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("built for DuckDB JDBC 0.9.0.0")
                    .contains(connection.getMetaData().getDatabaseProductVersion())
                    .contains("public API"));
  }

  @Test
  void internalsBuiltForTheRunningDriverAreUsed() throws Exception {
    List<String> opened = new ArrayList<>();
    String running = connection.getMetaData().getDatabaseProductVersion().substring(1) + ".0";
    DriverAccess access = new DriverAccess(internals(running, opened));
    access.openSink(connection, "t", List.of("BIGINT", "VARCHAR"));
    assertThat(opened).containsExactly("t");
  }

  @Test
  void internalsThatNoLongerLinkFallBackToThePublicAppender() throws Exception {
    String running = connection.getMetaData().getDatabaseProductVersion().substring(1) + ".0";
    DriverAccess access = new DriverAccess(internals(running, null));
    RowSink sink = access.openSink(connection, "t", List.of("BIGINT", "VARCHAR"));
    assertThat(sink).isInstanceOf(PublicAppenderSink.class);
    sink.abandon();
    assertThat(access.useDuckDbInternals(connection)).isFalse();
  }

  @Test
  void releasesCompareAsTheDriversReportThem() {
    assertThat(DriverVersions.sameRelease("1.4.1.0", "v1.4.1")).isTrue();
    assertThat(DriverVersions.sameRelease("2.0.0.1", "v2.0.0")).isTrue();
    assertThat(DriverVersions.sameRelease("1.4.1.0", "v1.4.10")).isFalse();
    assertThat(DriverVersions.sameRelease("1.4.1.0", "v1.5.0")).isFalse();
    assertThat(DriverVersions.sameRelease("3.5.6", "3.5.6")).isTrue();
    assertThat(DriverVersions.sameRelease("3.5.6", "3.5.7")).isFalse();
    assertThat(DriverVersions.sameRelease("3.5.6", "3.5")).isFalse();
    assertThat(DriverVersions.sameRelease(null, "3.5.6")).isFalse();
  }

  /**
   * Internals built for {@code duckDbVersion}; their sink records the table it was opened for, or
   * (with {@code opened} null) fails to link as a changed driver would.
   */
  private static DriverInternals internals(String duckDbVersion, List<String> opened) {
    return new DriverInternals() {
      @Override
      public String duckDbVersion() {
        return duckDbVersion;
      }

      @Override
      public String mariaDbVersion() {
        return "0.0.0";
      }

      @Override
      public RowSink openSink(DuckDBConnection c, String schema, String table, List<String> types) {
        if (opened == null) {
          throw new NoSuchMethodError("DuckDBBindings.duckdb_appender_create_ext");
        }
        opened.add(table);
        return (RowSink)
            Proxy.newProxyInstance(
                RowSink.class.getClassLoader(),
                new Class<?>[] {RowSink.class},
                (proxy, method, args) -> null);
      }

      @Override
      public BinaryRows binaryRows(ResultSet rs) {
        return null;
      }
    };
  }
}
