package io.telemetrylake.otlp;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * LZ4 frames (the LZ4 frame format, as the Collector's lz4 encoder writes them), each read by
 * lz4-java's {@link LZ4FrameInputStream} with its safe, bounds-checked pure Java decompressor: the
 * input is untrusted.
 *
 * <p>At most {@link #MAX_FRAMES} frames per body. {@code LZ4FrameInputStream} allocates two
 * buffers of the frame's declared block size (up to 4 MiB each) at every frame header, so a body
 * of empty 15-byte frames would otherwise allocate 8 MiB per 15 bytes read. Senders write one
 * frame per body; a few concatenated ones still pass.
 */
final class Lz4Frames extends InputStream {
  static final int MAX_FRAMES = 8;

  private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.safeInstance().safeDecompressor();
  private static final XXHash32 HEADER_HASH = XXHashFactory.safeInstance().hash32();

  private final PushbackInputStream in;
  private final InputStream unclosable;
  private LZ4FrameInputStream frame;
  private int frames;

  Lz4Frames(InputStream in) {
    this.in = new PushbackInputStream(in, 1);
    this.unclosable = new FilterInputStream(this.in) {
      @Override
      public void close() {
        // The frames share the body: closing one must not close it.
      }
    };
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    while (true) {
      if (frame == null) {
        int next = in.read();
        if (next < 0) {
          return -1;
        }
        in.unread(next);
        if (++frames > MAX_FRAMES) {
          throw new IOException("more than " + MAX_FRAMES + " frames");
        }
        frame = new LZ4FrameInputStream(unclosable, DECOMPRESSOR, HEADER_HASH, true);
      }
      int n = frame.read(buffer, offset, length);
      if (n > 0) {
        return n;
      }
      frame.close();
      frame = null;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (frame != null) {
        frame.close();
      }
    } finally {
      in.close();
    }
  }
}
