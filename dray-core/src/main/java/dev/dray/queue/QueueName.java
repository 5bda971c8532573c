package dev.dray.queue;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import java.util.regex.Pattern;

/**
 * The name of a queue. Each queue is one table of that name in the connection's database, with an
 * optional {@code NAME_done} table for completed jobs and a {@code NAME_hold} table that bulk
 * enqueue streams into first. Names are restricted so the derived table names stay valid
 * everywhere.
 *
 * @param name letters, digits and underscores, starting with a letter, at most 54 characters
 */
public record QueueName(String name) {
  private static final Pattern VALID = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,53}");

  public QueueName {
    requireNonNull(name, "name is null");
    if (!VALID.matcher(name).matches()) {
      throw DrayException.usage(
          "invalid queue name '"
              + name
              + "': use letters, digits and underscores, starting with a letter, at most 54 characters");
    }
  }

  public String table() {
    return name;
  }

  public String doneTable() {
    return name + "_done";
  }

  /** Where delayed jobs wait: a pointer per job, in due order (see {@link QueueSchema}). */
  public String scheduleTable() {
    return name + "_schedule";
  }

  /** The progress of bulk enqueues through hold tables (see {@link BulkEnqueue}). */
  public String enqueuesTable() {
    return name + "_enqueues";
  }

  public String holdTable() {
    return name + "_hold";
  }

  @Override
  public String toString() {
    return name;
  }
}
