package io.telemetrylake.ingester.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BearerAuthTest {

  @Test
  void allowsEverythingWhenNoTokenIsConfigured() {
    assertThat(new BearerAuth(List.of()).allows(null)).isTrue();
  }

  @Test
  void acceptsAnyConfiguredToken() {
    BearerAuth auth = new BearerAuth(List.of("alpha", "beta"));

    assertThat(auth.allows("Bearer alpha")).isTrue();
    assertThat(auth.allows("bearer beta")).isTrue();
  }

  @Test
  void refusesMissingWrongOrMalformedCredentials() {
    BearerAuth auth = new BearerAuth(List.of("alpha"));

    assertThat(auth.allows(null)).isFalse();
    assertThat(auth.allows("Bearer alph")).isFalse();
    assertThat(auth.allows("Basic alpha")).isFalse();
    assertThat(auth.allows("alpha")).isFalse();
  }
}
