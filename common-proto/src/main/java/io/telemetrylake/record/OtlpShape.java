package io.telemetrylake.record;

import com.google.protobuf.Message;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.List;

/**
 * The shape every OTLP export request shares: request → resources → scopes → items (log records,
 * spans, ...). What {@link ResourceSplitter} needs to split any signal's request per resource
 * without knowing its message types.
 *
 * @param <Q> the export request, e.g. {@code ExportLogsServiceRequest}
 * @param <R> its resource message, e.g. {@code ResourceLogs}
 * @param <S> its scope message, e.g. {@code ScopeLogs}
 * @param <I> its item, e.g. {@code LogRecord}
 */
public interface OtlpShape<Q extends Message, R extends Message, S extends Message, I extends Message> {
  /** Items in messages, plural: "log record(s)", "span(s)". */
  String itemsName();

  /** Field number of the resources in the request (1 in every OTLP signal). */
  int requestResourcesField();

  /** Field number of the scopes in a resource message. */
  int resourceScopesField();

  /** Field number of the items in a scope message. */
  int scopeItemsField();

  List<R> resources(Q request);

  Resource resource(R resource);

  List<S> scopes(R resource);

  int itemCount(S scope);

  List<I> items(S scope);

  /** {@code resource} (its resource, schema URL, ...) holding exactly these scopes. */
  R withScopes(R resource, List<S> scopes);

  /** {@code scope} (its scope, schema URL) holding exactly these items. */
  S withItems(S scope, List<I> items);

  /** A request holding just this resource: a Kafka record's value. */
  Q request(R resource);
}
