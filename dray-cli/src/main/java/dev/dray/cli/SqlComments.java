package dev.dray.cli;

import java.io.Writer;

/** Writes every line through to another writer as an SQL comment ({@code -- line}). */
final class SqlComments extends Writer {
  private final Writer out;
  private boolean lineStart = true;

  SqlComments(Writer out) {
    this.out = out;
  }

  @Override
  public void write(char[] buffer, int offset, int length) throws java.io.IOException {
    for (int i = offset; i < offset + length; i++) {
      if (lineStart) {
        out.write("-- ");
        lineStart = false;
      }
      out.write(buffer[i]);
      if (buffer[i] == '\n') {
        lineStart = true;
      }
    }
  }

  @Override
  public void flush() throws java.io.IOException {
    out.flush();
  }

  @Override
  public void close() throws java.io.IOException {
    flush();
  }
}
