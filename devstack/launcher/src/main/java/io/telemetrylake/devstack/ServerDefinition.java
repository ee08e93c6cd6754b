package io.telemetrylake.devstack;

import java.io.IOException;
import java.util.List;

/** One kind of server: how to configure and run it, and how to tell that it is ready. */
interface ServerDefinition {

  String name();

  /** The runtime module whose classpath the child runs on (several servers may share one). */
  default String runtime() {
    return name();
  }

  /**
   * The name of the class data sharing archive the child maps ({@link ClassDataSharing}): its own
   * unless several servers run the same program.
   */
  default String sharingName() {
    return name();
  }

  /** Where clients reach it, for people: a bootstrap address or an http:// base URI. */
  String address();

  /** Ports the child will bind; checked to be free before every start. */
  List<Integer> ports();

  /**
   * Writes the configuration files (every start: ports and paths never change) and says what to
   * run.
   */
  ChildSpec prepare() throws IOException;

  /** One readiness check; throws while the server is not ready yet. */
  void probe() throws Exception;

  /** Runs once the server is ready, before anyone uses it (e.g. creating the warehouse bucket). */
  default void afterReady() throws Exception {}

  /** Readiness state kept across probes (a client) is released here. */
  default void probesDone() {}
}
