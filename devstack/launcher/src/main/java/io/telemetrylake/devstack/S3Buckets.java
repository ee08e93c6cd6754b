package io.telemetrylake.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Creates a bucket with one signed request. AWS signature version 2 (which s3proxy accepts next to
 * version 4) is a single HMAC, so the launcher needs no AWS SDK.
 */
final class S3Buckets {

  private S3Buckets() {}

  /** Creates {@code bucket} (path-style); a bucket we already own counts as success. */
  static void create(URI endpoint, String bucket, String accessKey, String secretKey)
      throws IOException, InterruptedException {
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
    String resource = "/" + bucket;
    String stringToSign = "PUT\n\n\n" + date + "\n" + resource;
    HttpRequest request =
        Http.request(endpoint.resolve(resource))
            .header("Date", date)
            .header(
                "Authorization", "AWS " + accessKey + ":" + signatureV2(stringToSign, secretKey))
            .PUT(HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<String> response = Http.send(request);
    boolean ours =
        response.statusCode() == 409 && response.body().contains("BucketAlreadyOwnedByYou");
    if (response.statusCode() != 200 && !ours) {
      throw new IOException(
          "creating bucket "
              + bucket
              + " failed: HTTP "
              + response.statusCode()
              + " "
              + response.body());
    }
  }

  /** Base64 of HMAC-SHA1 over the string to sign, as in the S3 REST authentication docs. */
  static String signatureV2(String stringToSign, String secretKey) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
    }
  }
}
