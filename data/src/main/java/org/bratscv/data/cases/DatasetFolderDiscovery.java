package org.bratscv.data.cases;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bratscv.data.labels.LabelScheme;

/**
 * Finds the cases of a data set folder with a {@code dataset.json}: the Medical Segmentation
 * Decathlon's Task01_BrainTumour ({@code imagesTr/BRATS_001.nii.gz}, one 4-D file holding the four
 * sequences in the channel order of {@code dataset.json}'s {@code modality}; {@code
 * labelsTr/BRATS_001.nii.gz}) and nnU-Net's raw layout ({@code imagesTr/<case>_0000.nii.gz} ...
 * {@code _0003}, one file per channel of {@code channel_names}; {@code labelsTr/<case>.nii.gz}).
 * {@code imagesTs/} holds cases without labels. Names starting with a dot (the {@code ._BRATS_001}
 * AppleDouble files of the Decathlon's tar) are skipped. The layout is nnU-Net's when the file
 * names channels ({@code channel_names}) or any image carries a channel suffix ({@code _0000}).
 */
final class DatasetFolderDiscovery {
  static final String DATASET_JSON = "dataset.json";
  private static final Pattern CHANNEL_FILE = Pattern.compile("(.+)_(\\d{4})");

  private final CaseStore store;

  DatasetFolderDiscovery(CaseStore store) {
    this.store = store;
  }

  /** True when folder listing {@code entries} is a data set folder. */
  static boolean isDatasetFolder(List<CaseStore.Entry> entries) {
    boolean json = false;
    boolean images = false;
    for (CaseStore.Entry e : entries) {
      json |= !e.directory() && e.name().equals(DATASET_JSON);
      images |= e.directory() && (e.name().equals("imagesTr") || e.name().equals("imagesTs"));
    }
    return json && images;
  }

  void discover(String dir, List<BratsCase> found, List<DiscoveryProblem> problems) {
    String jsonPath = child(dir, DATASET_JSON);
    DatasetJson json;
    boolean namesChannels;
    try (InputStream in = store.open(jsonPath)) {
      byte[] bytes = in.readAllBytes();
      namesChannels =
          new String(bytes, java.nio.charset.StandardCharsets.UTF_8).contains("\"channel_names\"");
      json = DatasetJson.read(new java.io.ByteArrayInputStream(bytes));
    } catch (IOException | DatasetJson.InvalidDatasetJsonException e) {
      problems.add(new DiscoveryProblem(DATASET_JSON, jsonPath, "cannot use: " + e.getMessage()));
      return;
    }
    Map<String, String> train = niftis(child(dir, "imagesTr"), problems);
    Map<String, String> test = niftis(child(dir, "imagesTs"), problems);
    Map<String, String> labels = niftis(child(dir, "labelsTr"), problems);
    boolean nnunet =
        namesChannels
            || train.keySet().stream().anyMatch(n -> CHANNEL_FILE.matcher(n).matches())
            || test.keySet().stream().anyMatch(n -> CHANNEL_FILE.matcher(n).matches());
    Layout layout = nnunet ? Layout.NNUNET : Layout.MSD;
    LabelScheme scheme = json.labelScheme() != null ? json.labelScheme() : layout.labelScheme();
    List<String> labelled = new ArrayList<>();
    for (Map<String, String> images : List.of(train, test)) {
      boolean isTrain = images == train;
      Map<String, Map<Integer, String>> byCase = new TreeMap<>();
      for (Map.Entry<String, String> f : images.entrySet()) {
        Matcher m = CHANNEL_FILE.matcher(f.getKey());
        if (nnunet && !m.matches()) {
          problems.add(
              new DiscoveryProblem(
                  f.getKey(),
                  f.getValue(),
                  "image file name has no channel suffix (expected " + f.getKey() + "_0000)"));
          continue;
        }
        String id = nnunet ? m.group(1) : f.getKey();
        int channel = nnunet ? Integer.parseInt(m.group(2)) : 0;
        byCase.computeIfAbsent(id, k -> new TreeMap<>()).put(channel, f.getValue());
      }
      for (Map.Entry<String, Map<Integer, String>> c : byCase.entrySet()) {
        String id = c.getKey();
        String seg = isTrain ? labels.get(id) : null;
        if (seg != null) {
          labelled.add(id);
        }
        (nnunet
                ? nnunetCase(id, c.getValue(), json, seg, scheme, problems)
                : Optional.of(msdCase(id, c.getValue().get(0), json, seg, scheme)))
            .ifPresent(found::add);
      }
    }
    for (Map.Entry<String, String> l : labels.entrySet()) {
      if (!labelled.contains(l.getKey())) {
        problems.add(
            new DiscoveryProblem(
                l.getKey(), l.getValue(), "labelmap in labelsTr has no image in imagesTr"));
      }
    }
  }

  private static BratsCase msdCase(
      String id, String image, DatasetJson json, String seg, LabelScheme scheme) {
    List<Integer> volumes = new ArrayList<>();
    for (Modality m : Modality.values()) {
      volumes.add(json.channels().get(m));
    }
    return new BratsCase(
        id,
        Layout.MSD,
        image,
        Collections.nCopies(Modality.values().length, image),
        volumes,
        seg,
        scheme);
  }

  private static Optional<BratsCase> nnunetCase(
      String id,
      Map<Integer, String> files,
      DatasetJson json,
      String seg,
      LabelScheme scheme,
      List<DiscoveryProblem> problems) {
    List<String> reasons = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    for (Modality m : Modality.values()) {
      int channel = json.channels().get(m);
      String p = files.get(channel);
      if (p == null) {
        reasons.add(
            String.format(
                Locale.ROOT, "missing %s_%04d.nii.gz (channel %d, %s)", id, channel, channel, m));
      }
      paths.add(p);
    }
    for (int channel : files.keySet()) {
      if (channel >= Modality.values().length) {
        reasons.add(
            String.format(
                Locale.ROOT,
                "%s_%04d is channel %d but dataset.json names 4 channels (0..3)",
                id,
                channel,
                channel));
      }
    }
    String where = files.values().iterator().next();
    if (!reasons.isEmpty()) {
      problems.add(new DiscoveryProblem(id, where, String.join("; ", reasons)));
      return Optional.empty();
    }
    return Optional.of(
        new BratsCase(
            id,
            Layout.NNUNET,
            parent(where),
            paths,
            Collections.nCopies(Modality.values().length, BratsCase.WHOLE_FILE),
            seg,
            scheme));
  }

  /**
   * NIfTI files of folder {@code dir} by name without extension (empty when the folder is not
   * there); a name there both as .nii and .nii.gz is a problem and is left out.
   */
  private Map<String, String> niftis(String dir, List<DiscoveryProblem> problems) {
    Map<String, String> out = new TreeMap<>();
    try {
      if (!store.isDirectory(dir)) {
        return out;
      }
      List<String> twice = new ArrayList<>();
      for (CaseStore.Entry e : store.list(dir)) {
        if (e.directory() || e.name().startsWith(".") || !CaseDiscovery.isNifti(e.name())) {
          continue;
        }
        String base = e.name().replaceFirst("(?i)\\.nii(\\.gz)?$", "");
        if (out.put(base, e.path()) != null) {
          twice.add(base);
        }
      }
      for (String base : twice) {
        problems.add(
            new DiscoveryProblem(
                base,
                out.remove(base),
                "is there twice: " + base + ".nii.gz and " + base + ".nii"));
      }
    } catch (IOException e) {
      problems.add(new DiscoveryProblem(dir, dir, "cannot list folder: " + e));
    }
    return out;
  }

  static String child(String dir, String name) {
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }

  static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? path : path.substring(0, slash);
  }
}
