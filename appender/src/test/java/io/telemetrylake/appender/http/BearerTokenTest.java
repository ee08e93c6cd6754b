package io.telemetrylake.appender.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BearerTokenTest {
  private final BearerToken token = new BearerToken("s3cret-token");

  @Test
  void acceptsTheTokenWithAnyCaseOfTheScheme() {
    assertThat(token.matches("Bearer s3cret-token")).isTrue();
    assertThat(token.matches("bearer s3cret-token")).isTrue();
  }

  @Test
  void rejectsMissingWrongOrDifferentlyShapedCredentials() {
    assertThat(token.matches(null)).isFalse();
    assertThat(token.matches("")).isFalse();
    assertThat(token.matches("Bearer ")).isFalse();
    assertThat(token.matches("Bearer s3cret-tokeN")).isFalse();
    assertThat(token.matches("Bearer s3cret-token-longer")).isFalse();
    assertThat(token.matches("Basic s3cret-token")).isFalse();
    assertThat(token.matches("s3cret-token")).isFalse();
  }
}
