package io.telemetrylake.samples;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyFramedOutputStream;

/**
 * Every {@code Content-Encoding} the ingester accepts, each encoded the way real senders do
 * (defaults of the Collector's Go encoders where they differ from the Java libraries': zstd and
 * lz4 with their content checksum, snappy as one block). Shared by the decoder tests and the
 * ingester's conformance tests.
 */
public enum Codings {
  GZIP("gzip"),
  /** zlib-wrapped, what HTTP "deflate" means (RFC 1950). */
  DEFLATE("deflate"),
  /** Raw deflate (RFC 1951) under the "deflate" label, as some clients send it. */
  DEFLATE_RAW("deflate"),
  /** The Collector's name for zlib-wrapped deflate. */
  ZLIB("zlib"),
  ZSTD("zstd"),
  /** Snappy's block format: what "snappy" means for the Collector since v0.125. */
  SNAPPY("snappy"),
  /** Snappy's framing format under "snappy": what older Collectors sent. */
  SNAPPY_FRAMED_AS_SNAPPY("snappy"),
  SNAPPY_FRAMED("x-snappy-framed"),
  LZ4("lz4");

  /** The codings that decode as a stream (a snappy block does not). */
  public static final List<Codings> STREAMING =
      List.of(GZIP, DEFLATE, DEFLATE_RAW, ZLIB, ZSTD, SNAPPY_FRAMED_AS_SNAPPY, SNAPPY_FRAMED, LZ4);

  private final String header;

  Codings(String header) {
    this.header = header;
  }

  /** The {@code Content-Encoding} header value. */
  public String header() {
    return header;
  }

  public byte[] encode(byte[] data) {
    try {
      if (this == SNAPPY) {
        return Snappy.compress(data);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (OutputStream encoder = encoder(out)) {
        encoder.write(data);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A streaming encoder writing to {@code out}; not for SNAPPY (a block is encoded whole). */
  public OutputStream encoder(OutputStream out) throws IOException {
    return switch (this) {
      case GZIP -> new GZIPOutputStream(out, 64 * 1024);
      case DEFLATE, ZLIB -> new OwnedDeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, false));
      case DEFLATE_RAW -> new OwnedDeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, true));
      case ZSTD -> new ZstdOutputStreamNoFinalizer(out).setChecksum(true);
      case SNAPPY_FRAMED_AS_SNAPPY, SNAPPY_FRAMED -> new SnappyFramedOutputStream(out);
      case LZ4 -> new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB,
          LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE, LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM);
      case SNAPPY -> throw new IllegalStateException("a snappy block is not a stream");
    };
  }

  private static final class OwnedDeflaterOutputStream extends DeflaterOutputStream {
    OwnedDeflaterOutputStream(OutputStream out, Deflater deflater) {
      super(out, deflater, 64 * 1024);
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } finally {
        def.end();
      }
    }
  }
}
