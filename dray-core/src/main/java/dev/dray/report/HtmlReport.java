package dev.dray.report;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.dray.DrayException;
import dev.dray.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Renders a {@link TimelineSnapshot} as one self-contained HTML file: the charting library (Apache
 * ECharts, from its webjar on the class path), the page's script and styles and the data are all
 * inlined, and a Content-Security-Policy forbids the page any network request, so the file opens
 * offline and shows the same wherever it is mailed to.
 */
public final class HtmlReport {
  private static final String ECHARTS_POM = "META-INF/maven/org.webjars.npm/echarts/pom.properties";
  private static final String RESOURCES = "dev/dray/report/";
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  /** A report file forbids every request; the live page may ask its own server for updates. */
  static final String REPORT_POLICY =
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

  static final String LIVE_POLICY = REPORT_POLICY + "; connect-src 'self'";

  private HtmlReport() {}

  /** Writes the report of {@code snapshot} to {@code file}. */
  public static void write(Path file, TimelineSnapshot snapshot) {
    try {
      Files.writeString(file, render(snapshot), UTF_8);
    } catch (IOException e) {
      throw new DrayException(
          ErrorCode.INTERNAL, "cannot write report " + file + ": " + e.getMessage(), e);
    }
  }

  /** The report page with its data. */
  public static String render(TimelineSnapshot snapshot) {
    return page("report", REPORT_POLICY, toJson(snapshot), "report");
  }

  /** Writes a page of another kind ({@code bench}: {@code bench.html} and {@code bench.js}). */
  static void write(Path file, String kind, Object data) {
    try {
      Files.writeString(file, page(kind, REPORT_POLICY, toJson(data), "report"), UTF_8);
    } catch (IOException e) {
      throw new DrayException(
          ErrorCode.INTERNAL, "cannot write report " + file + ": " + e.getMessage(), e);
    }
  }

  /** The live page: the same charts, refreshed from {@code GET /status}. */
  static String live(TimelineSnapshot snapshot) {
    return page("report", LIVE_POLICY, toJson(snapshot), "live");
  }

  static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new DrayException(ErrorCode.INTERNAL, "cannot render JSON: " + e.getMessage(), e);
    }
  }

  private static String page(String kind, String policy, String json, String mode) {
    String template = resource(RESOURCES + kind + ".html");
    // "</script" inside an inlined script would end the script element early; the data goes in
    // last, so that nothing in it is taken for a placeholder
    return template
        .replace("@@POLICY@@", policy)
        .replace("@@MODE@@", mode)
        .replace("/*@@STYLE@@*/", resource(RESOURCES + "report.css"))
        .replace("/*@@GUARD@@*/", inlineScript(resource(RESOURCES + "guard.js")))
        .replace("/*@@COMMON@@*/", inlineScript(resource(RESOURCES + "common.js")))
        .replace("/*@@APP@@*/", inlineScript(resource(RESOURCES + kind + ".js")))
        .replace("/*@@ECHARTS@@*/", inlineScript(resource(echartsScript())))
        .replace("/*@@DATA@@*/", inlineScript(json));
  }

  /**
   * The script's path in whichever echarts webjar is on the class path (the pom picks the version).
   */
  static String echartsScript() {
    java.util.Properties pom = new java.util.Properties();
    try (java.io.StringReader reader = new java.io.StringReader(resource(ECHARTS_POM))) {
      pom.load(reader);
    } catch (IOException e) {
      throw new DrayException(ErrorCode.INTERNAL, "cannot read " + ECHARTS_POM, e);
    }
    return "META-INF/resources/webjars/echarts/"
        + pom.getProperty("version")
        + "/dist/echarts.min.js";
  }

  private static String inlineScript(String script) {
    return script.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT");
  }

  private static String resource(String name) {
    try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new DrayException(
            ErrorCode.INTERNAL,
            "cannot render the HTML report: "
                + name
                + " is not on the class path (the org.webjars.npm:echarts jar is missing)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DrayException(ErrorCode.INTERNAL, "cannot read " + name + ": " + e.getMessage(), e);
    }
  }
}
