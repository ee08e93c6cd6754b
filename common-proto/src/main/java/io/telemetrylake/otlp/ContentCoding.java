package io.telemetrylake.otlp;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.telemetrylake.otlp.OtlpDecodeException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * The {@code Content-Encoding} values an OTLP/HTTP request may carry: those the OpenTelemetry
 * Collector's HTTP server accepts (its {@code confighttp} decoders), with the same framing, so a
 * Collector's {@code otlphttp} exporter can send here with any of its compressions.
 *
 * <p>One coding per request: a list such as {@code gzip, zstd} is refused, as the Collector does
 * (no OTLP client stacks codings, and every extra stage would be one more way to inflate).
 */
enum ContentCoding {
  IDENTITY("identity"),
  GZIP("gzip"),
  /** HTTP "deflate" is zlib-wrapped (RFC 1950); raw deflate (RFC 1951), which some clients send, is accepted too. */
  DEFLATE("deflate"),
  ZSTD("zstd"),
  /** Snappy's block format, or its framing format (detected by its stream identifier, as the Collector does). */
  SNAPPY("snappy"),
  /** Snappy's framing format. */
  SNAPPY_FRAMED("snappy"),
  /** The LZ4 frame format (not a bare LZ4 block). */
  LZ4("lz4");

  /** The header values understood, for error messages. */
  static final String SUPPORTED = "gzip, zstd, deflate, zlib, snappy, x-snappy-framed, lz4, identity";

  /**
   * zstd's window bound ({@code ZSTD_d_windowLogMax}): 2^27 = 128 MiB, zstd's own default, stated
   * here so that it never grows with a library update. A frame that asks for a larger window is
   * refused before anything is allocated; a smaller one is only touched as far as the body limit
   * lets the output grow.
   */
  static final int ZSTD_WINDOW_LOG_MAX = 27;

  /** The first bytes of every snappy framed stream: the stream identifier chunk. */
  static final byte[] SNAPPY_STREAM_IDENTIFIER = {
    (byte) 0xff, 0x06, 0x00, 0x00, 's', 'N', 'a', 'P', 'p', 'Y'
  };

  private static final int BUFFER_BYTES = 8192;

  private final String label;

  ContentCoding(String label) {
    this.label = label;
  }

  /** The name used in error messages ("invalid zstd request body: ..."). */
  String label() {
    return label;
  }

  /**
   * The coding a {@code Content-Encoding} header names (case-insensitive, surrounding blanks
   * ignored); null or blank means identity.
   *
   * @throws OtlpDecodeException UNSUPPORTED_CONTENT_ENCODING for anything else, lists included
   */
  static ContentCoding of(String header) throws OtlpDecodeException {
    String value = header == null ? "" : header.trim().toLowerCase(Locale.ROOT);
    switch (value) {
      case "", "identity":
        return IDENTITY;
      case "gzip", "x-gzip":
        return GZIP;
      case "deflate", "zlib":
        return DEFLATE;
      case "zstd":
        return ZSTD;
      case "snappy":
        return SNAPPY;
      case "x-snappy-framed":
        return SNAPPY_FRAMED;
      case "lz4":
        return LZ4;
      default:
        String problem = value.indexOf(',') >= 0 ? ": one coding per request" : "";
        throw new OtlpDecodeException(
            Reason.UNSUPPORTED_CONTENT_ENCODING,
            "unsupported Content-Encoding \"" + Texts.abbreviate(header) + "\"" + problem
                + " (supported: " + SUPPORTED + ")");
    }
  }

  /**
   * A stream of the decoded bytes of {@code source}. Not for IDENTITY, nor for SNAPPY, whose block
   * format is not a stream ({@link RequestBodies} decodes it whole).
   */
  InputStream open(InputStream source) throws IOException {
    switch (this) {
      case GZIP:
        return new GZIPInputStream(source, BUFFER_BYTES);
      case DEFLATE:
        return inflater(source);
      case ZSTD:
        return new ZstdInputStreamNoFinalizer(source).setLongMax(ZSTD_WINDOW_LOG_MAX);
      case SNAPPY_FRAMED:
        return new SnappyFramedReader(source);
      case LZ4:
        return new Lz4Frames(source);
      default:
        throw new IllegalStateException(this + " is not decoded as a stream");
    }
  }

  /** Whether a snappy body starts like the framing format (else it is a single block). */
  static boolean isSnappyFramed(byte[] start, int length) {
    return length >= SNAPPY_STREAM_IDENTIFIER.length
        && Arrays.equals(start, 0, SNAPPY_STREAM_IDENTIFIER.length, SNAPPY_STREAM_IDENTIFIER, 0,
            SNAPPY_STREAM_IDENTIFIER.length);
  }

  /**
   * zlib or raw deflate, told apart by the zlib header: compression method 8, a window of at most
   * 32 KiB and a header check that divides by 31. A raw deflate stream could only start like that
   * with a stored block whose padding bits are set, which no encoder writes.
   */
  private static InputStream inflater(InputStream source) throws IOException {
    PushbackInputStream in = new PushbackInputStream(source, 2);
    byte[] start = new byte[2];
    int n = in.readNBytes(start, 0, 2);
    in.unread(start, 0, n);
    int cmf = start[0] & 0xFF;
    int flg = start[1] & 0xFF;
    boolean zlib = n == 2 && (cmf & 0x0F) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
    return new OwnedInflaterInputStream(in, new Inflater(!zlib));
  }

  /** Ends its inflater on close: an {@link InflaterInputStream} given its own inflater does not. */
  private static final class OwnedInflaterInputStream extends InflaterInputStream {
    OwnedInflaterInputStream(InputStream in, Inflater inflater) {
      super(in, inflater, BUFFER_BYTES);
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } finally {
        inf.end();
      }
    }
  }
}
