package org.bratscv.data.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.bratscv.data.labels.LabelScheme;

/**
 * What a Decathlon or nnU-Net {@code dataset.json} says about the files: which channel holds which
 * MRI sequence ({@code channel_names} in nnU-Net v2, {@code modality} in the Decathlon and nnU-Net
 * v1) and which label value is which tissue ({@code labels}).
 *
 * <p>Labels come in three forms, all read: value to name ({@code "1": "edema"}, the Decathlon's),
 * name to value ({@code "edema": 1}, nnU-Net v2), and nnU-Net v2's regions, name to a list of
 * values ({@code "whole tumor": [1, 2, 3], "tumor core": [2, 3], "enhancing tumor": 3}), from which
 * ET is the enhancing region's value, NCR/NET the one the core adds, and edema the one the whole
 * tumor adds.
 *
 * @param channels channel index of each sequence
 * @param labelScheme the label numbering, or null when the file has no {@code labels}
 */
public record DatasetJson(Map<Modality, Integer> channels, LabelScheme labelScheme) {
  /** A {@code dataset.json} that cannot be used; the message says why. */
  public static final class InvalidDatasetJsonException extends Exception {
    public InvalidDatasetJsonException(String message) {
      super(message);
    }
  }

  /** The Decathlon's channel order when a file names none: FLAIR, T1w, T1gd, T2w. */
  public static final Map<Modality, Integer> DECATHLON_CHANNELS =
      Map.of(Modality.FLAIR, 0, Modality.T1, 1, Modality.T1GD, 2, Modality.T2, 3);

  /** Reads {@code in} (closed by the caller). */
  public static DatasetJson read(InputStream in) throws IOException, InvalidDatasetJsonException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(in);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidDatasetJsonException("not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidDatasetJsonException("not a JSON object");
    }
    JsonNode ch = root.has("channel_names") ? root.get("channel_names") : root.get("modality");
    Map<Modality, Integer> channels =
        ch == null ? DECATHLON_CHANNELS : channels(ch, root.has("channel_names"));
    JsonNode labels = root.get("labels");
    return new DatasetJson(channels, labels == null ? null : labels(labels));
  }

  private static Map<Modality, Integer> channels(JsonNode node, boolean v2)
      throws InvalidDatasetJsonException {
    String key = v2 ? "channel_names" : "modality";
    if (!node.isObject() || node.size() != Modality.values().length) {
      throw new InvalidDatasetJsonException(
          key
              + " must name 4 channels (T1, T1Gd, T2, FLAIR), got "
              + (node.isObject() ? node.size() + ": " + node : node));
    }
    Map<Modality, Integer> out = new EnumMap<>(Modality.class);
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      int index;
      try {
        index = Integer.parseInt(e.getKey().trim());
      } catch (NumberFormatException ex) {
        throw new InvalidDatasetJsonException(
            key + ": channel key '" + e.getKey() + "' is not a number");
      }
      Modality m = sequence(e.getValue().asText());
      if (m == null) {
        throw new InvalidDatasetJsonException(
            key
                + ": channel "
                + index
                + " '"
                + e.getValue().asText()
                + "' names no known MRI sequence (T1/T1w/t1n, T1Gd/T1ce/t1c, T2/T2w, FLAIR/t2f)");
      }
      if (index < 0 || index >= Modality.values().length) {
        throw new InvalidDatasetJsonException(key + ": channel index " + index + " is not 0..3");
      }
      if (out.put(m, index) != null) {
        throw new InvalidDatasetJsonException(key + ": two channels hold " + m);
      }
    }
    return out;
  }

  /** The sequence a channel name means, or null: spelling, case and separators do not matter. */
  static Modality sequence(String name) {
    String n = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    return switch (n) {
      case "t1", "t1w", "t1n", "t1native", "t1pre", "native" -> Modality.T1;
      case "t1gd", "t1ce", "t1c", "t1wce", "t1contrast", "t1post", "t1gad" -> Modality.T1GD;
      case "t2", "t2w" -> Modality.T2;
      case "flair", "t2f", "t2flair", "t2wflair" -> Modality.FLAIR;
      default -> null;
    };
  }

  private static LabelScheme labels(JsonNode node) throws InvalidDatasetJsonException {
    if (!node.isObject()) {
      throw new InvalidDatasetJsonException("labels must be an object, got " + node);
    }
    Map<String, List<Integer>> byName = new LinkedHashMap<>();
    boolean valueKeyed = true;
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      valueKeyed &= it.next().trim().matches("\\d+");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (valueKeyed) {
        byName.put(e.getValue().asText(), List.of(Integer.parseInt(e.getKey().trim())));
      } else {
        List<Integer> values = new ArrayList<>();
        JsonNode v = e.getValue();
        for (JsonNode one : v.isArray() ? v : List.of(v)) {
          if (!one.canConvertToInt()) {
            throw new InvalidDatasetJsonException(
                "labels: '" + e.getKey() + "' has value " + v + ", not a label number");
          }
          values.add(one.asInt());
        }
        byName.put(e.getKey(), values);
      }
    }
    boolean regions = byName.values().stream().anyMatch(l -> l.size() > 1);
    return regions ? fromRegions(byName) : fromTissues(byName);
  }

  private enum Tissue {
    BACKGROUND,
    NECROTIC,
    EDEMA,
    ENHANCING,
    OTHER
  }

  /** The tissue a label name means; null when unknown. */
  private static Tissue tissue(String name) {
    String n = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
    if (n.equals("background") || n.equals("bg")) {
      return Tissue.BACKGROUND;
    }
    if (n.contains("edema") || n.contains("oedema") || n.equals("ed") || n.equals("snfh")) {
      return Tissue.EDEMA;
    }
    if (n.contains("non") || n.contains("necro") || n.equals("ncr") || n.equals("netc")) {
      return Tissue.NECROTIC;
    }
    if (n.contains("enhancing") || n.equals("et")) {
      return Tissue.ENHANCING;
    }
    if (n.contains("resection") || n.contains("cavity") || n.equals("rc")) {
      return Tissue.OTHER;
    }
    return null;
  }

  private static LabelScheme fromTissues(Map<String, List<Integer>> byName)
      throws InvalidDatasetJsonException {
    Map<Tissue, Integer> value = new EnumMap<>(Tissue.class);
    Map<Tissue, String> names = new EnumMap<>(Tissue.class);
    Map<Integer, String> others = new TreeMap<>();
    for (Map.Entry<String, List<Integer>> e : byName.entrySet()) {
      Tissue t = tissue(e.getKey());
      int v = e.getValue().get(0);
      if (t == null) {
        throw new InvalidDatasetJsonException(
            "labels: '"
                + e.getKey()
                + "' ("
                + v
                + ") is none of background, edema, non-enhancing/necrotic tumor (core),"
                + " enhancing tumor, resection cavity");
      }
      if (t == Tissue.OTHER) {
        others.put(v, e.getKey());
      } else if (value.put(t, v) != null) {
        throw new InvalidDatasetJsonException("labels: two labels mean " + t.name().toLowerCase());
      } else {
        names.put(t, e.getKey());
      }
    }
    for (Tissue t : List.of(Tissue.NECROTIC, Tissue.EDEMA, Tissue.ENHANCING)) {
      if (!value.containsKey(t)) {
        throw new InvalidDatasetJsonException(
            "labels: no label for " + t.name().toLowerCase() + " in " + byName.keySet());
      }
    }
    return scheme(
        value.get(Tissue.NECROTIC),
        value.get(Tissue.EDEMA),
        value.get(Tissue.ENHANCING),
        others,
        names.get(Tissue.NECROTIC),
        names.get(Tissue.EDEMA),
        names.get(Tissue.ENHANCING));
  }

  private static LabelScheme fromRegions(Map<String, List<Integer>> byName)
      throws InvalidDatasetJsonException {
    TreeSet<Integer> et = null;
    TreeSet<Integer> tc = null;
    TreeSet<Integer> wt = null;
    for (Map.Entry<String, List<Integer>> e : byName.entrySet()) {
      String n = e.getKey().toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
      TreeSet<Integer> v = new TreeSet<>(e.getValue());
      if (n.contains("whole") || n.equals("wt")) {
        wt = v;
      } else if (n.contains("core") || n.equals("tc")) {
        tc = v;
      } else if (n.contains("enhancing") || n.equals("et")) {
        et = v;
      }
    }
    if (et == null || tc == null || wt == null || et.size() != 1) {
      throw new InvalidDatasetJsonException(
          "labels: regions must name whole tumor, tumor core and one enhancing tumor label, got "
              + byName);
    }
    TreeSet<Integer> ncr = new TreeSet<>(tc);
    ncr.removeAll(et);
    TreeSet<Integer> edema = new TreeSet<>(wt);
    edema.removeAll(tc);
    if (ncr.size() != 1 || edema.size() != 1 || !tc.containsAll(et) || !wt.containsAll(tc)) {
      throw new InvalidDatasetJsonException(
          "labels: regions must nest (enhancing in core in whole), each adding one label, got "
              + byName);
    }
    return scheme(
        ncr.first(),
        edema.first(),
        et.first(),
        Map.of(),
        "non-enhancing tumor core",
        "edema",
        "enhancing tumor");
  }

  private static LabelScheme scheme(
      int ncr,
      int edema,
      int et,
      Map<Integer, String> others,
      String ncrName,
      String edemaName,
      String etName)
      throws InvalidDatasetJsonException {
    try {
      return LabelScheme.of(ncr, edema, et, others, ncrName, edemaName, etName);
    } catch (IllegalArgumentException e) {
      throw new InvalidDatasetJsonException("labels: " + e.getMessage());
    }
  }
}
