package io.telemetrylake.appender.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.appender.iceberg.CommitUnknownException;
import io.telemetrylake.appender.stage.StagingException;
import java.io.UncheckedIOException;
import java.io.IOException;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class FailureReasonTest {
  private static final String CREDENTIAL_URL =
      "http://catalog-admin:Sup3rS3cretPw@catalog.internal:8181/v1/config?token=Tok3nValue99";
  private static final String AWS_KEYS =
      "AKIAIOSFODNN7EXAMPLE aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  private static final String[] SECRETS = {
      "Sup3rS3cretPw", "catalog-admin", "Tok3nValue99", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI", "catalog.internal"};

  @Test
  void neverCopiesAMessageOfAnyExceptionInTheChain() {
    RuntimeException failure = new UncheckedIOException("upload failed: " + CREDENTIAL_URL,
        new IOException(AWS_KEYS, SdkClientException.create("Connect to " + CREDENTIAL_URL + " failed")));

    String reason = FailureReason.of(failure);

    assertThat(reason).doesNotContain(SECRETS)
        .isEqualTo("S3 request failed (UncheckedIOException <- IOException <- SdkClientException)");
  }

  @Test
  void showsTheS3ErrorCodeAndStatusButNotTheServiceMessage() {
    S3Exception s3 = (S3Exception) S3Exception.builder()
        .message("bucket of " + CREDENTIAL_URL + " " + AWS_KEYS)
        .statusCode(404)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("NoSuchBucket").errorMessage(AWS_KEYS).build())
        .build();

    assertThat(FailureReason.of(new UncheckedIOException("upload failed", new IOException(s3))))
        .isEqualTo("S3 request failed (UncheckedIOException <- IOException <- S3Exception; S3 NoSuchBucket, HTTP 404)");
  }

  @Test
  void dropsAnErrorCodeThatIsNotAPlainWord() {
    S3Exception s3 = (S3Exception) S3Exception.builder().statusCode(403)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("key=" + AWS_KEYS).build()).build();

    assertThat(FailureReason.of(s3)).isEqualTo("S3 request failed (S3Exception; S3, HTTP 403)");
  }

  @Test
  void namesCatalogStagingAndUnknownCommitFailures() {
    assertThat(FailureReason.of(new ForbiddenException("Forbidden: %s", CREDENTIAL_URL)))
        .isEqualTo("catalog request failed (ForbiddenException)");
    assertThat(FailureReason.of(new StagingException(AWS_KEYS, new java.sql.SQLException(CREDENTIAL_URL))))
        .isEqualTo("local staging failed (StagingException <- SQLException)");
    assertThat(FailureReason.of(new CommitUnknownException("c-1", new ForbiddenException(CREDENTIAL_URL))))
        .startsWith("catalog commit outcome unknown (CommitUnknownException <- ForbiddenException")
        .doesNotContain(SECRETS);
    assertThat(FailureReason.of(new IllegalStateException(CREDENTIAL_URL)))
        .isEqualTo("flush failed (IllegalStateException)");
  }

  @Test
  void anonymousExceptionClassesAreNamedByTheirSuperclass() {
    assertThat(FailureReason.of(new RuntimeException(CREDENTIAL_URL) {}))
        .isEqualTo("flush failed (RuntimeException)");
  }

  @Test
  void logRedactionMasksUrlCredentialsQueriesKeyPairsAndAccessKeyIds() {
    String redacted = LogRedaction.redact("PUT " + CREDENTIAL_URL + " failed; " + AWS_KEYS + ", password: hunter2");

    assertThat(redacted).doesNotContain(SECRETS[0], SECRETS[1], SECRETS[2], SECRETS[3], SECRETS[4], "hunter2")
        .contains("http://***@catalog.internal:8181/v1/config?***", "aws_secret_access_key=***", "password: ***");
    assertThat(LogRedaction.redact("Connect to http://127.0.0.1:9000 failed: Connection refused"))
        .isEqualTo("Connect to http://127.0.0.1:9000 failed: Connection refused");
  }
}
