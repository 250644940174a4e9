package org.bratscv.jobs.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Typed reading of one section of a {@link ConfigTree}, with defaults and errors that name the full
 * key. Records which keys were read so that {@link #rejectUnknownKeys()} can catch typos such as
 * {@code --set pipelines.A.epoch=10}.
 */
public final class Settings {
  private final ConfigTree tree;
  private final String prefix;
  private final Set<String> read = new LinkedHashSet<>();

  public Settings(ConfigTree tree, String prefix) {
    this.tree = tree;
    this.prefix = prefix;
  }

  public static Settings of(ConfigTree tree) {
    return new Settings(tree, "");
  }

  /** The key's full dotted path in the configuration, for messages ("pipelines.A.epochs"). */
  public String full(String key) {
    return prefix.isEmpty() ? key : prefix + "." + key;
  }

  private Object raw(String key) {
    read.add(key);
    return tree.get(key);
  }

  public boolean has(String key) {
    return tree.get(key) != null;
  }

  public String string(String key, String fallback) {
    Object v = raw(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Map<?, ?> || v instanceof List<?>) {
      throw new ConfigException(full(key) + ": expected a single value, got " + v);
    }
    return v.toString();
  }

  public String requiredString(String key) {
    String v = string(key, null);
    if (v == null || v.isBlank()) {
      throw new ConfigException(full(key) + " is required");
    }
    return v;
  }

  public int integer(String key, int fallback) {
    Object v = raw(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Integer i) {
      return i;
    }
    if (v instanceof Long l && l == (int) (long) l) {
      return (int) (long) l;
    }
    try {
      return Integer.parseInt(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(full(key) + ": expected a whole number, got '" + v + "'");
    }
  }

  public long longValue(String key, long fallback) {
    Object v = raw(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Number n && n.doubleValue() == n.longValue()) {
      return n.longValue();
    }
    try {
      return Long.parseLong(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(full(key) + ": expected a whole number, got '" + v + "'");
    }
  }

  public double number(String key, double fallback) {
    Object v = raw(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return Double.parseDouble(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(full(key) + ": expected a number, got '" + v + "'");
    }
  }

  public boolean flag(String key, boolean fallback) {
    Object v = raw(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String s = v.toString().trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new ConfigException(full(key) + ": expected true or false, got '" + v + "'");
    };
  }

  /** A list of whole numbers; a single number stands for that number repeated {@code n} times. */
  public int[] integers(String key, int[] fallback) {
    Object v = raw(key);
    if (v == null) {
      return fallback.clone();
    }
    List<?> list = v instanceof List<?> l ? l : List.of(v, v, v);
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      try {
        out[i] = Integer.parseInt(list.get(i).toString().trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(full(key) + ": expected whole numbers, got " + v);
      }
    }
    return out;
  }

  public List<String> strings(String key, List<String> fallback) {
    Object v = raw(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof List<?> l)) {
      return List.of(v.toString());
    }
    List<String> out = new ArrayList<>();
    for (Object o : l) {
      out.add(o.toString());
    }
    return out;
  }

  /** One of {@code allowed} (case-insensitive), returned in lower case. */
  public String choice(String key, String fallback, String... allowed) {
    String v = string(key, fallback);
    for (String a : allowed) {
      if (a.equalsIgnoreCase(v)) {
        return a;
      }
    }
    throw new ConfigException(
        full(key) + ": '" + v + "' is not one of " + String.join(", ", allowed));
  }

  /** The settings of sub-section {@code key}. */
  public Settings section(String key) {
    read.add(key);
    return new Settings(tree.section(key), full(key));
  }

  /** Names of the entries of sub-section {@code key} (e.g. the pipelines). */
  public List<String> sectionKeys(String key) {
    read.add(key);
    return tree.section(key).keys();
  }

  /** Fails when this section holds a key that nothing read: almost always a typo. */
  public void rejectUnknownKeys() {
    List<String> unknown = new ArrayList<>();
    for (String k : tree.keys()) {
      if (!read.contains(k)) {
        unknown.add(full(k));
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigException(
          "unknown configuration key(s) " + unknown + "; known here: " + read);
    }
  }
}
