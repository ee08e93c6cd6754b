package io.telemetrylake.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetrylake.e2e.E2eStackExtension.Kind;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

class E2eStackExtensionTest {
  private static final BooleanSupplier NEVER_ASKED = () -> {
    throw new AssertionError("Docker must not be asked about for the local stack");
  };

  @Test
  void unsetOrBlankMeansLocal() {
    assertThat(Kind.of(null)).isEqualTo(Kind.LOCAL);
    assertThat(Kind.of(" ")).isEqualTo(Kind.LOCAL);
    assertThat(Kind.of("Containers")).isEqualTo(Kind.CONTAINERS);
  }

  @Test
  void rejectsAnUnknownStackNamingTheProperty() {
    assertThatThrownBy(() -> Kind.of("docker"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("-De2e.stack=docker is not a stack; use local (default) or containers");
    assertThatThrownBy(() -> E2eStackExtension.decide("docker", () -> true))
        .hasMessageContaining("e2e.stack");
  }

  @Test
  void localRunsWithoutAskingForDocker() {
    ConditionEvaluationResult result = E2eStackExtension.decide(null, NEVER_ASKED);

    assertThat(result.isDisabled()).isFalse();
    assertThat(result.getReason()).contains("e2e.stack=local");
  }

  @Test
  void containersWithoutDockerAreSkippedWithTheReason() {
    ConditionEvaluationResult result = E2eStackExtension.decide("containers", () -> false);

    assertThat(result.isDisabled()).isTrue();
    assertThat(result.getReason()).contains("e2e.stack=containers needs a Docker engine; none here");
  }

  @Test
  void containersWithDockerRun() {
    assertThat(E2eStackExtension.decide("containers", () -> true).isDisabled()).isFalse();
  }
}
