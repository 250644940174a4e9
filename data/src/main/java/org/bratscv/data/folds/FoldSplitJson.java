package org.bratscv.data.folds;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes {@link FoldSplit}s as JSON.
 *
 * <p>This project's format ({@code folds.json}):
 *
 * <pre>
 * {"seed": 16111990, "k": 5,
 *  "folds": [{"fold": 0, "train": ["BraTS20_Training_002", ...], "val": ["BraTS20_Training_001", ...]},
 *            ...]}
 * </pre>
 *
 * {@code seed} is null for an imported split. nnU-Net's {@code splits_final.json} is a list of
 * {@code {"train": [...], "val": [...]}} objects, fold i at position i; {@link #readNnUnet} imports
 * it and {@link #writeNnUnet} exports one. Every split read is validated ({@link FoldSplit}) and
 * errors name the source.
 */
public final class FoldSplitJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private FoldSplitJson() {}

  /** Writes {@code split} in this project's format. */
  public static void write(FoldSplit split, OutputStream out) throws IOException {
    ObjectNode root = MAPPER.createObjectNode();
    if (split.seed() == null) {
      root.putNull("seed");
    } else {
      root.put("seed", split.seed());
    }
    root.put("k", split.k());
    ArrayNode folds = root.putArray("folds");
    for (Fold f : split.folds()) {
      ObjectNode o = folds.addObject();
      o.put("fold", f.fold());
      strings(o.putArray("train"), f.train());
      strings(o.putArray("val"), f.val());
    }
    MAPPER.writeValue(out, root);
  }

  /** Writes {@code split} as nnU-Net's {@code splits_final.json} (the seed is not kept). */
  public static void writeNnUnet(FoldSplit split, OutputStream out) throws IOException {
    ArrayNode root = MAPPER.createArrayNode();
    for (Fold f : split.folds()) {
      ObjectNode o = root.addObject();
      strings(o.putArray("train"), f.train());
      strings(o.putArray("val"), f.val());
    }
    MAPPER.writeValue(out, root);
  }

  /**
   * Reads this project's format.
   *
   * @param source name of the input for error messages (e.g. its path)
   * @throws IOException when the JSON is malformed, misses a field or the split is invalid
   */
  public static FoldSplit read(InputStream in, String source) throws IOException {
    JsonNode root = parse(in, source);
    if (!root.isObject()) {
      throw new IOException(source + ": expected a JSON object with seed, k and folds");
    }
    JsonNode seedNode = root.get("seed");
    Long seed;
    if (seedNode == null || seedNode.isNull()) {
      seed = null;
    } else if (seedNode.canConvertToLong() && seedNode.isIntegralNumber()) {
      seed = seedNode.longValue();
    } else {
      throw new IOException(source + ": 'seed' must be an integer or null, got " + seedNode);
    }
    JsonNode kNode = root.get("k");
    if (kNode == null || !kNode.canConvertToInt() || !kNode.isIntegralNumber()) {
      throw new IOException(source + ": 'k' must be an integer, got " + kNode);
    }
    JsonNode foldsNode = root.get("folds");
    if (foldsNode == null || !foldsNode.isArray()) {
      throw new IOException(source + ": 'folds' must be a list");
    }
    List<Fold> folds = new ArrayList<>();
    for (int i = 0; i < foldsNode.size(); i++) {
      JsonNode f = foldsNode.get(i);
      String where = source + ": folds[" + i + "]";
      JsonNode idx = f.get("fold");
      if (idx == null || !idx.isIntegralNumber()) {
        throw new IOException(where + ": 'fold' must be an integer");
      }
      folds.add(new Fold(idx.intValue(), ids(f, "train", where), ids(f, "val", where)));
    }
    return validated(seed, kNode.intValue(), folds, source);
  }

  /**
   * Imports nnU-Net's {@code splits_final.json}: a list of {@code {"train": [...], "val": [...]}},
   * fold i at position i; k is the list's length and the seed is null.
   *
   * @param source name of the input for error messages
   * @throws IOException when the JSON is malformed or the split is invalid (a case in two val sets,
   *     a fold training on its own val case, ...)
   */
  public static FoldSplit readNnUnet(InputStream in, String source) throws IOException {
    JsonNode root = parse(in, source);
    if (!root.isArray()) {
      throw new IOException(
          source + ": an nnU-Net split file is a JSON list of {\"train\": [...], \"val\": [...]}");
    }
    List<Fold> folds = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      String where = source + ": fold " + i;
      if (!root.get(i).isObject()) {
        throw new IOException(where + ": expected an object with 'train' and 'val'");
      }
      folds.add(new Fold(i, ids(root.get(i), "train", where), ids(root.get(i), "val", where)));
    }
    return validated(null, folds.size(), folds, source);
  }

  private static FoldSplit validated(Long seed, int k, List<Fold> folds, String source)
      throws IOException {
    try {
      return new FoldSplit(seed, k, folds);
    } catch (IllegalArgumentException e) {
      throw new IOException(source + ": invalid split: " + e.getMessage(), e);
    }
  }

  private static JsonNode parse(InputStream in, String source) throws IOException {
    JsonNode root;
    try {
      root = MAPPER.readTree(in);
    } catch (JsonProcessingException e) {
      throw new IOException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || root.isMissingNode()) {
      throw new IOException(source + ": empty file");
    }
    return root;
  }

  private static List<String> ids(JsonNode parent, String field, String where) throws IOException {
    JsonNode list = parent.get(field);
    if (list == null || !list.isArray()) {
      throw new IOException(where + ": '" + field + "' must be a list of case ids");
    }
    List<String> out = new ArrayList<>(list.size());
    for (JsonNode id : list) {
      if (!id.isTextual()) {
        throw new IOException(where + ": '" + field + "' holds a non-string entry " + id);
      }
      out.add(id.textValue());
    }
    return out;
  }

  private static void strings(ArrayNode array, List<String> values) {
    for (String v : values) {
      array.add(v);
    }
  }
}
