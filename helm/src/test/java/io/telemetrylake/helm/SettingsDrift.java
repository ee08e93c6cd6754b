package io.telemetrylake.helm;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * The difference between the environment variables the chart sets for a service and the settings
 * that service reads. Empty on both sides means no drift; a setting renamed on one side only shows
 * up on both sides (the old name on one, the new name on the other).
 */
record SettingsDrift(Set<String> unknownToService, Set<String> notSetByChart) {

  static SettingsDrift between(Collection<String> chartNames, Collection<String> serviceKeys) {
    Set<String> unknown = new TreeSet<>(chartNames);
    unknown.removeAll(serviceKeys);
    Set<String> missing = new TreeSet<>(serviceKeys);
    missing.removeAll(chartNames);
    return new SettingsDrift(Set.copyOf(unknown), Set.copyOf(missing));
  }

  boolean isNone() {
    return unknownToService.isEmpty() && notSetByChart.isEmpty();
  }

  String describe(String service) {
    if (isNone()) {
      return "the chart and " + service + " agree";
    }
    StringBuilder out = new StringBuilder("the chart and " + service + " disagree:");
    if (!unknownToService.isEmpty()) {
      out.append(" the chart sets ").append(new TreeSet<>(unknownToService))
          .append(", which ").append(service).append(" does not read (renamed or removed in the service?);");
    }
    if (!notSetByChart.isEmpty()) {
      out.append(" ").append(service).append(" reads ").append(new TreeSet<>(notSetByChart))
          .append(", which the chart does not set (renamed in the chart, or a new setting missing from"
              + " values.yaml and _helpers.tpl?)");
    }
    return out.toString();
  }
}
