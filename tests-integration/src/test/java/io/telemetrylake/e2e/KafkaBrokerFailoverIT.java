package io.telemetrylake.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackConfig;
import io.telemetrylake.devstack.ManagedServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker of a 3-node KRaft cluster (replication 3, min.insync.replicas 2) is SIGKILLed while it
 * leads a partition under load, and restarted later: every acknowledged record is in the table,
 * and once only, except records that a client sent again after not getting its answer (a request
 * whose 200 never arrived): those duplicates are the OTLP protocol's, and bounded by the retried
 * requests. Its own stack: the shared one has a single broker.
 */
class KafkaBrokerFailoverIT {
  private static final Pattern STATUS = Pattern.compile("\"(\\w[\\w-]*)\":(\\d+)");
  private static final int BATCH = 200;
  private static DevStack stack;

  @TempDir Path tmp;

  @BeforeAll
  static void startCluster() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "devstack-3brokers-");
    stack = DevStack.start(DevStackConfig.builder(dir).kafkaBrokers(3).build());
  }

  @AfterAll
  static void stopCluster() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void theLeaderOfABusyPartitionKilledUnderLoadLosesNoAcknowledgedRecord() throws Exception {
    // durability required: the ingester would refuse to start on a topic that cannot survive this
    try (Lake lake = Lake.start(new LocalStack(stack), "failover", Map.of("BUFFER_TIME_SECONDS", "2",
            "INGESTER_REQUIRE_DURABLE_TOPIC", "true"));
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
      TopicPartitionInfo before = partition(admin, lake.topic, 0);
      assertThat(before.replicas()).hasSize(3);
      Load load = Load.start(lake.logsUri(), tmp, "--duration", "60", "--rate", "2500", "--connections", "4",
          "--batch", Integer.toString(BATCH));
      await().atMost(Duration.ofSeconds(60)).until(() -> load.ackedIds().size() >= 5_000 && lake.count() > 0);

      int busy = busiestPartition(admin, lake.topic);
      Node leader = partition(admin, lake.topic, busy).leader();
      ManagedServer broker = stack.kafkaBrokers().get(leader.id() - 1);
      broker.kill();
      int ackedAtKill = load.ackedIds().size();
      long rowsAtKill = lake.count();
      // another broker takes over the partition, and the pipeline goes on through it
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        Node now = partition(admin, lake.topic, busy).leader();
        return now != null && now.id() != leader.id();
      });
      await().atMost(Duration.ofSeconds(60)).until(() -> load.isDone()
          || (load.ackedIds().size() >= ackedAtKill + 5_000 && lake.count() > rowsAtKill));
      assertThat(load.isDone()).as("the failover happened under load").isFalse();
      broker.start();
      await().atMost(Duration.ofSeconds(90)).until(() -> partition(admin, lake.topic, busy).isr().size() == 3);

      assertThat(load.await()).isZero();
      Set<String> acked = load.ackedIds();
      Map<String, Integer> counts =
          lake.awaitIds(acked, id -> true, Duration.ofSeconds(180), Duration.ofSeconds(2));
      Set<String> missing = new HashSet<>(acked);
      missing.removeAll(counts.keySet());
      int duplicates = counts.values().stream().mapToInt(c -> c - 1).sum();
      Map<String, Long> statuses = statuses(load);
      long retried = statuses.entrySet().stream().filter(e -> !e.getKey().equals("200")).mapToLong(Map.Entry::getValue).sum();
      System.out.printf("[reliability] Kafka leader of partition %d (broker %d of 3) SIGKILL under load: acknowledged %d,"
          + " found %d distinct, duplicates %d, statuses %s%n", busy, leader.id(), acked.size(), counts.size(), duplicates,
          statuses);
      assertThat(missing).as("acknowledged records missing from the table").isEmpty();
      assertThat(duplicates).as("duplicates only from requests answered with something else than 200 and sent again")
          .isLessThanOrEqualTo((int) (retried * BATCH));
    }
  }

  private static TopicPartitionInfo partition(Admin admin, String topic, int partition) throws Exception {
    TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
    return d.partitions().get(partition);
  }

  /** The partition with the most records so far. */
  private static int busiestPartition(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (TopicPartitionInfo p : admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
        .get(topic).partitions()) {
      latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
    }
    return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet().stream()
        .max(Map.Entry.comparingByValue((a, b) -> Long.compare(a.offset(), b.offset())))
        .orElseThrow().getKey().partition();
  }

  private static Map<String, Long> statuses(Load load) {
    String summary = load.summary();
    int at = summary.indexOf("\"statuses\":{");
    Map<String, Long> out = new HashMap<>();
    if (at >= 0) {
      Matcher m = STATUS.matcher(summary.substring(at + "\"statuses\":".length(), summary.indexOf('}', at)));
      while (m.find()) {
        out.put(m.group(1), Long.parseLong(m.group(2)));
      }
    }
    return out;
  }
}
