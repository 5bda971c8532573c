package dev.dray.report;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens a page in headless Chromium (the Debian package {@code chromium}; {@code .ci/run} installs
 * it) and returns the DOM after the scripts ran, with the browser's console log. Network access is
 * off as far as flags can turn it off; the page's own Content-Security-Policy does the rest.
 */
final class HeadlessChromium {
  private static final List<String> CANDIDATES =
      List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");

  /** The DOM after load, and what the browser logged (console messages among it). */
  record Page(String dom, String log) {
    /** A data attribute of the element with this id. */
    String attribute(String id, String name) {
      Matcher element =
          Pattern.compile("<[a-z]+ [^>]*id=\"" + Pattern.quote(id) + "\"[^>]*>").matcher(dom);
      if (!element.find()) {
        throw new AssertionError("no element #" + id + " in the page");
      }
      Matcher value =
          Pattern.compile(" " + Pattern.quote(name) + "=\"([^\"]*)\"").matcher(element.group());
      if (!value.find()) {
        throw new AssertionError("#" + id + " has no " + name + ": " + element.group());
      }
      return value.group(1);
    }

    String bodyAttribute(String name) {
      Matcher body = Pattern.compile("<body[^>]*>").matcher(dom);
      if (!body.find()) {
        throw new AssertionError("no body in the page");
      }
      Matcher value =
          Pattern.compile(" " + Pattern.quote(name) + "=\"([^\"]*)\"").matcher(body.group());
      return value.find() ? value.group(1) : null;
    }

    /** Console lines at level warning or error, and uncaught errors. */
    List<String> consoleProblems() {
      List<String> problems = new ArrayList<>();
      for (String line : log.split("\n")) {
        boolean console = line.contains(":CONSOLE") || line.contains("console");
        boolean bad =
            line.contains("Uncaught")
                || line.contains("Refused")
                || line.contains("Error")
                || line.contains(":ERROR:CONSOLE")
                || line.contains(":WARNING:CONSOLE");
        if (console && bad) {
          problems.add(line);
        }
      }
      return problems;
    }
  }

  static String binary() {
    for (String candidate : CANDIDATES) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return null;
  }

  static void assumeInstalled() {
    assumeTrue(
        binary() != null,
        "headless Chromium is not installed (apt-get install -y chromium chromium-driver)");
  }

  private static List<String> command(Path profile) {
    return new ArrayList<>(
        List.of(
            binary(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--user-data-dir=" + profile,
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000"));
  }

  /** Loads {@code url} and dumps its DOM. */
  static Page dumpDom(String url) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("dray-chromium");
    List<String> command = command(profile);
    command.add("--dump-dom");
    command.add(url);
    Path out = Files.createTempFile("dray-dom", ".html");
    Path err = Files.createTempFile("dray-chromium", ".log");
    run(command, out, err);
    return new Page(
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** Loads {@code url} and saves a screenshot of a 1400×1000 window. */
  static void screenshot(String url, Path png) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("dray-chromium");
    List<String> command = command(profile);
    command.add("--hide-scrollbars");
    command.add("--window-size=1400,1000");
    command.add("--screenshot=" + png.toAbsolutePath());
    command.add(url);
    run(
        command,
        Files.createTempFile("dray-shot", ".out"),
        Files.createTempFile("dray-shot", ".log"));
  }

  private static void run(List<String> command, Path out, Path err)
      throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("chromium did not finish within 90 s: " + command);
    }
  }
}
