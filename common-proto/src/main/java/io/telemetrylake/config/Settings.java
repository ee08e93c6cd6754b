package io.telemetrylake.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Typed access to the environment variables both services are configured with (12-factor).
 *
 * <p>Every accessor validates at once and throws {@link ConfigException} naming the variable, so a
 * service built from these fails at start-up with one clear line. Values of variables whose names
 * look secret are never repeated in messages.
 */
public final class Settings {
  private final Map<String, String> env;

  public Settings(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public static Settings fromEnvironment() {
    return new Settings(System.getenv());
  }

  /** The trimmed value, or empty when unset or blank. */
  public Optional<String> optional(String key) {
    String value = env.get(key);
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(value.trim());
  }

  public String string(String key, String defaultValue) {
    return optional(key).orElse(defaultValue);
  }

  public String required(String key) {
    return optional(key).orElseThrow(() -> new ConfigException(key, "is required but not set"));
  }

  public int integer(String key, int defaultValue, int min, int max) {
    return (int) longValue(key, defaultValue, min, max);
  }

  public long longValue(String key, long defaultValue, long min, long max) {
    Optional<String> raw = optional(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    long value;
    try {
      value = Long.parseLong(raw.get().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "must be a whole number, got " + shown(key, raw.get()));
    }
    if (value < min || value > max) {
      throw new ConfigException(
          key, "must be between " + min + " and " + max + ", got " + shown(key, raw.get()));
    }
    return value;
  }

  public boolean bool(String key, boolean defaultValue) {
    Optional<String> raw = optional(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    return switch (raw.get().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default -> throw new ConfigException(key, "must be true or false, got " + shown(key, raw.get()));
    };
  }

  public Duration seconds(String key, long defaultSeconds, long minSeconds, long maxSeconds) {
    return Duration.ofSeconds(longValue(key, defaultSeconds, minSeconds, maxSeconds));
  }

  /** One of the allowed values, compared case-insensitively; returned lower-cased. */
  public String oneOf(String key, String defaultValue, String... allowed) {
    Optional<String> raw = optional(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    String value = raw.get().toLowerCase(Locale.ROOT);
    if (!Arrays.asList(allowed).contains(value)) {
      throw new ConfigException(
          key, "must be one of " + String.join(", ", allowed) + ", got " + shown(key, raw.get()));
    }
    return value;
  }

  /** A comma-separated list with blanks dropped; empty when unset. */
  public List<String> list(String key) {
    List<String> out = new ArrayList<>();
    optional(key)
        .ifPresent(
            v -> {
              for (String part : v.split(",")) {
                if (!part.isBlank()) {
                  out.add(part.trim());
                }
              }
            });
    return out;
  }

  /**
   * Library properties passed through by prefix, e.g. {@code KAFKA_CLIENT_SECURITY_PROTOCOL=SSL}
   * becomes {@code security.protocol=SSL}: the rest of the name lower-cased, {@code __} becomes
   * {@code -} and {@code _} becomes {@code .} (the convention of Iceberg's REST catalog image).
   */
  public Map<String, String> passThrough(String prefix) {
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      String key = e.getKey();
      if (key.startsWith(prefix) && key.length() > prefix.length()) {
        out.put(propertyName(key.substring(prefix.length())), e.getValue());
      }
    }
    return out;
  }

  static String propertyName(String envSuffix) {
    return envSuffix.toLowerCase(Locale.ROOT).replace("__", "\u0000").replace('_', '.').replace('\u0000', '-');
  }

  /** True for names that hold credentials: their values never appear in messages or logs. */
  public static boolean isSecret(String key) {
    String k = key.toUpperCase(Locale.ROOT);
    return k.contains("SECRET")
        || k.contains("PASSWORD")
        || k.contains("TOKEN")
        || k.contains("CREDENTIAL")
        || k.contains("JAAS")
        || k.endsWith("_KEY")
        || k.contains("ACCESS_KEY");
  }

  private static String shown(String key, String value) {
    return isSecret(key) ? "(a value that is not shown)" : "'" + value + "'";
  }
}
