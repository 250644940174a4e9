package org.bratscv.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bratscv.data.nifti.NiftiImage;
import org.bratscv.data.nifti.NiftiReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code brats-cv bench nifti FILE...}: how fast brats-cv decodes NIfTI files, in MB/s of voxel
 * data as stored on disk (voxels x bytes per voxel, 1 MB = 10^6 bytes) over the wall time of full
 * reads including gunzip and conversion to scaled floats. Each file is read once to warm up before
 * timing. {@code bench/nibabel_decode.py} measures nibabel the same way.
 */
@Command(
    name = "nifti",
    mixinStandardHelpOptions = true,
    description = {
      "Decode rate of NIfTI files: MB/s of voxel data as stored (10^6 bytes) for full reads"
          + " including gunzip and conversion to scaled floats, after one warm-up read per file.",
      "Compare with: python3 bench/nibabel_decode.py FILE... --repeat N"
    })
public final class BenchNiftiCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE", description = ".nii or .nii.gz files")
  List<Path> files;

  @Option(
      names = "--repeat",
      paramLabel = "N",
      description = "timed passes over all files (default ${DEFAULT-VALUE})")
  int repeat = 3;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    try {
      return measure();
    } catch (IOException e) {
      spec.commandLine().getErr().println("bench nifti: " + InspectCommand.describe(e));
      return 1;
    }
  }

  private int measure() throws IOException {
    if (repeat < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--repeat must be at least 1, got " + repeat);
    }
    NiftiReader reader = NiftiReader.withDefaults();
    long voxelBytes = 0;
    for (Path f : files) {
      NiftiImage warm = reader.read(f);
      voxelBytes += warm.header().voxelBytes();
    }
    long start = System.nanoTime();
    for (int r = 0; r < repeat; r++) {
      for (Path f : files) {
        reader.read(f);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double megabytes = voxelBytes * (double) repeat / 1e6;
    double rate = megabytes / seconds;
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectNode o = new ObjectMapper().createObjectNode();
      o.put("tool", "brats-cv");
      o.put("files", files.size());
      o.put("repeat", repeat);
      o.put("seconds", seconds);
      o.put("voxel_megabytes", megabytes);
      o.put("mb_per_s", rate);
      out.println(o);
    } else {
      out.printf(
          Locale.ROOT,
          "brats-cv: %d file(s) x %d repeat(s): %.1f MB of voxel data in %.3f s = %.1f MB/s%n",
          files.size(),
          repeat,
          megabytes,
          seconds,
          rate);
    }
    out.flush();
    return 0;
  }
}
