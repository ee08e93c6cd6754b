package io.telemetrylake.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class S3BucketsTest {

  @Test
  void signsLikeTheExampleOfTheS3RestAuthenticationDocs() {
    String stringToSign = "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg";

    String signature =
        S3Buckets.signatureV2(stringToSign, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

    assertThat(signature).isEqualTo("bWq2s1WEIj+Ydj0vQ697zp+IXMU=");
  }
}
