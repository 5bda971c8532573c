package dev.dray.change;

/** What a row change does. */
public enum ChangeKind {
  INSERT,
  UPDATE,
  DELETE
}
