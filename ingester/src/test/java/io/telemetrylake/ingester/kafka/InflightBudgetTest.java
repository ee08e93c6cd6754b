package io.telemetrylake.ingester.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InflightBudgetTest {

  @Test
  void admitsUntilTheBoundAndRefusesBeyondIt() {
    InflightBudget budget = new InflightBudget(1600);
    for (int n = 0; n < 15; n++) {
      assertThat(budget.open().tryResize(100)).isTrue();
    }
    InflightBudget.Reservation last = budget.open();

    assertThat(last.tryResize(60)).isTrue();
    assertThat(last.tryResize(100)).isTrue();
    assertThat(last.tryResize(101)).isFalse();
    assertThat(last.bytes()).isEqualTo(100);
    assertThat(budget.inflightBytes()).isEqualTo(1600);
  }

  @Test
  void closedReservationsCanBeAdmittedAgain() {
    InflightBudget budget = new InflightBudget(100);
    InflightBudget.Reservation first = budget.open();
    first.tryResize(100);
    first.close();
    first.close();

    assertThat(budget.open().tryResize(100)).isTrue();
    assertThat(budget.inflightBytes()).isEqualTo(100);
  }

  @Test
  void shrinkingAlwaysSucceedsAndGivesBytesBack() {
    InflightBudget budget = new InflightBudget(1600);
    InflightBudget.Reservation r = budget.open();
    r.tryResize(1500);

    assertThat(r.tryResize(100)).isTrue();
    assertThat(budget.inflightBytes()).isEqualTo(100);
    assertThat(budget.open().tryResize(1100)).isTrue();
  }

  @Test
  void neverExceedsTheBoundEvenForARequestAlone() {
    InflightBudget budget = new InflightBudget(100);

    assertThat(budget.open().tryResize(101)).isFalse();
    assertThat(budget.inflightBytes()).isZero();
  }

  @Test
  void largeRequestsLeaveTheLastQuarterToSmallOnes() {
    InflightBudget budget = new InflightBudget(1600);
    // Large: above a sixteenth (100 bytes).
    InflightBudget.Reservation bomb1 = budget.open();
    InflightBudget.Reservation bomb2 = budget.open();
    assertThat(bomb1.tryResize(600)).isTrue();
    assertThat(bomb2.tryResize(600)).isTrue();
    assertThat(bomb2.tryResize(601)).as("three quarters reached").isFalse();

    for (int n = 0; n < 4; n++) {
      assertThat(budget.open().tryResize(100)).as("small request %d", n).isTrue();
    }
    assertThat(budget.inflightBytes()).isEqualTo(1600);
  }

  @Test
  void aLargeRequestAloneMayUseTheWholeBudget() {
    InflightBudget budget = new InflightBudget(1600);
    InflightBudget.Reservation big = budget.open();

    assertThat(big.tryResize(1600)).isTrue();
    assertThat(budget.open().tryResize(1)).isFalse();
  }
}
