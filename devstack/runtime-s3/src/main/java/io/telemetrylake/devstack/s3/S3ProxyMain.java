package io.telemetrylake.devstack.s3;

import java.io.IOException;
import java.io.InputStream;

/**
 * Entry point of the s3proxy child process: arranges to exit when the launcher dies, then runs
 * {@code org.gaul.s3proxy.Main} with the given arguments ({@code --properties <file>}).
 *
 * <p>Runs in the child JVM on s3proxy's own classpath; the launcher never loads this class.
 */
public final class S3ProxyMain {

  private S3ProxyMain() {}

  public static void main(String[] args) throws Exception {
    exitWhenParentDies();
    org.gaul.s3proxy.Main.main(args);
  }

  /**
   * The launcher keeps our stdin open for as long as it lives, so end-of-file means it is gone
   * (even after SIGKILL). Exit gracefully, and halt if that hangs.
   */
  private static void exitWhenParentDies() {
    Thread watch =
        new Thread(
            () -> {
              drain(System.in);
              System.err.println("devstack launcher is gone (stdin closed): exiting");
              Thread halt =
                  new Thread(
                      () -> {
                        sleepQuietly(10_000);
                        Runtime.getRuntime().halt(3);
                      },
                      "parent-watch-halt");
              halt.setDaemon(true);
              halt.start();
              System.exit(3);
            },
            "parent-watch");
    watch.setDaemon(true);
    watch.start();
  }

  private static void drain(InputStream in) {
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // nothing is sent on purpose; only end-of-file matters
      }
    } catch (IOException e) {
      // a broken pipe means the same as end-of-file
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
