package org.bratscv.jobs.run;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.bratscv.jobs.io.Csv;
import org.bratscv.jobs.io.OutputRoot;

/**
 * The schema of one table of the run folder: its CSV columns in order, how a row becomes a record
 * and how a record read back becomes a row again. Stages write through it (CSV, and Parquet beside
 * it where Spark reads the table), and the sweep, the report, {@code segment} and the tests read
 * through it, by column name, so a table has one definition.
 *
 * @param <R> the row type
 */
public final class Table<R> implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A column: its CSV name and how a row shows its value. */
  public record Column<R>(String name, SerializableFunction<R, String> value)
      implements Serializable {}

  /** A function that travels with the table into Spark tasks. */
  public interface SerializableFunction<T, U> extends Function<T, U>, Serializable {}

  private final String what;
  private final List<Column<R>> columns;
  private final SerializableFunction<Record, R> reader;
  private final Class<R> bean;
  private final List<String> parquetColumns;

  private Table(
      String what,
      List<Column<R>> columns,
      SerializableFunction<Record, R> reader,
      Class<R> bean,
      List<String> parquetColumns) {
    this.what = what;
    this.columns = List.copyOf(columns);
    this.reader = reader;
    this.bean = bean;
    this.parquetColumns = parquetColumns;
  }

  /** Starts a table named {@code what} (e.g. "models manifest") for error messages. */
  public static <R> Builder<R> builder(String what) {
    return new Builder<>(what);
  }

  /** Builds a {@link Table}. */
  public static final class Builder<R> {
    private final String what;
    private final List<Column<R>> columns = new ArrayList<>();
    private SerializableFunction<Record, R> reader;
    private Class<R> bean;
    private List<String> parquetColumns;

    private Builder(String what) {
      this.what = what;
    }

    /** Adds the next column. */
    public Builder<R> column(String name, SerializableFunction<R, String> value) {
      columns.add(new Column<>(name, value));
      return this;
    }

    /** How a record read back becomes a row (tables never read back need none). */
    public Builder<R> optReader(SerializableFunction<Record, R> reader) {
      this.reader = reader;
      return this;
    }

    /**
     * The JavaBean the table's Parquet twin is written with, and its properties in column order.
     */
    public Builder<R> optParquet(Class<R> bean, String... properties) {
      this.bean = bean;
      this.parquetColumns = List.of(properties);
      return this;
    }

    public Table<R> build() {
      return new Table<>(what, columns, reader, bean, parquetColumns);
    }
  }

  public String[] header() {
    return columns.stream().map(Column::name).toArray(String[]::new);
  }

  public String[] values(R row) {
    String[] v = new String[columns.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = columns.get(i).value().apply(row);
    }
    return v;
  }

  /** The rows as CSV bytes. */
  public byte[] csv(List<R> rows) {
    List<String[]> records = new ArrayList<>(rows.size());
    rows.forEach(r -> records.add(values(r)));
    return Csv.table(header(), records);
  }

  /** Writes the rows as CSV to {@code file}, atomically. */
  public void writeCsv(FileSystem fs, Path file, List<R> rows) throws IOException {
    byte[] bytes = csv(rows);
    OutputRoot.writeAtomically(fs, file, o -> o.write(bytes));
  }

  /**
   * Writes the rows twice: as Parquet (one file, through Spark, for the stages and SQL users) and
   * as CSV (for people, pandas and the report), the CSV atomically.
   */
  public void write(SparkSession spark, FileSystem fs, Path parquet, Path csv, List<R> rows)
      throws IOException {
    if (bean == null) {
      throw new IllegalStateException(what + " has no Parquet form");
    }
    var frame = spark.createDataFrame(rows, bean);
    frame
        .select(
            parquetColumns.get(0),
            parquetColumns.subList(1, parquetColumns.size()).toArray(String[]::new))
        .coalesce(1)
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(parquet.toString());
    writeCsv(fs, csv, rows);
  }

  /** The rows of a CSV file this table wrote, read by column name. */
  public List<R> read(FileSystem fs, Path file) throws IOException {
    if (!fs.exists(file)) {
      throw new FileNotFoundException(file + " does not exist");
    }
    String text;
    try (InputStream in = fs.open(file)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    return parse(text, file.toString());
  }

  /** The rows of CSV {@code text}; {@code source} names it in errors. */
  public List<R> parse(String text, String source) throws IOException {
    if (reader == null) {
      throw new IllegalStateException(what + " is never read back");
    }
    List<String[]> records;
    try {
      records = Csv.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IOException(source + ": " + e.getMessage(), e);
    }
    if (records.isEmpty()) {
      throw new IOException(source + " is empty: not a " + what + " (no header)");
    }
    Map<String, Integer> index = new HashMap<>();
    String[] header = records.get(0);
    for (int i = 0; i < header.length; i++) {
      index.put(header[i].trim(), i);
    }
    List<R> rows = new ArrayList<>(records.size() - 1);
    for (int i = 1; i < records.size(); i++) {
      Record r = new Record(source, what, i + 1, index, records.get(i));
      try {
        rows.add(reader.apply(r));
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
    return rows;
  }

  /** One record of a table, read by column name; problems name the file and the record. */
  public record Record(
      String source, String what, int line, Map<String, Integer> columns, String[] values) {
    public boolean has(String column) {
      return columns.containsKey(column);
    }

    public String text(String column) {
      Integer i = columns.get(column);
      if (i == null) {
        throw problem("no column '" + column + "' in the header: not a " + what);
      }
      if (i >= values.length) {
        throw problem("record " + line + ": " + values.length + " fields, no '" + column + "'");
      }
      return values[i];
    }

    /** The text of {@code column}, or {@code fallback} when a table of an older run lacks it. */
    public String text(String column, String fallback) {
      return has(column) ? text(column) : fallback;
    }

    /** The number in {@code column}; NaN for "NaN" or an empty field. */
    public double number(String column) {
      String v = text(column).trim();
      if (v.isEmpty()) {
        return Double.NaN;
      }
      try {
        return Double.parseDouble(v);
      } catch (NumberFormatException e) {
        throw problem("record " + line + ": " + column + " '" + v + "' is not a number");
      }
    }

    /** The number in {@code column}, or null for "NaN" or an empty field. */
    public Double numberOrNull(String column) {
      double v = number(column);
      return Double.isNaN(v) ? null : v;
    }

    public int integer(String column) {
      String v = text(column).trim();
      try {
        return Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw problem("record " + line + ": " + column + " '" + v + "' is not an integer");
      }
    }

    public boolean bool(String column) {
      return Boolean.parseBoolean(text(column).trim());
    }

    private UncheckedIOException problem(String message) {
      return new UncheckedIOException(new IOException(source + ": " + message));
    }
  }
}
