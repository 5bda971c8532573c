package dev.dray.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy in front of a test server, to make "the server went away" happen on demand: {@link
 * #cut()} drops every connection and refuses new ones, {@link #restore()} accepts again on the same
 * port.
 */
public final class TcpProxy implements AutoCloseable {
  private static final Pattern HOST_PORT = Pattern.compile("^jdbc:[a-z]+://([^:/?]+):(\\d+).*$");

  private final String upstreamHost;
  private final int upstreamPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;
  private int port;

  public TcpProxy(String upstreamUrl) throws IOException {
    Matcher m = HOST_PORT.matcher(upstreamUrl);
    if (!m.matches()) {
      throw new IllegalArgumentException("cannot find host:port in " + upstreamUrl);
    }
    this.upstreamHost = m.group(1);
    this.upstreamPort = Integer.parseInt(m.group(2));
    restore();
  }

  public int port() {
    return port;
  }

  /** {@code url} with its host:port replaced by this proxy's. */
  public String rewrite(String url) {
    return url.replaceFirst("//[^:/?]+:\\d+", "//127.0.0.1:" + port);
  }

  public synchronized void restore() throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    port = socket.getLocalPort();
    server = socket;
    Thread acceptor = new Thread(() -> acceptLoop(socket), "test-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptLoop(ServerSocket socket) {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        Socket upstream = new Socket(upstreamHost, upstreamPort);
        sockets.add(client);
        sockets.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16384];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // one side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "test-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  /** Drops every proxied connection and refuses new ones. */
  public synchronized void cut() {
    closeQuietly(server);
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }

  @Override
  public void close() {
    cut();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      if (closeable != null) {
        closeable.close();
      }
    } catch (Exception e) {
      // closing anyway
    }
  }
}
