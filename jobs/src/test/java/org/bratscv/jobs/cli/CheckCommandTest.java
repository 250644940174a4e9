package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code brats-cv check}: the demo configuration on 6 labelled and 2 test phantoms (2 folds), a
 * plan before and after preprocessing, the problems that stop a run, a sweep file and segment.
 */
class CheckCommandTest {
  private static final String DEMO = Path.of("..", "conf", "demo.yaml").toString();

  @TempDir static Path dir;

  @BeforeAll
  static void archives() throws IOException {
    PhantomGenerator gen = new PhantomGenerator(new Dims(24, 24, 16), 5);
    new PhantomArchive(gen, "Training", 1, true).write(dir.resolve("archive/train"), 6, id -> {});
    new PhantomArchive(gen, "Validation", 100, false)
        .write(dir.resolve("archive/test"), 2, id -> {});
  }

  private static CliRun check(String output, String... more) {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "check",
            "--config",
            DEMO,
            "--set",
            "data.train=" + dir.resolve("archive/train"),
            "--set",
            "data.test=" + dir.resolve("archive/test"),
            "--set",
            "output=" + output,
            "--set",
            "folds.k=2"));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static void assertHas(CliRun r, String text) {
    assertTrue(r.out().contains(text), "missing '" + text + "' in:\n" + r.out() + r.err());
  }

  @Test
  void theDemoConfigurationOnPhantomsIsRunnableAndItsPlanCountsTasks() {
    CliRun r = check(dir.resolve("fresh").toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertHas(r, "configuration: file:" + Path.of(DEMO).toAbsolutePath().normalize());
    assertHas(r, "settings: valid; name demo, seed 2020, pipelines [A, B], 2 folds, TTA 16");
    assertHas(r, "output: " + dir.resolve("fresh") + " (writable)");
    assertHas(r, "data.train: " + dir.resolve("archive/train") + " (readable): 6 cases found, 6");
    assertHas(r, "data.test: " + dir.resolve("archive/test") + " (readable): 2 cases found, 0");
    assertHas(r, "preprocess: 6 cases in 3 tasks (2 per task): 0 done (kept), 6 to preprocess");
    assertHas(r, "folds: 2 folds over 6 labelled cases: to be written");
    String cpus =
        "on CPUs, 1 CPU and 1 libtorch thread each (+1 inter-op), at most 2 at a time on the 2"
            + " local cores";
    assertHas(r, "train: 4 tasks (pipelines [A, B] x 2 folds), " + cpus);
    assertHas(
        r, "infer: out-of-fold 6 cases in 3 tasks, test 2 cases in 1 tasks, " + cpus + ", 16 TTA");
    assertHas(r, "check: ok, the run can start");
  }

  @Test
  void thePlanGivesEachStagesTasksTheirCpusAsLibtorchThreads() {
    CliRun r =
        check(
            dir.resolve("threads").toString(),
            "--set",
            "compute.engine_threads=2",
            "--set",
            "compute.train_cpus_per_task=1");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertHas(
        r,
        "train: 4 tasks (pipelines [A, B] x 2 folds), on CPUs, 1 CPU and 1 libtorch thread each"
            + " (+1 inter-op), at most 2 at a time on the 2 local cores");
    assertHas(
        r,
        "test 2 cases in 1 tasks, on CPUs, 2 CPUs and 2 libtorch threads each (+1 inter-op), at"
            + " most 1 at a time on the 2 local cores, 16 TTA");
  }

  @Test
  void afterPreprocessingAndFoldsThePlanSkipsWhatIsDoneByTheStagesOwnRules() throws IOException {
    String out = dir.resolve("done").toString();
    String[] sets = {
      "--set", "data.train=" + dir.resolve("archive/train"),
      "--set", "data.test=" + dir.resolve("archive/test"),
      "--set", "output=" + out,
      "--set", "folds.k=2"
    };
    List<String> pre = new ArrayList<>(List.of("preprocess", "--config", DEMO));
    pre.addAll(List.of(sets));
    assertEquals(0, CliRun.of(pre.toArray(String[]::new)).exitCode());
    List<String> folds = new ArrayList<>(List.of("folds", "--config", DEMO));
    folds.addAll(List.of(sets));
    assertEquals(0, CliRun.of(folds.toArray(String[]::new)).exitCode());

    CliRun r = check(out);
    assertEquals(0, r.exitCode(), r.out());
    assertHas(r, "preprocess: 6 cases in 3 tasks (2 per task): 6 done (kept), 0 to preprocess");
    assertHas(r, "folds: 2 folds over 6 labelled cases: folds.json unchanged (kept)");
    assertHas(r, "0 done (kept), 4 to train [baseline/A/fold0, baseline/A/fold1,");

    // a source file that changed is preprocessed again, as the run would do
    Path flair =
        dir.resolve("archive/train/BraTS20_Training_002/BraTS20_Training_002_flair.nii.gz");
    Files.setLastModifiedTime(flair, FileTime.fromMillis(1_000_000_000_000L));
    CliRun changed = check(out);
    assertHas(
        changed,
        "5 done (kept), 1 to preprocess [BraTS20_Training_002: source files changed (size or"
            + " modification time): [BraTS20_Training_002_flair.nii.gz]]");
    assertHas(changed, "which models are done is known once preprocessing is current");
  }

  @Test
  void problemsThatWouldStopTheRunAreEachPrintedAndExitWith2() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    CliRun r =
        CliRun.of(
            "check",
            "--config",
            DEMO,
            "--set",
            "data.train=" + dir.resolve("no-archive"),
            "--set",
            "data.test=null",
            "--set",
            "output=" + file.resolve("out"));
    assertEquals(2, r.exitCode(), r.out());
    assertHas(r, "check: 2 problem(s):");
    assertHas(
        r, "  - output " + file.resolve("out") + ": file:" + file + " is a file, not a folder");
    assertHas(
        r,
        "  - data.train "
            + dir.resolve("no-archive")
            + ": archive root "
            + dir.resolve("no-archive")
            + " does not exist or is not a folder");

    CliRun badKey = check(dir.resolve("x").toString(), "--set", "data.root=/data");
    assertEquals(2, badKey.exitCode());
    assertTrue(badKey.err().contains("brats-cv check: error:"), badKey.err());
    assertTrue(badKey.err().contains("data.root"), badKey.err());

    // ensemble.models naming no ensemble: a problem naming the path
    CliRun noModels =
        check(
            dir.resolve("y").toString(),
            "--set",
            "ensemble.models=" + dir.resolve("archive/train"));
    assertEquals(2, noModels.exitCode(), noModels.out());
    assertHas(noModels, "check: 1 problem(s):");
    assertHas(noModels, "  - ensemble.models: " + dir.resolve("archive/train") + " is not an");

    Path locked = Files.createDirectories(dir.resolve("locked"));
    Files.writeString(locked.resolve("brats-cv.lock"), "{\"host\":\"elsewhere\",\"pid\":1}\n");
    CliRun held = check(locked.toString());
    assertEquals(2, held.exitCode());
    assertHas(held, "is locked by another run");
  }

  @Test
  void aSweepFileIsCheckedVariantByVariantAndSegmentChecksItsModels() {
    CliRun r =
        CliRun.of(
            "check",
            "--config",
            Path.of("..", "conf", "demo-sweep.yaml").toString(),
            "--set",
            "data.train=" + dir.resolve("archive/train"),
            "--set",
            "folds.k=2",
            "--output",
            dir.resolve("sweeps").toString(),
            "--run-id",
            "night1");
    assertEquals(0, r.exitCode(), r.out());
    assertHas(
        r, "settings: valid; sweep demo-ablation, 3 variants [unet, patient-removal, attention]");
    assertHas(r, "sweep file: file:");
    assertHas(r, "(includes [file:");
    assertHas(r, "train: 4 tasks (pipelines {unet=[A], attention=[A]} x 2 folds)");
    assertHas(r, "variants with patient removal [patient-removal]");
    assertHas(r, "variants: run folder " + dir.resolve("sweeps/night1"));

    CliRun submission =
        CliRun.of(
            "check",
            "--config",
            Path.of("..", "conf", "demo-submission.yaml").toString(),
            "--set",
            "data.train=" + dir.resolve("archive/train"),
            "--set",
            "data.test=" + dir.resolve("archive/test"),
            "--output",
            dir.resolve("submission").toString());
    assertEquals(0, submission.exitCode(), submission.out());
    assertHas(submission, "ensemble: selected anew on every run from the variants' scores");
    assertHas(submission, "then it segments data.test with merge [A, B]");

    CliRun seg =
        CliRun.of(
            "check",
            "segment",
            "--models",
            dir.resolve("no-run").toString(),
            "--input",
            dir.resolve("archive/test").toString(),
            "--output",
            dir.resolve("seg").toString());
    assertEquals(2, seg.exitCode(), seg.out());
    assertHas(seg, "--input: " + dir.resolve("archive/test") + " (readable): 2 cases in 1 tasks");
    assertHas(seg, "  - --models " + dir.resolve("no-run") + ": no models manifest at");

    CliRun notARun = CliRun.of("check", "demo");
    assertEquals(2, notARun.exitCode());
    assertTrue(notARun.err().contains("'demo' is not a run command"), notARun.err());
  }
}
