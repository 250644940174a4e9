package org.bratscv.data.cases;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@link CaseStore} over the local file system; paths are absolute, normalised strings. */
public final class LocalCaseStore implements CaseStore {
  @Override
  public List<Entry> list(String path) throws IOException {
    List<Entry> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of(path))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        out.add(new Entry(p.getFileName().toString(), p.toString(), Files.isDirectory(p)));
      }
    }
    return out;
  }

  @Override
  public boolean isDirectory(String path) {
    return Files.isDirectory(Path.of(path));
  }

  @Override
  public boolean isFile(String path) {
    return Files.isRegularFile(Path.of(path));
  }

  @Override
  public InputStream open(String path) throws IOException {
    return Files.newInputStream(Path.of(path));
  }
}
