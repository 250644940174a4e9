package org.bratscv.jobs.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.bratscv.data.synth.PhantomArchive;
import org.bratscv.data.synth.PhantomGenerator;
import org.bratscv.data.volume.Dims;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code brats-cv synth}: writes a synthetic BraTS 2020-layout archive. */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description = {
      "Writes synthetic BraTS-like cases in the BraTS 2020 layout (int16 .nii.gz, 1 mm voxels,"
          + " BraTS-like affine, labels 0/1/2/4). The same seed gives the same files."
    })
public final class SynthCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "Folder to write the cases into.")
  Path out;

  @Option(names = "--cases", required = true, description = "Number of cases.")
  int cases;

  @Option(
      names = "--size",
      defaultValue = "240x240x155",
      description =
          "Volume size in the file's voxel order (as nibabel's shape), default ${DEFAULT-VALUE}.")
  String size;

  @Option(names = "--seed", defaultValue = "2020", description = "Seed, default ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--prefix",
      defaultValue = "Training",
      description = "Case name prefix: Training or Validation (BraTS20_<prefix>_001).")
  String prefix;

  @Option(
      names = "--first-index",
      defaultValue = "1",
      description = "Number of the first case, default ${DEFAULT-VALUE}.")
  int firstIndex;

  @Option(names = "--no-labels", description = "Leave out the seg files (like a test archive).")
  boolean noLabels;

  @Override
  public Integer call() throws Exception {
    if (!prefix.matches("[A-Za-z]+")) {
      throw new IllegalArgumentException("--prefix must be letters only, got '" + prefix + "'");
    }
    Dims dims = Dims.parse(size);
    PhantomArchive archive =
        new PhantomArchive(new PhantomGenerator(dims, seed), prefix, firstIndex, !noLabels);
    AtomicInteger done = new AtomicInteger();
    long start = System.nanoTime();
    archive.write(
        out,
        cases,
        id ->
            System.err.printf(
                "synth: %d/%d %s (%.1f s)%n",
                done.incrementAndGet(), cases, id, (System.nanoTime() - start) / 1e9));
    System.out.printf("wrote %d synthetic cases of %s to %s%n", cases, dims, out);
    return 0;
  }
}
