package io.telemetrylake.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.devstack.ServiceStatus.Readiness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class StatusTableTest {

  private static final ServiceStatus KAFKA =
      new ServiceStatus("kafka", OptionalLong.of(101), Optional.of(Duration.ofSeconds(723)),
          Readiness.YES, 0, "127.0.0.1:9092", "");
  private static final ServiceStatus APPENDER =
      new ServiceStatus("appender", OptionalLong.empty(), Optional.empty(), Readiness.RESTARTING, 2,
          "http://127.0.0.1:8080", "restart in 4 s; last exit 137 (killed by SIGKILL), 1 s ago");

  @Test
  void oneAlignedRowPerChildUnderAHeadingThatCountsTheReadyOnes() {
    String text =
        StatusTable.render(4242, Duration.ofSeconds(725), Path.of("/data/.lake"), List.of(KAFKA, APPENDER));

    assertThat(text)
        .isEqualTo(
            "lake up (pid 4242, up 12m 05s, data /data/.lake): 1 of 2 ready\n"
                + "SERVICE   PID  UPTIME   READY       RESTARTS  ENDPOINT               NOTE\n"
                + "kafka     101  12m 03s  yes         0         127.0.0.1:9092\n"
                + "appender  -    -        restarting  2         http://127.0.0.1:8080  restart in 4 s; last exit"
                + " 137 (killed by SIGKILL), 1 s ago\n");
  }

  @Test
  void allReadyOnlyWhenEveryRowIsReady() {
    assertThat(StatusTable.allReady(List.of(KAFKA))).isTrue();
    assertThat(StatusTable.allReady(List.of(KAFKA, APPENDER))).isFalse();
  }
}
