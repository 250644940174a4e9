package org.bratscv.jobs.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * A run configuration as a tree of YAML maps, before it is bound to typed records. It knows how to
 *
 * <ul>
 *   <li>load a file from any Hadoop file system ({@link ConfigFile}), where any map may say {@code
 *       include: other.yaml} (next to the including file, else the bundled file of that name) to
 *       start from that file's keys, its own keys overriding them;
 *   <li>apply command-line overrides {@code --set a.b.c=value}, the value read as a YAML scalar or
 *       flow collection ({@code 5}, {@code 1e-4}, {@code true}, {@code [128,128,128]});
 *   <li>write the resolved tree, saved beside every run's outputs.
 * </ul>
 *
 * Keys are dotted paths; maps merge key by key, everything else is replaced whole.
 */
public final class ConfigTree {
  private static final String INCLUDE = "include";
  private static final int MAX_INCLUDE_DEPTH = 8;

  private final Map<String, Object> root;

  private ConfigTree(Map<String, Object> root) {
    this.root = root;
  }

  public static ConfigTree empty() {
    return new ConfigTree(new LinkedHashMap<>());
  }

  /** Loads the local {@code file}, resolving includes. */
  public static ConfigTree load(Path file) {
    return load(ConfigFile.of(file), new Configuration());
  }

  /** Loads {@code file} through {@code hadoop}'s file systems, resolving includes. */
  public static ConfigTree load(ConfigFile file, Configuration hadoop) {
    return load(file, hadoop, read -> {});
  }

  /** Loads {@code file}, telling {@code onRead} each file read (the file, then its includes). */
  public static ConfigTree load(
      ConfigFile file, Configuration hadoop, java.util.function.Consumer<ConfigFile> onRead) {
    return new ConfigTree(loadMap(file, hadoop, onRead, 0));
  }

  /** Parses YAML text (includes resolved against {@code baseDir}). */
  public static ConfigTree parse(String yamlText, Path baseDir) {
    Object doc = newYaml().load(yamlText);
    Map<String, Object> map = asMap(doc == null ? new LinkedHashMap<>() : doc, "<text>");
    Configuration hadoop = new Configuration();
    ConfigFile base = ConfigFile.of(baseDir.resolve("<text>"));
    return new ConfigTree(
        resolveIncludes(map, name -> base.resolve(name, hadoop), hadoop, read -> {}, "<text>", 0));
  }

  private static Yaml newYaml() {
    LoaderOptions lo = new LoaderOptions();
    lo.setAllowDuplicateKeys(false);
    DumperOptions d = new DumperOptions();
    d.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    d.setIndent(2);
    return new Yaml(new SafeConstructor(lo), new Representer(d), d, lo);
  }

  private static Map<String, Object> loadMap(
      ConfigFile file,
      Configuration hadoop,
      java.util.function.Consumer<ConfigFile> onRead,
      int depth) {
    if (depth > MAX_INCLUDE_DEPTH) {
      throw new ConfigException(file + ": includes nest deeper than " + MAX_INCLUDE_DEPTH);
    }
    String text = file.read(hadoop);
    onRead.accept(file);
    Object doc;
    try {
      doc = newYaml().load(text);
    } catch (RuntimeException e) {
      throw new ConfigException(file + ": not valid YAML: " + e.getMessage(), e);
    }
    Map<String, Object> map = asMap(doc == null ? new LinkedHashMap<>() : doc, file.toString());
    return resolveIncludes(
        map, name -> file.resolve(name, hadoop), hadoop, onRead, file.toString(), depth);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> resolveIncludes(
      Map<String, Object> map,
      Function<String, ConfigFile> resolver,
      Configuration hadoop,
      java.util.function.Consumer<ConfigFile> onRead,
      String where,
      int depth) {
    Map<String, Object> out = new LinkedHashMap<>();
    Object inc = map.get(INCLUDE);
    if (inc != null) {
      if (!(inc instanceof String s)) {
        throw new ConfigException(where + ": 'include' must be a file name, got " + inc);
      }
      ConfigFile included = resolver.apply(s);
      try {
        out.putAll(loadMap(included, hadoop, onRead, depth + 1));
      } catch (ConfigException e) {
        throw new ConfigException(e.getMessage() + " (included from " + where + ")", e);
      }
    }
    for (Map.Entry<String, Object> e : map.entrySet()) {
      if (e.getKey().equals(INCLUDE)) {
        continue;
      }
      Object v = e.getValue();
      if (v instanceof Map<?, ?> m) {
        v = resolveIncludes((Map<String, Object>) m, resolver, hadoop, onRead, where, depth);
      }
      Object old = out.get(e.getKey());
      out.put(e.getKey(), old instanceof Map<?, ?> && v instanceof Map<?, ?> ? merge(old, v) : v);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Object merge(Object base, Object over) {
    Map<String, Object> out = new LinkedHashMap<>((Map<String, Object>) base);
    for (Map.Entry<String, Object> e : ((Map<String, Object>) over).entrySet()) {
      Object old = out.get(e.getKey());
      out.put(
          e.getKey(),
          old instanceof Map<?, ?> && e.getValue() instanceof Map<?, ?>
              ? merge(old, e.getValue())
              : e.getValue());
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o, String where) {
    if (!(o instanceof Map<?, ?> m)) {
      throw new ConfigException(where + ": expected a YAML map at the top, got " + o);
    }
    for (Object k : m.keySet()) {
      if (!(k instanceof String)) {
        throw new ConfigException(where + ": keys must be text, got " + k);
      }
    }
    return (Map<String, Object>) m;
  }

  /** A copy with {@code other}'s keys laid over this tree's. */
  @SuppressWarnings("unchecked")
  public ConfigTree overlay(ConfigTree other) {
    return new ConfigTree((Map<String, Object>) merge(root, other.root));
  }

  /** A copy with one {@code key=value} override applied (value parsed as YAML). */
  public ConfigTree with(String assignment) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException("override must look like key.path=value, got '" + assignment + "'");
    }
    String key = assignment.substring(0, eq).trim();
    String text = assignment.substring(eq + 1).trim();
    Object value;
    try {
      value = text.isEmpty() ? null : newYaml().load(text);
    } catch (RuntimeException e) {
      throw new ConfigException("override " + key + ": cannot read value '" + text + "'", e);
    }
    return with(key, value);
  }

  /** A copy with {@code key} (a dotted path) set to {@code value}, creating maps on the way. */
  @SuppressWarnings("unchecked")
  public ConfigTree with(String key, Object value) {
    Map<String, Object> copy = (Map<String, Object>) merge(root, new LinkedHashMap<>());
    String[] parts = key.split("\\.");
    Map<String, Object> node = copy;
    for (int i = 0; i < parts.length - 1; i++) {
      Object next = node.get(parts[i]);
      if (next == null) {
        next = new LinkedHashMap<String, Object>();
      } else if (!(next instanceof Map<?, ?>)) {
        throw new ConfigException(
            "override "
                + key
                + ": "
                + String.join(".", List.of(parts).subList(0, i + 1))
                + " is a value, not a section");
      } else {
        next = new LinkedHashMap<>((Map<String, Object>) next);
      }
      node.put(parts[i], next);
      node = (Map<String, Object>) next;
    }
    node.put(parts[parts.length - 1], value);
    return new ConfigTree(copy);
  }

  /** Applies overrides in order. */
  public ConfigTree withAll(List<String> assignments) {
    ConfigTree t = this;
    for (String a : assignments) {
      t = t.with(a);
    }
    return t;
  }

  /** The value at a dotted path, or null. */
  public Object get(String key) {
    Object node = root;
    for (String part : key.split("\\.")) {
      if (!(node instanceof Map<?, ?> m)) {
        return null;
      }
      node = m.get(part);
    }
    return node;
  }

  /** The sub-tree at {@code key} (empty when absent). */
  @SuppressWarnings("unchecked")
  public ConfigTree section(String key) {
    Object v = get(key);
    if (v == null) {
      return empty();
    }
    if (!(v instanceof Map<?, ?>)) {
      throw new ConfigException(key + ": expected a section (map), got " + v);
    }
    return new ConfigTree((Map<String, Object>) v);
  }

  public List<String> keys() {
    return new ArrayList<>(root.keySet());
  }

  public Map<String, Object> asMap() {
    return java.util.Collections.unmodifiableMap(root);
  }

  /** The tree as YAML text. */
  public String toYaml() {
    return newYaml().dump(root);
  }
}
