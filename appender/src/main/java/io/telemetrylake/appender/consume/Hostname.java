package io.telemetrylake.appender.consume;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** This host's name, for client ids and the commit summary (pod name on Kubernetes). */
public final class Hostname {
  private Hostname() {}

  public static String get() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown-host";
    }
  }
}
