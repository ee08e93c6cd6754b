package io.telemetrylake.otlp;

import io.telemetrylake.otlp.OtlpDecodeException.Reason;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Reads an OTLP/HTTP request body into memory, undoing its {@code Content-Encoding}, without ever
 * holding more than the configured limit.
 *
 * <p>Real clients stream their bodies ({@code Transfer-Encoding: chunked}, no {@code
 * Content-Length}), usually gzip-compressed, so the size is only known by reading: the body is read
 * incrementally and reading stops as soon as one byte more than the limit has arrived. A gzip bomb
 * therefore costs at most the limit in memory and the time to inflate it, never its full size.
 */
public final class RequestBodies {
  // Arrays cannot be larger than this on common JVMs.
  private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 16;
  private static final int GZIP_BUFFER_BYTES = 8192;

  private RequestBodies() {}

  /**
   * Reads the whole body and returns it decoded.
   *
   * @param body the request body; read up to its end or up to the limit, never closed here
   * @param contentEncoding the {@code Content-Encoding} header value, or null when absent;
   *     {@code identity}, {@code gzip} and {@code x-gzip} are understood (case-insensitive)
   * @param maxDecompressedBytes the largest body accepted after decompression (values above 2 GiB
   *     are capped: a body must fit in one array)
   * @throws OtlpDecodeException TOO_LARGE above the limit, MALFORMED for corrupt or truncated gzip,
   *     UNSUPPORTED_CONTENT_ENCODING for any other encoding
   * @throws IOException when reading the body itself fails (e.g. the client went away)
   */
  public static byte[] read(InputStream body, String contentEncoding, long maxDecompressedBytes)
      throws OtlpDecodeException, IOException {
    if (maxDecompressedBytes < 0) {
      throw new IllegalArgumentException(
          "maxDecompressedBytes must not be negative: " + maxDecompressedBytes);
    }
    int limit = (int) Math.min(maxDecompressedBytes, MAX_ARRAY_LENGTH - 1);
    String encoding =
        contentEncoding == null ? "" : contentEncoding.trim().toLowerCase(Locale.ROOT);
    switch (encoding) {
      case "", "identity":
        return readIdentity(body, limit);
      case "gzip", "x-gzip":
        return readGzip(body, limit);
      default:
        throw new OtlpDecodeException(
            Reason.UNSUPPORTED_CONTENT_ENCODING,
            "unsupported Content-Encoding \""
                + Texts.abbreviate(contentEncoding)
                + "\" (supported: gzip, identity)");
    }
  }

  private static byte[] readIdentity(InputStream body, int limit)
      throws OtlpDecodeException, IOException {
    // readNBytes reads in small chunks, so a huge body never allocates more than limit + 1 bytes.
    byte[] bytes = body.readNBytes(limit + 1);
    if (bytes.length > limit) {
      throw new OtlpDecodeException(
          Reason.TOO_LARGE, "request body exceeds the limit of " + limit + " bytes");
    }
    return bytes;
  }

  private static byte[] readGzip(InputStream body, int limit)
      throws OtlpDecodeException, IOException {
    SourceStream source = new SourceStream(body, compressedLimit(limit));
    byte[] bytes;
    try (GZIPInputStream gzip = new GZIPInputStream(source, GZIP_BUFFER_BYTES)) {
      bytes = gzip.readNBytes(limit + 1);
    } catch (IOException e) {
      if (source.compressedLimitExceeded) {
        throw new OtlpDecodeException(
            Reason.TOO_LARGE,
            "compressed request body exceeds the limit of " + compressedLimit(limit) + " bytes");
      }
      if (source.failure != null) {
        // The connection failed, not the gzip data: let the caller handle it as an I/O error.
        throw source.failure;
      }
      throw new OtlpDecodeException(
          Reason.MALFORMED, "invalid gzip request body: " + describe(e), e);
    }
    if (bytes.length > limit) {
      throw new OtlpDecodeException(
          Reason.TOO_LARGE,
          "decompressed request body exceeds the limit of " + limit + " bytes");
    }
    return bytes;
  }

  /**
   * Bound on the compressed bytes read. Without it, a stream of empty gzip members (which inflate
   * to nothing) would be read forever; gzip never legitimately grows data by more than a few bytes
   * per 16 KiB block plus its headers, so the allowance below only stops abuse.
   */
  private static long compressedLimit(int limit) {
    return (long) limit + limit / 64 + 64 * 1024;
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    if (e instanceof java.io.EOFException) {
      return "truncated (" + (message == null ? "unexpected end of data" : message) + ")";
    }
    return message == null ? e.getClass().getSimpleName() : message;
  }

  /**
   * The raw body as seen by the inflater. It remembers whether an {@link IOException} came from
   * the body itself (a real I/O failure) rather than from the gzip decoder, counts the compressed
   * bytes, and does not close the caller's stream.
   */
  private static final class SourceStream extends FilterInputStream {
    private final long maxBytes;
    private long bytesRead;
    IOException failure;
    boolean compressedLimitExceeded;

    SourceStream(InputStream in, long maxBytes) {
      super(in);
      this.maxBytes = maxBytes;
    }

    @Override
    public int read() throws IOException {
      int b;
      try {
        b = in.read();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n;
      try {
        n = in.read(buffer, offset, length);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
      if (n > 0) {
        count(n);
      }
      return n;
    }

    @Override
    public int available() throws IOException {
      try {
        return in.available();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    private void count(int n) throws IOException {
      bytesRead += n;
      if (bytesRead > maxBytes) {
        compressedLimitExceeded = true;
        throw new IOException("compressed body too large");
      }
    }

    @Override
    public long skip(long n) throws IOException {
      // GZIPInputStream never skips its source; refuse rather than bypass the counting.
      throw new IOException("skip not supported");
    }

    @Override
    public void close() {
      // The caller owns the body stream; closing the GZIPInputStream only frees its inflater.
    }
  }
}
