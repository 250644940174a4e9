package org.bratscv.data.cases;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Finds BraTS cases under an archive root, for the 2020, 2021 and 2023+ GLI layouts, compressed
 * ({@code .nii.gz}) or not ({@code .nii}), with or without a seg file. Case folders may sit
 * directly under the root or a few folders below it (e.g. {@code MICCAI_BraTS2020_TrainingData/}).
 * A folder with a {@code dataset.json} and {@code imagesTr/} or {@code imagesTs/} is a Decathlon or
 * nnU-Net data set ({@link DatasetFolderDiscovery}); a root ending in {@code .csv} is a manifest
 * ({@link ManifestDiscovery}).
 *
 * <p>Nothing here throws for a bad case: a missing modality, an ambiguous file, a duplicate id or
 * an unrecognised folder becomes a {@link DiscoveryProblem}, and every good case is still returned.
 * Results are sorted by case id so every run sees the same order.
 */
public final class CaseDiscovery {
  /** How deep below the root case folders are looked for. */
  public static final int DEFAULT_MAX_DEPTH = 3;

  private final CaseStore store;
  private final int maxDepth;

  public CaseDiscovery(CaseStore store) {
    this(store, DEFAULT_MAX_DEPTH);
  }

  public CaseDiscovery(CaseStore store, int maxDepth) {
    this.store = store;
    this.maxDepth = maxDepth;
  }

  /** Cases found and problems met under {@code root}. */
  public record Result(List<BratsCase> cases, List<DiscoveryProblem> problems) {
    public Result {
      cases = List.copyOf(cases);
      problems = List.copyOf(problems);
    }
  }

  /** Discovers the cases under {@code root}; fails only when the root itself cannot be listed. */
  public Result discover(String root) throws IOException {
    List<BratsCase> found = new ArrayList<>();
    List<DiscoveryProblem> problems = new ArrayList<>();
    if (ManifestDiscovery.isManifest(root) && store.isFile(root)) {
      new ManifestDiscovery(store).discover(root, found, problems);
    } else if (!store.isDirectory(root)) {
      throw new IOException(
          "archive root " + root + " does not exist or is not a folder (or a .csv manifest)");
    } else if (DatasetFolderDiscovery.isDatasetFolder(store.list(root))) {
      new DatasetFolderDiscovery(store).discover(root, found, problems);
    } else {
      walk(root, 0, found, problems);
    }

    found.sort(Comparator.comparing(BratsCase::id).thenComparing(BratsCase::folder));
    Map<String, BratsCase> byId = new HashMap<>();
    List<BratsCase> unique = new ArrayList<>();
    for (BratsCase c : found) {
      BratsCase first = byId.putIfAbsent(c.id(), c);
      if (first == null) {
        unique.add(c);
      } else {
        problems.add(
            new DiscoveryProblem(
                c.id(), c.folder(), "duplicate case id: already found at " + first.folder()));
      }
    }
    problems.sort(
        Comparator.comparing(DiscoveryProblem::caseId).thenComparing(DiscoveryProblem::path));
    return new Result(unique, problems);
  }

  private void walk(String dir, int depth, List<BratsCase> found, List<DiscoveryProblem> problems)
      throws IOException {
    List<CaseStore.Entry> entries = store.list(dir);
    entries.sort(Comparator.comparing(CaseStore.Entry::name));
    for (CaseStore.Entry e : entries) {
      if (!e.directory() || e.name().startsWith(".")) {
        continue;
      }
      Optional<Layout> layout = Layout.ofFolder(e.name());
      if (layout.isPresent()) {
        readCase(e, layout.get(), found, problems);
        continue;
      }
      List<CaseStore.Entry> inside;
      try {
        inside = store.list(e.path());
      } catch (IOException ex) {
        problems.add(new DiscoveryProblem(e.name(), e.path(), "cannot list folder: " + ex));
        continue;
      }
      if (DatasetFolderDiscovery.isDatasetFolder(inside)) {
        new DatasetFolderDiscovery(store).discover(e.path(), found, problems);
        continue;
      }
      if (inside.stream().anyMatch(i -> !i.directory() && isNifti(i.name()))) {
        problems.add(
            new DiscoveryProblem(
                e.name(),
                e.path(),
                "folder holds NIfTI files but its name follows no known BraTS layout"
                    + " (BraTS20_Training_001, BraTS2021_00000, BraTS-GLI-00000-000)"));
      } else if (depth + 1 < maxDepth) {
        walk(e.path(), depth + 1, found, problems);
      }
    }
  }

  private void readCase(
      CaseStore.Entry folder,
      Layout layout,
      List<BratsCase> found,
      List<DiscoveryProblem> problems) {
    String id = folder.name();
    List<CaseStore.Entry> files;
    try {
      files = store.list(folder.path());
    } catch (IOException e) {
      problems.add(new DiscoveryProblem(id, folder.path(), "cannot list case folder: " + e));
      return;
    }
    Map<Modality, String> paths = new EnumMap<>(Modality.class);
    List<String> reasons = new ArrayList<>();
    for (Modality m : Modality.values()) {
      String base = layout.baseName(id, m);
      pick(files, base, m.name().toLowerCase(Locale.ROOT) + " (" + layout.suffix(m) + ")", reasons)
          .ifPresent(p -> paths.put(m, p));
    }
    String seg = pick(files, layout.segBaseName(id), "seg", reasons).orElse(null);
    if (seg == null) {
      seg = misnamedSeg(files, layout, id).orElse(null);
    }
    for (Modality m : Modality.values()) {
      if (!paths.containsKey(m)) {
        reasons.add(
            "missing "
                + layout.suffix(m)
                + ": expected "
                + layout.baseName(id, m)
                + ".nii.gz or .nii");
      }
    }
    if (!reasons.isEmpty()) {
      problems.add(new DiscoveryProblem(id, folder.path(), String.join("; ", reasons)));
      return;
    }
    List<String> ordered = new ArrayList<>();
    for (Modality m : Modality.values()) {
      ordered.add(paths.get(m));
    }
    found.add(new BratsCase(id, layout, folder.path(), ordered, seg));
  }

  /**
   * The file named {@code base}.nii.gz or {@code base}.nii. Both present is ambiguous and reported,
   * since the two could differ.
   */
  private static Optional<String> pick(
      List<CaseStore.Entry> files, String base, String what, List<String> reasons) {
    String gz = null;
    String raw = null;
    for (CaseStore.Entry f : files) {
      if (f.directory()) {
        continue;
      }
      if (f.name().equals(base + ".nii.gz")) {
        gz = f.path();
      } else if (f.name().equals(base + ".nii")) {
        raw = f.path();
      }
    }
    if (gz != null && raw != null) {
      reasons.add(what + " is there twice: " + base + ".nii.gz and " + base + ".nii");
      return Optional.empty();
    }
    return Optional.ofNullable(gz != null ? gz : raw);
  }

  /**
   * BraTS 2020 ships one training case (355) whose seg file carries another name; accept a single
   * other NIfTI file with "seg" in its name as the labelmap.
   */
  private static Optional<String> misnamedSeg(
      List<CaseStore.Entry> files, Layout layout, String id) {
    List<String> candidates = new ArrayList<>();
    for (CaseStore.Entry f : files) {
      String lower = f.name().toLowerCase(Locale.ROOT);
      if (f.directory() || !isNifti(f.name()) || !lower.contains("seg")) {
        continue;
      }
      boolean isModality = false;
      for (Modality m : Modality.values()) {
        String base = layout.baseName(id, m);
        isModality |= f.name().equals(base + ".nii.gz") || f.name().equals(base + ".nii");
      }
      if (!isModality) {
        candidates.add(f.path());
      }
    }
    return candidates.size() == 1 ? Optional.of(candidates.get(0)) : Optional.empty();
  }

  static boolean isNifti(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".nii") || n.endsWith(".nii.gz");
  }
}
