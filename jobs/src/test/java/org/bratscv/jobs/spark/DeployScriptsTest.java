package org.bratscv.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deploy/ scripts as the build sees them: wrappers and GPU discovery, without a cluster. */
class DeployScriptsTest {
  private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();

  @TempDir Path dir;

  private static String run(ProcessBuilder pb, int expectedExit) throws Exception {
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "script timed out");
    assertEquals(expectedExit, p.exitValue(), out);
    return out;
  }

  @Test
  void submitWrappersPassTheirChecksAgainstAFakeSparkSubmit() throws Exception {
    run(new ProcessBuilder("bash", DEPLOY.resolve("tests/test-wrappers.sh").toString()), 0);
  }

  @Test
  void discoveryScriptReportsEveryGpuAsSparkResourceJson() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path smi = bin.resolve("nvidia-smi");
    Files.writeString(smi, "#!/bin/sh\nprintf '0\\n1\\n2\\n'\n");
    Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    ProcessBuilder pb =
        new ProcessBuilder("bash", DEPLOY.resolve("getGpusResources.sh").toString());
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().remove("CUDA_VISIBLE_DEVICES");
    JsonNode json = new ObjectMapper().readTree(run(pb, 0));
    assertEquals("gpu", json.get("name").asText());
    assertEquals("[\"0\",\"1\",\"2\"]", json.get("addresses").toString());
  }

  @Test
  void discoveryScriptFailsWithoutNvidiaSmi() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("bash", DEPLOY.resolve("getGpusResources.sh").toString());
    pb.environment().put("PATH", Files.createDirectories(dir.resolve("empty")) + ":/usr/bin:/bin");
    String out = run(pb, 1);
    assertTrue(out.contains("nvidia-smi not found"), out);
  }

  @Test
  void everyScriptIsExecutable() throws IOException {
    for (String s :
        new String[] {
          "getGpusResources.sh",
          "submit-standalone.sh",
          "submit-yarn.sh",
          "submit-k8s.sh",
          "nightly/nightly-sweep.sh"
        }) {
      assertTrue(Files.isExecutable(DEPLOY.resolve(s)), s);
    }
  }
}
