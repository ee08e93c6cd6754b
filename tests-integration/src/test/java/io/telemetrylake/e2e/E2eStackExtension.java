package io.telemetrylake.e2e;

import io.telemetrylake.devstack.DevStackExtension;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.DockerClientFactory;

/**
 * Gives the end-to-end tests their {@link E2eStack}, one per test run, chosen by {@code
 * -De2e.stack}: {@code local} (default; the devstack shared with {@link DevStackExtension}) or
 * {@code containers} (Testcontainers). Without a Docker engine the containers choice skips the
 * tests: it must neither fail nor quietly fall back to the local stack.
 */
final class E2eStackExtension implements ExecutionCondition, BeforeAllCallback, ParameterResolver {
  static final String PROPERTY = "e2e.stack";
  static final String NO_DOCKER = PROPERTY + "=containers needs a Docker engine; none here";

  private static final Namespace NAMESPACE = Namespace.create(E2eStackExtension.class);

  enum Kind {
    LOCAL, CONTAINERS;

    /** Unset or blank means local; anything unknown stops the run with a message naming the property. */
    static Kind of(String value) {
      if (value == null || value.isBlank()) {
        return LOCAL;
      }
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "-D" + PROPERTY + "=" + value + " is not a stack; use local (default) or containers", e);
      }
    }
  }

  /** The decision without I/O: Docker is only asked about when containers are chosen. */
  static ConditionEvaluationResult decide(String property, BooleanSupplier dockerAvailable) {
    Kind kind = Kind.of(property);
    if (kind == Kind.CONTAINERS && !dockerAvailable.getAsBoolean()) {
      return ConditionEvaluationResult.disabled(NO_DOCKER);
    }
    return ConditionEvaluationResult.enabled(PROPERTY + "=" + kind.name().toLowerCase(Locale.ROOT));
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return decide(System.getProperty(PROPERTY), () -> DockerClientFactory.instance().isDockerAvailable());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    // starting here, not lazily in a test, makes start-up failures fail the class once
    stack(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == E2eStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return stack(context);
  }

  private static E2eStack stack(ExtensionContext context) {
    if (Kind.of(System.getProperty(PROPERTY)) == Kind.LOCAL) {
      return new LocalStack(DevStackExtension.devStack(context));
    }
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(RunningContainers.class, key -> new RunningContainers(ContainerStack.start()),
            RunningContainers.class)
        .stack;
  }

  /** Closed by JUnit when the root context (the whole run) ends. */
  private record RunningContainers(ContainerStack stack) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      stack.close();
    }
  }
}
