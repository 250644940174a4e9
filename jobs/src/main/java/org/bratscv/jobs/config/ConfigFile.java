package org.bratscv.jobs.config;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where a configuration file lives: a file on any Hadoop file system ({@code file:}, {@code hdfs:},
 * {@code s3a:}; a path without a scheme is a local file), or one of the paper's files bundled in
 * the jar under {@code conf/}. An {@code include:} (or a sweep's {@code base:}) is looked for next
 * to the including file, on its file system, and then among the bundled files, so a copy of {@code
 * conf/brats2020-cv.yaml} works wherever it is put.
 *
 * @param location a URI with a scheme, or for a bundled file its resource name ({@code
 *     conf/x.yaml})
 * @param bundled whether the file is a class-path resource of brats-cv
 */
public record ConfigFile(String location, boolean bundled) {
  /** The resource folder that holds the bundled configurations (the repository's conf/). */
  public static final String BUNDLED_FOLDER = "conf/";

  /** A {@code --config} argument: a URI with a scheme, or a local path. */
  public static ConfigFile of(String arg) {
    if (arg == null || arg.isBlank()) {
      throw new ConfigException("no configuration file given");
    }
    if (hasScheme(arg)) {
      return new ConfigFile(arg, false);
    }
    return of(java.nio.file.Path.of(arg));
  }

  public static ConfigFile of(java.nio.file.Path file) {
    // unescaped, as Hadoop's Path reads it (a URI's %20 would be taken literally)
    return new ConfigFile("file:" + file.toAbsolutePath().normalize(), false);
  }

  /** The bundled file {@code conf/<name>}. */
  public static ConfigFile bundled(String name) {
    return new ConfigFile(BUNDLED_FOLDER + new Path(name).getName(), true);
  }

  private static boolean hasScheme(String s) {
    // two letters at least, so a Windows drive letter is never taken for a scheme
    return s.matches("[A-Za-z][A-Za-z0-9+.-]+:.*");
  }

  /** The file's text; a missing or unreadable file is a {@link ConfigException} naming it. */
  public String read(Configuration hadoop) {
    if (bundled) {
      try (InputStream in = ConfigFile.class.getClassLoader().getResourceAsStream(location)) {
        if (in == null) {
          throw new ConfigException(
              "cannot read configuration " + this + ": not among the bundled configurations");
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new ConfigException("cannot read configuration " + this + ": " + e.getMessage(), e);
      }
    }
    Path p = new Path(location);
    try {
      FileSystem fs = p.getFileSystem(hadoop);
      try (InputStream in = fs.open(p)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (FileNotFoundException e) {
      throw new ConfigException("cannot read configuration " + location + ": no such file", e);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("cannot read configuration " + location + ": " + e.getMessage(), e);
    }
  }

  boolean exists(Configuration hadoop) {
    if (bundled) {
      return ConfigFile.class.getClassLoader().getResource(location) != null;
    }
    Path p = new Path(location);
    try {
      return p.getFileSystem(hadoop).exists(p);
    } catch (IOException | RuntimeException e) {
      return false; // the read that follows names the problem
    }
  }

  /**
   * The file {@code name} refers to from this one: next to it (on its file system), else the
   * bundled file of that name, else (for the error message) the file next to this one.
   */
  public ConfigFile resolve(String name, Configuration hadoop) {
    if (bundled) {
      return bundled(name);
    }
    ConfigFile near =
        hasScheme(name)
            ? new ConfigFile(name, false)
            : new ConfigFile(new Path(new Path(location).getParent(), name).toString(), false);
    if (near.exists(hadoop)) {
      return near;
    }
    ConfigFile inJar = bundled(name);
    return inJar.exists(hadoop) ? inJar : near;
  }

  @Override
  public String toString() {
    return bundled ? location + " (bundled in brats-cv)" : location;
  }
}
