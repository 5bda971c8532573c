package dev.dray.report;

import dev.dray.run.RuntimeControls;
import java.util.LinkedHashMap;
import java.util.Map;

/** The live controls' state as the status API shows it. */
final class ControlState {
  private ControlState() {}

  static Map<String, Object> of(RuntimeControls controls) {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("paused", controls.paused());
    state.put("maxRowsPerSecond", controls.maxRowsPerSecond());
    state.put("chunkRows", controls.chunkRows().orElse(null));
    state.put("workers", controls.workers().isPresent() ? controls.workers().getAsInt() : null);
    if (controls.actions().contains(RuntimeControls.CUT_OVER)) {
      state.put("cutOverPostponed", controls.cutOverPostponed());
      state.put("cutOverRequested", controls.cutOverRequested());
    }
    state.put("actions", controls.actions());
    return state;
  }
}
