package dev.dray;

import static java.util.Objects.requireNonNull;

/**
 * The one exception type dray throws. Its message is a single line that names what failed (table,
 * partition or range) and why; it never contains a password. The {@link ErrorCode} maps to the
 * CLI's exit code.
 */
public class DrayException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public DrayException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public DrayException(ErrorCode code, String message, Throwable cause) {
    super(Secrets.redact(requireNonNull(message, "message is null")), cause);
    this.code = requireNonNull(code, "code is null");
  }

  public ErrorCode code() {
    return code;
  }

  public int exitCode() {
    return code.exitCode();
  }

  public static DrayException usage(String message) {
    return new DrayException(ErrorCode.USAGE, message);
  }
}
