package io.telemetrylake.tools;

import io.telemetrylake.tools.query.QueryCommand;
import io.telemetrylake.tools.send.SendCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lake <command>}: the user-facing tools, reachable from the repo's {@code ./lake} script. */
@Command(
    name = "lake",
    mixinStandardHelpOptions = true,
    description = "telemetry-lake tools",
    subcommands = {SendCommand.class, QueryCommand.class})
public final class LakeTool implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new LakeTool()).execute(args));
  }
}
