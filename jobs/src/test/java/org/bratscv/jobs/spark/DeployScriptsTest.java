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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bratscv.model.engine.EngineEnvironment;
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

  /**
   * The allocator and oneDNN settings that the wrappers, the image, the pod templates and
   * conf/spark-defaults.conf write out are {@link EngineEnvironment}'s, and SparkSessions gives
   * executors the same.
   */
  @Test
  void everyLaunchPathCarriesTheEngineEnvironment() throws Exception {
    String env =
        run(
            new ProcessBuilder(
                "bash",
                "-c",
                "source \"$1\" >/dev/null; bratscv_defaults; bratscv_djl_env",
                "x",
                DEPLOY.resolve("common.sh").toString()),
            0);
    Map<String, String> executors = EngineEnvironment.forExecutors(true, true);
    for (Map.Entry<String, String> e : executors.entrySet()) {
      assertTrue(env.contains(e.getKey() + "=" + e.getValue() + "\n"), e + " in\n" + env);
    }
    Map<String, String> conf = SparkSessions.executorEnvironment(true);
    executors.forEach((k, v) -> assertEquals(v, conf.get("spark.executorEnv." + k), k));
    String defaults =
        Files.readString(DEPLOY.resolveSibling("conf").resolve("spark-defaults.conf"));
    String docker = Files.readString(DEPLOY.resolve("docker/Dockerfile"));
    for (String yaml :
        new String[] {"k8s/pod-template-executor.yaml", "k8s/pod-template-driver.yaml"}) {
      String pod = Files.readString(DEPLOY.resolve(yaml));
      executors.forEach(
          (k, v) ->
              assertTrue(
                  pod.contains("name: " + k + "\n          value: \"" + v + "\""),
                  yaml + ": " + k));
    }
    executors.forEach(
        (k, v) -> {
          assertTrue(
              defaults.matches(
                  "(?s).*\nspark\\.executorEnv\\."
                      + k
                      + " +"
                      + java.util.regex.Pattern.quote(v)
                      + "\n.*"),
              "spark-defaults.conf: " + k);
          assertTrue(docker.contains(k + "=\"" + v.replace("$", "\\$") + "\""), "Dockerfile: " + k);
        });
    assertTrue(docker.contains("libtcmalloc-minimal4"), "the image installs tcmalloc");
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
