package org.bratscv.model.train.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes and verifies checkpoint folders in a {@link CheckpointStore}. A folder holds payload
 * files, then {@code manifest.sha256} (in {@code sha256sum} format), then {@code manifest.json};
 * every put is atomic and the manifest comes last, so a folder counts only once it is complete.
 * Reading verifies the manifest's checksum and every payload's SHA-256 and size before any of it is
 * used: a damaged checkpoint raises {@link CorruptCheckpointException}, never loads silently.
 */
public final class Checkpoints {

  public static final String MANIFEST = "manifest.json";
  public static final String MANIFEST_DIGEST = "manifest.sha256";

  /** Payload with the network's parameters ({@link ModelWeights} format). */
  public static final String WEIGHTS = "weights.bin";

  /** Payload with the optimizer's per-parameter buffers ({@link TensorBundle} format). */
  public static final String OPTIMIZER = "optimizer.bin";

  /** Payload with the SWA running average ({@link TensorBundle} format). */
  public static final String SWA = "swa.bin";

  private final CheckpointStore store;
  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public Checkpoints(CheckpointStore store) {
    this.store = store;
  }

  public CheckpointStore store() {
    return store;
  }

  /**
   * Writes {@code payloads} (file name to writer, in order) into folder {@code dir}, then the
   * manifest with their checksums. Replaces an earlier checkpoint of the same name.
   */
  public CheckpointManifest write(
      String dir, Map<String, CheckpointStore.Payload> payloads, CheckpointManifest manifest)
      throws IOException {
    // hide any older version of this folder first, so a crash mid-way never mixes the two
    store.delete(dir + "/" + MANIFEST);
    Map<String, CheckpointManifest.Entry> entries = new LinkedHashMap<>();
    for (Map.Entry<String, CheckpointStore.Payload> e : payloads.entrySet()) {
      String file = e.getKey();
      if (file.equals(MANIFEST) || file.equals(MANIFEST_DIGEST) || file.contains("/")) {
        throw new IllegalArgumentException("bad checkpoint payload name " + file);
      }
      MessageDigest md = sha256();
      long[] count = new long[1];
      store.put(
          dir + "/" + file,
          out -> {
            CountingOutputStream counting = new CountingOutputStream(out);
            DigestOutputStream digesting = new DigestOutputStream(counting, md);
            e.getValue().writeTo(digesting);
            digesting.flush();
            count[0] = counting.count;
          });
      entries.put(file, new CheckpointManifest.Entry(hex(md.digest()), count[0]));
    }
    CheckpointManifest complete = manifest.withEntries(entries);
    byte[] body = json.writeValueAsBytes(complete);
    String digestLine = hex(sha256().digest(body)) + "  " + MANIFEST + "\n";
    store.put(
        dir + "/" + MANIFEST_DIGEST,
        out -> out.write(digestLine.getBytes(StandardCharsets.US_ASCII)));
    store.put(dir + "/" + MANIFEST, out -> out.write(body));
    return complete;
  }

  /** Whether folder {@code dir} holds a complete (manifest-bearing) checkpoint. */
  public boolean exists(String dir) throws IOException {
    return store.exists(dir + "/" + MANIFEST);
  }

  /** Complete checkpoint folders whose names start with {@code prefix}, sorted. */
  public List<String> list(String prefix) throws IOException {
    TreeSet<String> dirs = new TreeSet<>();
    for (String name : store.list(prefix)) {
      if (name.endsWith("/" + MANIFEST)) {
        dirs.add(name.substring(0, name.length() - MANIFEST.length() - 1));
      }
    }
    return new ArrayList<>(dirs);
  }

  /** Reads folder {@code dir}'s manifest and checks it and every payload against the checksums. */
  public CheckpointManifest readVerified(String dir) throws IOException {
    String where = store.describe() + "/" + dir;
    byte[] body;
    String digestText;
    try (InputStream in = store.open(dir + "/" + MANIFEST)) {
      body = in.readAllBytes();
    } catch (java.nio.file.NoSuchFileException e) {
      java.nio.file.NoSuchFileException missing =
          new java.nio.file.NoSuchFileException(
              where + "/" + MANIFEST,
              null,
              "not a complete checkpoint: "
                  + MANIFEST
                  + " is missing (its writer did not finish, or this is not a checkpoint folder)");
      missing.initCause(e);
      throw missing;
    }
    try (InputStream in = store.open(dir + "/" + MANIFEST_DIGEST)) {
      digestText = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
    } catch (java.nio.file.NoSuchFileException e) {
      throw new CorruptCheckpointException(where + ": " + MANIFEST_DIGEST + " is missing", e);
    }
    String expected = digestText.split("\\s+")[0];
    String actual = hex(sha256().digest(body));
    if (!actual.equalsIgnoreCase(expected)) {
      throw new CorruptCheckpointException(
          where
              + ": "
              + MANIFEST
              + " has SHA-256 "
              + actual
              + " but "
              + MANIFEST_DIGEST
              + " says "
              + expected);
    }
    CheckpointManifest manifest;
    try {
      manifest = json.readValue(body, CheckpointManifest.class);
    } catch (IOException e) {
      throw new CorruptCheckpointException(where + ": unreadable " + MANIFEST, e);
    }
    if (manifest.format() != CheckpointManifest.FORMAT) {
      throw new CorruptCheckpointException(
          where
              + ": checkpoint format "
              + manifest.format()
              + ", this build reads "
              + CheckpointManifest.FORMAT);
    }
    for (Map.Entry<String, CheckpointManifest.Entry> e : manifest.entries().entrySet()) {
      MessageDigest md = sha256();
      long bytes = 0;
      try (InputStream in = store.open(dir + "/" + e.getKey())) {
        byte[] buf = new byte[1 << 16];
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          md.update(buf, 0, n);
          bytes += n;
        }
      } catch (java.nio.file.NoSuchFileException ex) {
        throw new CorruptCheckpointException(where + ": " + e.getKey() + " is missing", ex);
      }
      String sha = hex(md.digest());
      if (bytes != e.getValue().bytes() || !sha.equalsIgnoreCase(e.getValue().sha256())) {
        throw new CorruptCheckpointException(
            where
                + ": "
                + e.getKey()
                + " has "
                + bytes
                + " bytes and SHA-256 "
                + sha
                + " but the manifest records "
                + e.getValue().bytes()
                + " bytes and "
                + e.getValue().sha256());
      }
    }
    return manifest;
  }

  /**
   * Verifies folder {@code dir} and loads its {@link #WEIGHTS} into {@code params} in place (e.g.
   * the {@code final} weights of a fold into an initialized network for inference).
   */
  public CheckpointManifest loadWeights(String dir, ai.djl.nn.ParameterList params)
      throws IOException {
    CheckpointManifest manifest = readVerified(dir);
    try (InputStream in = open(dir, WEIGHTS)) {
      ModelWeights.read(in, params, store.describe() + "/" + dir + "/" + WEIGHTS);
    }
    return manifest;
  }

  /** Opens payload {@code file} of folder {@code dir} (call {@link #readVerified} first). */
  public InputStream open(String dir, String file) throws IOException {
    return store.open(dir + "/" + file);
  }

  /** Deletes folder {@code dir}, manifest first so a half-deleted folder is never complete. */
  public void delete(String dir) throws IOException {
    store.delete(dir + "/" + MANIFEST);
    store.delete(dir + "/" + MANIFEST_DIGEST);
    for (String name : store.list(dir + "/")) {
      store.delete(name);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static final class CountingOutputStream extends java.io.FilterOutputStream {
    long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
