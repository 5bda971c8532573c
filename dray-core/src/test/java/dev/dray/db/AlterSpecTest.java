package dev.dray.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AlterSpecTest {
  @Test
  void findsChangeAndRenameColumnRenames() {
    assertThat(
            AlterSpec.renames(
                "CHANGE COLUMN note label VARCHAR(80) NULL, change `a b` `c``d` INT,"
                    + " RENAME COLUMN x TO y, CHANGE keep keep BIGINT"))
        .isEqualTo(Map.of("note", "label", "a b", "c`d", "x", "y"));
  }

  @Test
  void ignoresWordsInsideStringLiterals() {
    assertThat(AlterSpec.renames("ADD COLUMN c INT COMMENT 'change a b', ADD COLUMN d INT"))
        .isEmpty();
    assertThat(AlterSpec.renames("MODIFY c INT COMMENT 'it''s a change x y'")).isEmpty();
  }
}
