package org.bratscv.jobs.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What made an output: its named ingredients (settings as text, and the fingerprints of the outputs
 * it was made from) and their SHA-256. Two outputs with the same hash were made from the same
 * things; when the hashes differ, {@link #differences} names what changed, so a rerun can say why
 * it redoes an output (or refuses to). Stored as {@code fingerprint.json} beside an output, or as a
 * column of a manifest.
 *
 * @param hash SHA-256 (hex) of the ingredients
 * @param parts the ingredients, by name
 */
public record Fingerprint(
    @JsonProperty("fingerprint") String hash,
    @JsonProperty("made_from") SortedMap<String, String> parts)
    implements Serializable {

  public Fingerprint {
    parts = new TreeMap<>(parts);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects the ingredients of a fingerprint. */
  public static final class Builder {
    private final SortedMap<String, String> parts = new TreeMap<>();

    /** One named ingredient; its text form (records print every field) is what counts. */
    public Builder add(String name, Object value) {
      parts.put(name, String.valueOf(value));
      return this;
    }

    /** {@link #add} when {@code present}, else nothing: an optional ingredient. */
    public Builder addIf(boolean present, String name, Object value) {
      return present ? add(name, value) : this;
    }

    /**
     * A set of items (case ids with their fingerprints, say) as one ingredient: its size and the
     * hash of its sorted items, so a long list stays short and its order does not matter.
     */
    public Builder addSet(String name, Collection<String> items) {
      TreeSet<String> sorted = new TreeSet<>(items);
      parts.put(name, sorted.size() + " items, sha256 " + sha256(String.join("\n", sorted)));
      return this;
    }

    public Fingerprint build() {
      StringBuilder sb = new StringBuilder();
      parts.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
      return new Fingerprint(sha256(sb.toString()), parts);
    }
  }

  /** The first 16 hex digits: enough to tell outputs apart in tables and logs. */
  public String shortHash() {
    return hash.substring(0, 16);
  }

  /**
   * What differs from {@code earlier}, one line per ingredient ("network: X -> Y"); empty when the
   * hashes agree.
   */
  public List<String> differences(Fingerprint earlier) {
    List<String> out = new ArrayList<>();
    if (earlier == null) {
      out.add("no record of what made the existing output");
      return out;
    }
    if (hash.equals(earlier.hash())) {
      return out;
    }
    TreeSet<String> names = new TreeSet<>(parts.keySet());
    names.addAll(earlier.parts().keySet());
    for (String n : names) {
      String now = parts.get(n);
      String then = earlier.parts().get(n);
      if (!Objects.equals(now, then)) {
        out.add(n + ": " + abbreviate(then) + " -> " + abbreviate(now));
      }
    }
    if (out.isEmpty()) {
      out.add("fingerprint " + earlier.shortHash() + " -> " + shortHash());
    }
    return out;
  }

  private static String abbreviate(String v) {
    if (v == null) {
      return "(none)";
    }
    return v.length() <= 160 ? v : v.substring(0, 157) + "...";
  }

  /** Writes {@code file} atomically. */
  public void write(FileSystem fs, Path file) throws IOException {
    RunJson.write(fs, file, this);
  }

  /** The fingerprint stored in {@code file}, or null when there is none. */
  public static Fingerprint read(FileSystem fs, Path file) throws IOException {
    if (!fs.exists(file)) {
      return null;
    }
    return RunJson.read(fs, file, Fingerprint.class, "fingerprint record");
  }

  /** SHA-256 of UTF-8 {@code text}, hex. */
  public static String sha256(String text) {
    return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** A fresh SHA-256 digest. */
  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /** Lines "name: fingerprint" of {@code byName}, as one ingredient set. */
  public static List<String> entries(Map<String, String> byName) {
    List<String> out = new ArrayList<>();
    byName.forEach((k, v) -> out.add(k + ": " + v));
    return out;
  }
}
