package io.telemetrylake.devstack;

import java.io.IOException;

/** A stand-in server for ManagedServerTest: {@code exit <code> <message>} or {@code block}. */
public final class TestChildMain {

  private TestChildMain() {}

  public static void main(String[] args) throws IOException {
    if (args[0].equals("exit")) {
      System.out.println(args[2]);
      System.exit(Integer.parseInt(args[1]));
    }
    System.out.println("blocking until stdin closes");
    System.out.flush();
    while (System.in.read() >= 0) {
      // only end-of-file matters
    }
  }
}
