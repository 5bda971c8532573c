package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The queue commands end to end, in this JVM, against a real MariaDB. */
@ExtendWith(MariaDbExtension.class)
class QueueCommandTest {
  record Run(int exitCode, String out, String err) {}

  static Run dray(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = DrayCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void initEnqueueWorkStats(TestDatabase db, @TempDir Path dir) throws Exception {
    String url = db.url();
    assertThat(
            dray(
                    "queue",
                    "init",
                    "--db",
                    url,
                    "--queue",
                    "mail",
                    "--done-table",
                    "--idempotency-keys")
                .out())
        .contains("created queue table")
        .contains("idempotency keys on");
    assertThat(dray("queue", "init", "--db", url, "--queue", "mail").out())
        .contains("kept existing")
        .contains("idempotency keys on");

    Run one =
        dray(
            "queue",
            "enqueue",
            "--db",
            url,
            "--queue",
            "mail",
            "--payload",
            "{\"to\":\"a\"}",
            "--idempotency-key",
            "a");
    assertThat(one.exitCode()).isZero();
    assertThat(one.out()).contains("enqueued 1 of 1 jobs");
    Run again =
        dray(
            "queue",
            "enqueue",
            "--db",
            url,
            "--queue",
            "mail",
            "--payload",
            "{\"to\":\"a\"}",
            "--idempotency-key",
            "a");
    assertThat(again.exitCode()).isZero();
    assertThat(again.out()).contains("enqueued 0 of 1 jobs").contains("1 duplicates ignored");

    Path file = dir.resolve("jobs.jsonl");
    Files.writeString(file, "{\"n\":1}\n\n{\"n\":2}\n[3]\n");
    assertThat(
            dray("queue", "enqueue", "--db", url, "--queue", "mail", "--file", file.toString())
                .out())
        .contains("enqueued 3 of 3");

    db.execute(
        "CREATE TABLE users (id INT PRIMARY KEY)",
        "INSERT INTO users SELECT seq FROM seq_1_to_500");
    Run bulk =
        dray(
            "queue",
            "enqueue",
            "--db",
            url,
            "--queue",
            "mail",
            "--from-query",
            "SELECT JSON_OBJECT('u', id) AS payload FROM users",
            "--via-hold-table",
            "--chunk-size",
            "100",
            "--movers",
            "3");
    assertThat(bulk.out()).contains("enqueued 500 of 500");

    Run stats = dray("queue", "stats", "--db", url, "--queue", "mail", "--json", "--sample", "0s");
    assertThat(stats.out())
        .contains("\"ready\" : 504")
        .contains("\"oldest_ready_age_s\"")
        .contains("\"done\" : 0");

    Run work =
        dray(
            "queue",
            "work",
            "--db",
            url,
            "--queue",
            "mail",
            "--workers",
            "2",
            "--handler",
            "noop",
            "--until-empty");
    assertThat(work.exitCode()).as(work.err()).isZero();
    assertThat(work.out()).contains("processed 504 jobs");
    assertThat(dray("queue", "stats", "--db", url, "--queue", "mail", "--sample", "0s").out())
        .contains("ready 0")
        .contains("done 504");
  }

  @Test
  void idempotencyKeysNeedInitWithTheFlag(TestDatabase db) {
    String url = db.url();
    Run init = dray("queue", "init", "--db", url, "--queue", "keyed");
    assertThat(init.out())
        .contains("created queue table")
        .contains("idempotency keys off (enable with --idempotency-keys)");

    Run refused =
        dray(
            "queue",
            "enqueue",
            "--db",
            url,
            "--queue",
            "keyed",
            "--payload",
            "{\"to\":\"a\"}",
            "--idempotency-key",
            "a");
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err())
        .contains("has no idempotency index")
        .contains("nothing was enqueued")
        .contains("dray queue init --db ")
        .contains("--queue keyed --idempotency-keys");
    db.execute(
        "CREATE TABLE key_users (id INT PRIMARY KEY)",
        "INSERT INTO key_users SELECT seq FROM seq_1_to_50");
    Run query =
        dray(
            "queue",
            "enqueue",
            "--db",
            url,
            "--queue",
            "keyed",
            "--from-query",
            "SELECT JSON_OBJECT('u', id) AS payload, CONCAT('u', id) AS idempotency_key FROM key_users",
            "--via-hold-table");
    assertThat(query.exitCode()).isEqualTo(2);
    assertThat(query.err()).contains("idempotency_key column").contains("--idempotency-keys");
    assertThat(db.queryLong("SELECT COUNT(*) FROM keyed")).isZero();

    Run upgrade = dray("queue", "init", "--db", url, "--queue", "keyed", "--idempotency-keys");
    assertThat(upgrade.exitCode()).as(upgrade.err()).isZero();
    assertThat(upgrade.out()).contains("kept existing").contains("added the idempotency index");
    Run accepted =
        dray(
            "queue",
            "enqueue",
            "--db",
            url,
            "--queue",
            "keyed",
            "--from-query",
            "SELECT JSON_OBJECT('u', id) AS payload, CONCAT('u', id) AS idempotency_key FROM key_users",
            "--via-hold-table");
    assertThat(accepted.exitCode()).as(accepted.err()).isZero();
    assertThat(accepted.out()).contains("enqueued 50 of 50");
    Run duplicate =
        dray(
            "queue",
            "enqueue",
            "--db",
            url,
            "--queue",
            "keyed",
            "--payload",
            "{}",
            "--idempotency-key",
            "u7");
    assertThat(duplicate.exitCode()).as(duplicate.err()).isZero();
    assertThat(duplicate.out()).contains("enqueued 0 of 1 jobs").contains("1 duplicates ignored");
    assertThat(db.queryLong("SELECT COUNT(*) FROM keyed")).isEqualTo(50);
  }

  @Test
  void execHandlerFailuresRetryThenDie(TestDatabase db) {
    String url = db.url();
    dray("queue", "init", "--db", url, "--queue", "shell");
    dray("queue", "enqueue", "--db", url, "--queue", "shell", "--payload", "{\"ok\":true}");
    dray("queue", "enqueue", "--db", url, "--queue", "shell", "--payload", "{\"ok\":false}");
    Run work =
        dray(
            "queue",
            "work",
            "--db",
            url,
            "--queue",
            "shell",
            "--workers",
            "1",
            "--max-attempts",
            "2",
            "--retry-backoff",
            "10ms",
            "--until-empty",
            "--handler",
            "exec:grep -q true || { echo 'no good' >&2; exit 3; }");
    assertThat(work.exitCode()).as(work.err()).isZero();
    assertThat(work.out()).contains("processed 1 jobs").contains("2 failed attempts, 1 dead");
    assertThat(db.query("SELECT state, attempts, last_error FROM shell"))
        .containsExactly(java.util.List.of(2, 2, "command exited with 3: no good"));
  }

  @Test
  void badInputFailsClearlyAndLosesNothing(TestDatabase db, @TempDir Path dir) throws Exception {
    String url = db.url();
    dray("queue", "init", "--db", url, "--queue", "safe");
    dray("queue", "enqueue", "--db", url, "--queue", "safe", "--payload", "{\"keep\":1}");

    Run unknown = dray("queue", "enqueue", "--db", url, "--queue", "nosuch", "--payload", "{}");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).contains("queue 'nosuch' does not exist").contains("dray queue init");

    Run malformed =
        dray("queue", "enqueue", "--db", url, "--queue", "safe", "--payload", "{broken");
    assertThat(malformed.exitCode()).isEqualTo(2);
    assertThat(malformed.err()).contains("malformed job payload");

    Path file = dir.resolve("bad.jsonl");
    Files.writeString(file, "{\"a\":1}\nnot json\n");
    Run badFile =
        dray("queue", "enqueue", "--db", url, "--queue", "safe", "--file", file.toString());
    assertThat(badFile.exitCode()).isEqualTo(2);
    assertThat(badFile.err()).contains("line 2").contains("nothing was enqueued");

    Run moversWithoutHold =
        dray(
            "queue", "enqueue", "--db", url, "--queue", "safe", "--payload", "{}", "--movers", "2");
    assertThat(moversWithoutHold.exitCode()).isEqualTo(2);
    assertThat(moversWithoutHold.err()).contains("--movers goes with --via-hold-table");
    Run zeroMovers =
        dray(
            "queue",
            "enqueue",
            "--db",
            url,
            "--queue",
            "safe",
            "--from-query",
            "SELECT '{}'",
            "--via-hold-table",
            "--movers",
            "0");
    assertThat(zeroMovers.exitCode()).isEqualTo(2);
    assertThat(zeroMovers.err()).contains("--movers must be 1..32, got 0");

    Run badHandler = dray("queue", "work", "--db", url, "--queue", "safe", "--handler", "teleport");
    assertThat(badHandler.exitCode()).isEqualTo(2);
    assertThat(badHandler.err()).contains("unknown --handler teleport");

    Run gone =
        dray(
            "queue",
            "stats",
            "--db",
            "jdbc:mariadb://127.0.0.1:1/x?connectTimeout=500",
            "--queue",
            "safe");
    assertThat(gone.exitCode()).isEqualTo(1);
    assertThat(gone.err()).contains("cannot connect to jdbc:mariadb://127.0.0.1:1/x");

    assertThat(db.queryLong("SELECT COUNT(*) FROM safe")).isEqualTo(1);
  }
}
