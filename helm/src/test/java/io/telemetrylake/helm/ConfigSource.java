package io.telemetrylake.helm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The environment variables a service's config class reads, taken from its source: every string
 * literal shaped like a variable name ({@code "BUFFER_SIZE_MB"}) is a key, one ending in "_"
 * ({@code "KAFKA_CLIENT_"}) is a pass-through prefix. Comments are skipped. For services that do
 * not publish a list of their keys; checked against IngesterConfig, which does. A one-word name
 * cannot be told from other upper-case text ({@code "GET"}, {@code "INFO"}), so the settings named
 * with one word are listed in {@link #ONE_WORD_KEYS}.
 */
record ConfigSource(Set<String> keys, Set<String> prefixes) {
  /** Settings whose name has no underscore: keys when they appear as a literal. */
  static final Set<String> ONE_WORD_KEYS = Set.of("SIGNALS");
  private static final Pattern VARIABLE = Pattern.compile("[A-Z][A-Z0-9]*(_[A-Z0-9]+)+");
  private static final Pattern PREFIX = Pattern.compile("[A-Z][A-Z0-9]*(_[A-Z0-9]+)*_");

  static ConfigSource read(Path javaFile) throws IOException {
    Set<String> keys = new TreeSet<>();
    Set<String> prefixes = new TreeSet<>();
    for (String literal : stringLiterals(Files.readString(javaFile))) {
      if (VARIABLE.matcher(literal).matches() || ONE_WORD_KEYS.contains(literal)) {
        keys.add(literal);
      } else if (PREFIX.matcher(literal).matches()) {
        prefixes.add(literal);
      }
    }
    return new ConfigSource(Set.copyOf(keys), Set.copyOf(prefixes));
  }

  /** String literals of Java source, outside comments and char literals (text blocks not needed). */
  static Set<String> stringLiterals(String src) {
    Set<String> out = new TreeSet<>();
    int i = 0;
    while (i < src.length()) {
      char c = src.charAt(i);
      if (c == '/' && i + 1 < src.length() && src.charAt(i + 1) == '/') {
        int end = src.indexOf('\n', i);
        i = end < 0 ? src.length() : end + 1;
      } else if (c == '/' && i + 1 < src.length() && src.charAt(i + 1) == '*') {
        int end = src.indexOf("*/", i + 2);
        i = end < 0 ? src.length() : end + 2;
      } else if (c == '"' || c == '\'') {
        StringBuilder literal = new StringBuilder();
        int j = i + 1;
        while (j < src.length() && src.charAt(j) != c) {
          if (src.charAt(j) == '\\' && j + 1 < src.length()) {
            literal.append(src.charAt(j + 1));
            j += 2;
          } else {
            literal.append(src.charAt(j++));
          }
        }
        if (c == '"') {
          out.add(literal.toString());
        }
        i = j + 1;
      } else {
        i++;
      }
    }
    return out;
  }
}
