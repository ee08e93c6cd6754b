package io.telemetrylake.ingester.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.ingester.kafka.Partitioning.Mode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.junit.jupiter.api.Test;

class PartitioningTest {
  static final Node LEADER = new Node(1, "127.0.0.1", 9092);

  @Test
  void resourceModeLeavesThePartitionToTheKeyAndNeverReadsMetadata() {
    Partitioning resource = new Partitioning(Mode.RESOURCE, 0);
    AtomicInteger asked = new AtomicInteger();
    Supplier<List<PartitionInfo>> metadata = () -> {
      asked.incrementAndGet();
      return partitions("t", 12, Set.of());
    };

    for (int n = 0; n < 50; n++) {
      assertThat(resource.partitionFor("t", metadata)).isNull();
    }
    assertThat(asked).hasValue(0);
  }

  @Test
  void spreadModeGivesSuccessiveRequestsEveryPartitionInTurn() {
    Partitioning spread = new Partitioning(Mode.SPREAD, 0);
    List<PartitionInfo> twelve = partitions("t", 12, Set.of());

    List<Integer> chosen = new ArrayList<>();
    for (int n = 0; n < 36; n++) {
      chosen.add(spread.partitionFor("t", () -> twelve));
    }

    assertThat(chosen.subList(0, 12)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    assertThat(chosen.subList(12, 24)).isEqualTo(chosen.subList(0, 12));
    assertThat(chosen.subList(24, 36)).isEqualTo(chosen.subList(0, 12));
  }

  @Test
  void eachTopicHasItsOwnTurn() {
    Partitioning spread = new Partitioning(Mode.SPREAD, 0);
    List<PartitionInfo> logs = partitions("logs", 4, Set.of());
    List<PartitionInfo> traces = partitions("traces", 4, Set.of());

    assertThat(spread.partitionFor("logs", () -> logs)).isEqualTo(0);
    assertThat(spread.partitionFor("logs", () -> logs)).isEqualTo(1);
    assertThat(spread.partitionFor("traces", () -> traces)).isEqualTo(0);
    assertThat(spread.partitionFor("logs", () -> logs)).isEqualTo(2);
    assertThat(spread.partitionFor("traces", () -> traces)).isEqualTo(1);
  }

  @Test
  void skipsPartitionsWithoutALeaderWhileAnyHasOne() {
    Partitioning spread = new Partitioning(Mode.SPREAD, 0);
    List<PartitionInfo> sixWithTwoDown = partitions("t", 6, Set.of(1, 4));

    Map<Integer, Integer> counts = new HashMap<>();
    for (int n = 0; n < 400; n++) {
      counts.merge(spread.partitionFor("t", () -> sixWithTwoDown), 1, Integer::sum);
    }

    assertThat(counts).containsOnlyKeys(0, 2, 3, 5).containsValues(100);
  }

  @Test
  void usesAnyPartitionWhenNoneHasALeader() {
    Partitioning spread = new Partitioning(Mode.SPREAD, 0);
    List<PartitionInfo> allDown = partitions("t", 3, Set.of(0, 1, 2));

    assertThat(List.of(spread.partitionFor("t", () -> allDown), spread.partitionFor("t", () -> allDown),
        spread.partitionFor("t", () -> allDown))).containsExactly(0, 1, 2);
  }

  @Test
  void leavesAnUnknownTopicToKafka() {
    assertThat(new Partitioning(Mode.SPREAD, 0).partitionFor("t", List::of)).isNull();
  }

  @Test
  void turnsKeepGoingRoundPastTheLargestInt() {
    Partitioning spread = new Partitioning(Mode.SPREAD, Integer.MAX_VALUE - 1);
    List<PartitionInfo> five = partitions("t", 5, Set.of());

    List<Integer> chosen = new ArrayList<>();
    for (int n = 0; n < 10; n++) {
      chosen.add(spread.partitionFor("t", () -> five));
    }

    // MAX-1, MAX, MIN, MIN+1, ...: floorMod keeps every choice in range and the turn going
    assertThat(chosen).allSatisfy(p -> assertThat(p).isBetween(0, 4));
    assertThat(Set.copyOf(chosen.subList(2, 7))).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
  }

  @Test
  void concurrentRequestsShareTheTurnEvenly() throws Exception {
    Partitioning spread = new Partitioning(Mode.SPREAD, 7);
    List<PartitionInfo> twelve = partitions("t", 12, Set.of());
    Map<Integer, AtomicInteger> counts = new ConcurrentHashMap<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (int n = 0; n < 1_200; n++) {
          counts.computeIfAbsent(spread.partitionFor("t", () -> twelve), p -> new AtomicInteger()).incrementAndGet();
        }
      });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(counts).hasSize(12);
    assertThat(counts.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(800));
  }

  @Test
  void modesAreSpelledAsTheSetting() {
    assertThat(Mode.of("spread")).isEqualTo(Mode.SPREAD);
    assertThat(Mode.RESOURCE.settingValue()).isEqualTo("resource");
  }

  static List<PartitionInfo> partitions(String topic, int count, Set<Integer> withoutLeader) {
    List<PartitionInfo> out = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      Node leader = withoutLeader.contains(p) ? null : LEADER;
      out.add(new PartitionInfo(topic, p, leader, new Node[] {LEADER}, new Node[] {LEADER}));
    }
    return out;
  }
}
