package org.bratscv.jobs.run;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What this brats-cv was built from and with: its version, the git commit (embedded by the build,
 * "unknown" when built outside a git checkout) and the Spark, DJL and libtorch versions it was
 * compiled against ({@code build.properties}, filled in by Maven).
 */
public record BuildInfo(
    String version, String gitCommit, boolean dirty, String spark, String djl, String libtorch) {

  private static final BuildInfo CURRENT = load();

  public static BuildInfo current() {
    return CURRENT;
  }

  private static BuildInfo load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // an unreadable resource is the same as a missing one: every value "unknown"
    }
    return new BuildInfo(
        value(p, "version"),
        value(p, "git.commit"),
        Boolean.parseBoolean(value(p, "git.dirty")),
        value(p, "spark"),
        value(p, "djl"),
        value(p, "libtorch"));
  }

  /** A property, or "unknown" when missing or left unfilled ({@code ${...}}). */
  private static String value(Properties p, String key) {
    String v = p.getProperty(key);
    return v == null || v.isBlank() || v.startsWith("${") ? "unknown" : v.trim();
  }

  /** "0.1.0-SNAPSHOT (abc1234, modified)": for logs and the report. */
  public String describe() {
    String commit = gitCommit.length() > 12 ? gitCommit.substring(0, 12) : gitCommit;
    return version + " (" + commit + (dirty ? ", uncommitted changes" : "") + ")";
  }
}
