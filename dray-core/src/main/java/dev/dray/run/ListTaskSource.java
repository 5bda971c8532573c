package dev.dray.run;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands out a fixed list of tasks with one atomic fetch-and-add per claim: workers that finish
 * early simply take the next task (dynamic balancing), and no task is handed out twice.
 */
public final class ListTaskSource<T> implements TaskSource<T> {
  private final List<T> tasks;
  private final AtomicInteger nextIndex = new AtomicInteger();

  public ListTaskSource(List<T> tasks) {
    this.tasks = List.copyOf(tasks);
  }

  @Override
  public T next() {
    int index = nextIndex.getAndIncrement();
    return index < tasks.size() ? tasks.get(index) : null;
  }

  public int size() {
    return tasks.size();
  }
}
