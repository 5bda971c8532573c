package dev.dray.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.DrayException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RuntimeControlsTest {
  @Test
  void controlsAJobDidNotBindAreRefusedAndChangeNothing() {
    RuntimeControls controls = new RuntimeControls();
    List<String> changes = new ArrayList<>();
    controls.onChange(changes::add);
    assertThatThrownBy(controls::pause)
        .isInstanceOf(DrayException.class)
        .hasMessage("this job cannot be throttled: it has no throttle");
    assertThatThrownBy(() -> controls.maxRowsPerSecond(10))
        .hasMessage("this job cannot be rate limited: it has no throttle");
    assertThatThrownBy(() -> controls.workers(3))
        .hasMessage("this job's number of workers cannot change while it runs");
    assertThatThrownBy(() -> controls.chunkRows(10))
        .hasMessage("this job has no chunk size to change");
    assertThatThrownBy(() -> controls.trigger(RuntimeControls.CUT_OVER))
        .hasMessageContaining("no action cut-over");
    assertThat(controls.paused()).isFalse();
    assertThat(controls.maxRowsPerSecond()).isZero();
    assertThat(controls.workers()).isEmpty();
    assertThat(changes).isEmpty();
  }

  @Test
  void workersChangeThroughTheBoundSetterWithinBounds() {
    RuntimeControls controls = new RuntimeControls();
    List<String> changes = new ArrayList<>();
    controls.onChange(changes::add);
    AtomicInteger pool = new AtomicInteger(4);
    controls.bindWorkers(pool::get, pool::set);
    controls.workers(2);
    assertThat(pool).hasValue(2);
    assertThat(controls.workers()).hasValue(2);
    assertThatThrownBy(() -> controls.workers(0)).hasMessageContaining("between 1 and 256, not 0");
    assertThatThrownBy(() -> controls.workers(257)).hasMessageContaining("not 257");
    assertThat(pool).hasValue(2);
    assertThat(changes).containsExactly("workers set to 2 (were 4)");
  }

  @Test
  void cutOverIsPostponedUntilAskedForAndEachWishIsAnEvent() {
    RuntimeControls controls = new RuntimeControls();
    List<String> changes = new ArrayList<>();
    controls.onChange(changes::add);
    controls.offerCutOver(true);
    assertThat(controls.actions())
        .containsExactly(RuntimeControls.CUT_OVER, RuntimeControls.POSTPONE_CUT_OVER);
    assertThat(controls.cutOverPostponed()).isTrue();
    assertThat(controls.cutOverRequested()).isFalse();
    controls.trigger(RuntimeControls.CUT_OVER);
    assertThat(controls.cutOverPostponed()).isFalse();
    assertThat(controls.cutOverRequested()).isTrue();

    RuntimeControls unpostponed = new RuntimeControls();
    unpostponed.offerCutOver(false);
    assertThat(unpostponed.cutOverPostponed()).isFalse();
    unpostponed.trigger(RuntimeControls.POSTPONE_CUT_OVER);
    assertThat(unpostponed.cutOverPostponed()).isTrue();
    assertThat(unpostponed.cutOverRequested()).isFalse();
    assertThat(changes).containsExactly("cut-over requested");
  }
}
