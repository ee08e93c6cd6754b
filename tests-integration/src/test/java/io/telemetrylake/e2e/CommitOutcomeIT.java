package io.telemetrylake.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import io.telemetrylake.e2e.CatalogFaultProxy.Fault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commits whose outcome the appender cannot see: the catalog applies the commit, but the appender
 * gets a 504, a dropped connection, or a socket timeout (the commit applied only later). None may
 * lose an acknowledged record, duplicate one, or leave the table referencing a deleted file: every
 * row is read back through Iceberg's reader, which opens every data file the table references.
 */
@ExtendWith(DevStackExtension.class)
class CommitOutcomeIT {
  /** The appender's REST client gives up on a request after this long. */
  private static final String SOCKET_TIMEOUT_MS = "3000";

  @TempDir Path tmp;

  @Test
  void aCommitAppliedButAnswered504LosesAndDuplicatesNothing(DevStack stack) throws Exception {
    commitOutcomeHidden(stack, Fault.ANSWER_504, "commit-504");
  }

  @Test
  void aCommitAppliedButAnswered503WhichTheClientRetriesLosesAndDuplicatesNothing(DevStack stack) throws Exception {
    // the retry gets 409 from the catalog: a conflict with the appender's own commit
    commitOutcomeHidden(stack, Fault.ANSWER_503_RETRY_AFTER, "commit-503");
  }

  @Test
  void aCommitAppliedButItsConnectionDroppedLosesAndDuplicatesNothing(DevStack stack) throws Exception {
    commitOutcomeHidden(stack, Fault.DROP_CONNECTION, "commit-dropped");
  }

  @Test
  void aCommitAppliedAfterTheClientTimedOutLosesAndDuplicatesNothing(DevStack stack) throws Exception {
    commitOutcomeHidden(stack, Fault.APPLY_LATE, "commit-late");
  }

  private void commitOutcomeHidden(DevStack stack, Fault fault, String name) throws Exception {
    try (CatalogFaultProxy proxy = CatalogFaultProxy.start(stack.catalogUri());
        Lake lake = Lake.start(new LocalStack(stack), name, Map.of(
            "ICEBERG_CATALOG_URI", proxy.uri().toString(),
            "ICEBERG_PROP_REST_CLIENT_SOCKET__TIMEOUT__MS", SOCKET_TIMEOUT_MS,
            "BUFFER_TIME_SECONDS", "2"))) {
      Load load = Load.start(lake.logsUri(), tmp, "--count", "8000", "--rate", "1000",
          "--connections", "2", "--batch", "100");
      // a commit on top of an earlier one: its request asserts a base snapshot, not an empty table
      await().atMost(Duration.ofSeconds(60)).until(() -> lake.count() > 0);
      proxy.arm(fault);
      await().atMost(Duration.ofSeconds(90)).until(() -> proxy.faultedUpstreamStatus() != 0);
      assertThat(proxy.faultedUpstreamStatus()).as("the catalog applied the faulted commit").isEqualTo(200);
      assertThat(load.await()).isZero();

      Set<String> acked = load.ackedIds();
      // the reads go through every data file the table references: a deleted one fails the test here
      Map<String, Integer> counts =
          lake.awaitIds(acked, id -> true, Duration.ofSeconds(120), Duration.ofSeconds(2));
      Set<String> missing = new HashSet<>(acked);
      missing.removeAll(counts.keySet());
      assertThat(missing).as("acknowledged records missing from the table").isEmpty();
      assertThat(counts.values().stream().mapToInt(c -> c - 1).sum()).as("duplicated records").isZero();
      assertThat(lake.rows()).as("every row, every column, read back").hasSize(counts.size());
      System.out.printf("[reliability] %s: acknowledged %d, found %d, commit requests %d%n",
          fault, acked.size(), counts.size(), proxy.commits());
    }
  }
}
