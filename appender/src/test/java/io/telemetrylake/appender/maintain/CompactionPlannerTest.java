package io.telemetrylake.appender.maintain;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.appender.maintain.CompactionPlanner.Candidate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompactionPlannerTest {
  private static final long MB = 1024 * 1024;

  private static List<Candidate> files(long... sizesMb) {
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < sizesMb.length; i++) {
      out.add(new Candidate("f" + i, sizesMb[i] * MB));
    }
    return out;
  }

  @Test
  void packsSmallFilesThatFitTheTargetIntoOneGroup() {
    List<List<Candidate>> plan = CompactionPlanner.plan(files(10, 20, 30, 5, 1), 512 * MB, 5);

    assertThat(plan).hasSize(1);
    assertThat(plan.get(0)).hasSize(5);
  }

  @Test
  void leavesAPartitionWithFewerSmallFilesThanTheMinimumAlone() {
    assertThat(CompactionPlanner.plan(files(10, 20, 30, 5), 512 * MB, 5)).isEmpty();
  }

  @Test
  void neverRewritesFilesNearTheTargetSize() {
    List<List<Candidate>> plan = CompactionPlanner.plan(files(400, 500, 10, 10), 512 * MB, 2);

    assertThat(plan).hasSize(1);
    assertThat(plan.get(0)).extracting(Candidate::location).containsExactlyInAnyOrder("f2", "f3");
  }

  @Test
  void splitsIntoGroupsNoLargerThanTheTargetAndDropsSingletons() {
    List<List<Candidate>> plan = CompactionPlanner.plan(files(60, 60, 60, 50, 50, 90), 128 * MB, 2);

    assertThat(plan).allSatisfy(g -> {
      assertThat(g.size()).isGreaterThan(1);
      assertThat(g.stream().mapToLong(Candidate::bytes).sum()).isLessThanOrEqualTo(128 * MB);
    });
    assertThat(plan.stream().mapToInt(List::size).sum()).isLessThanOrEqualTo(6);
  }
}
