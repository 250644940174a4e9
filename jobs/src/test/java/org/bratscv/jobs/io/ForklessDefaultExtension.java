package org.bratscv.jobs.io;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes {@link ForklessLocalFileSystem} the {@code file:} file system of every test class's plain
 * {@code new Configuration()}, as the command line does for every brats-cv JVM ({@link
 * ForklessLocalFileSystem#installDefault}). Without it a test that writes files through a plain
 * configuration forks {@code chmod} per file: on a VM where forking the test JVM is slow, the two
 * 300-replacement tests of {@code OutputRootTest} took 38 and 27 s of a 16-minute CI run, most of
 * it system time. Registered for the whole module through {@code META-INF/services} and {@code
 * junit.jupiter.extensions.autodetection.enabled}; whether the command line itself installs it is
 * checked in a fresh JVM ({@code ForklessLocalFileSystemTest}).
 */
public final class ForklessDefaultExtension implements BeforeAllCallback {
  @Override
  public void beforeAll(ExtensionContext context) {
    ForklessLocalFileSystem.installDefault();
  }
}
