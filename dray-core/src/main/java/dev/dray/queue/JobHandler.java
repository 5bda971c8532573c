package dev.dray.queue;

/**
 * Does one job. Returning normally completes it; throwing fails this attempt: the job is retried
 * with backoff until its max attempts, then it is dead with the exception's message as last error.
 * Handlers must tolerate running a job twice (delivery is at-least-once: a worker that dies after
 * the work but before the completion is recorded leaves the job to run again after its lease).
 */
@FunctionalInterface
public interface JobHandler {
  void handle(ClaimedJob job) throws Exception;
}
