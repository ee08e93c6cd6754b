package io.telemetrylake.ingester.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InflightBudgetTest {

  @Test
  void admitsUntilTheBoundAndRefusesBeyondIt() {
    InflightBudget budget = new InflightBudget(100);

    assertThat(budget.tryAcquire(60)).isTrue();
    assertThat(budget.tryAcquire(40)).isTrue();
    assertThat(budget.tryAcquire(1)).isFalse();
    assertThat(budget.inflightBytes()).isEqualTo(100);
  }

  @Test
  void releasedBytesCanBeAdmittedAgain() {
    InflightBudget budget = new InflightBudget(100);
    budget.tryAcquire(100);

    budget.release(100);

    assertThat(budget.tryAcquire(100)).isTrue();
  }

  @Test
  void admitsAnOversizedRequestOnlyWhenNothingElseIsInFlight() {
    InflightBudget budget = new InflightBudget(100);

    assertThat(budget.tryAcquire(500)).isTrue();
    assertThat(budget.tryAcquire(1)).isFalse();
    budget.release(500);
    budget.tryAcquire(10);
    assertThat(budget.tryAcquire(500)).isFalse();
  }
}
