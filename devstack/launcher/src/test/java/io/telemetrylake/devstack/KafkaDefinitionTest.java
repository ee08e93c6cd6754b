package io.telemetrylake.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaDefinitionTest {
  @TempDir Path dir;

  @Test
  void aSingleNodeIsItsOwnQuorumWithoutReplication() {
    String props = new KafkaDefinition(dir.resolve("kafka"), dir, 9092, 9093).serverProperties();

    assertThat(props).contains("node.id=1\n", "controller.quorum.voters=1@127.0.0.1:9093\n",
        "default.replication.factor=1\n", "min.insync.replicas=1\n", "offsets.topic.replication.factor=1\n");
  }

  @Test
  void aClusterNodeNamesEveryVoterAndReplicatesEveryTopicToAMajority() {
    List<KafkaDefinition.Voter> voters =
        List.of(new KafkaDefinition.Voter(1, 7001), new KafkaDefinition.Voter(2, 7002), new KafkaDefinition.Voter(3, 7003));
    KafkaDefinition second =
        new KafkaDefinition(dir.resolve("kafka-2"), dir, dir.resolve("kafka/cluster.id"), 2, 9093, 7002, voters, 3, 2);

    String props = second.serverProperties();

    assertThat(second.name()).isEqualTo("kafka-2");
    assertThat(second.runtime()).isEqualTo("kafka");
    assertThat(props).contains(
        "node.id=2\n",
        "controller.quorum.voters=1@127.0.0.1:7001,2@127.0.0.1:7002,3@127.0.0.1:7003\n",
        "listeners=PLAINTEXT://127.0.0.1:9093,CONTROLLER://127.0.0.1:7002\n",
        "default.replication.factor=3\n", "min.insync.replicas=2\n",
        "offsets.topic.replication.factor=3\n", "transaction.state.log.min.isr=2\n",
        "share.coordinator.state.topic.min.isr=2\n",
        "log.dirs=" + dir.resolve("kafka-2").resolve("data").toString().replace("\\", "/") + "\n");
  }

  @Test
  void everyNodeSharesOneClusterId() throws Exception {
    Path idFile = dir.resolve("kafka/cluster.id");
    List<KafkaDefinition.Voter> voters = List.of(new KafkaDefinition.Voter(1, 1), new KafkaDefinition.Voter(2, 2));
    KafkaDefinition a = new KafkaDefinition(dir.resolve("kafka"), dir, idFile, 1, 10, 1, voters, 3, 2);
    KafkaDefinition b = new KafkaDefinition(dir.resolve("kafka-2"), dir, idFile, 2, 11, 2, voters, 3, 2);

    assertThat(a.clusterId()).isEqualTo(b.clusterId()).isNotBlank();
  }
}
