package io.telemetrylake.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Port choice and checks on the loopback address, where every server of the stack listens. */
final class Ports {

  static final String HOST = "127.0.0.1";

  private Ports() {}

  /** {@code count} distinct free ports (all held open until every one is chosen). */
  static int[] free(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST));
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find free ports on " + HOST, e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // only probing
        }
      }
    }
  }

  /**
   * Fails when another process listens on the port. Without this check a readiness probe could
   * succeed against that other process while our server failed to bind.
   */
  static void requireFree(int port, String server) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port), 1);
    } catch (IOException e) {
      throw new IllegalStateException(
          "port " + port + " on " + HOST + " is in use, so " + server + " cannot start there", e);
    }
  }

  /** Resolves a configured port: 0 takes the next of the pre-chosen free ports. */
  static int orFree(int configured, int free) {
    return configured == 0 ? free : configured;
  }
}
