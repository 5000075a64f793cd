// A TLS server on SunJSSE for the conformance suite: SSLv3, RC4, single DES, 3DES … which OpenSSL 3,
// GnuTLS 3.7 and Node on Debian 12 cannot serve. SunJSSE still implements them but disables them by
// policy; the caller clears that policy with -Djava.security.properties=<override file>.
//
// Run as a single-file program (no build step):
//   java -Djava.security.properties=FILE LegacyTlsServer.java PORT KEYSTORE.p12 PASSWORD PROTOCOLS SUITES ORDER
//     PORT       0 = chosen by the OS; "LISTENING <port>" is printed on stdout once bound
//     KEYSTORE   PKCS#12 file with one private key + certificate
//     PROTOCOLS  comma-separated, e.g. SSLv3,TLSv1,TLSv1.1,TLSv1.2
//     SUITES     comma-separated JSSE suite names, or "all" for getSupportedCipherSuites()
//     ORDER      "server" (server preference) or "client"
// Listens on 127.0.0.1 only. Each connection: handshake, a tiny HTTP response, close. A failed
// handshake never stops the server (scanners cause many of them).
//
// With "--list" instead of PORT it prints the protocols and suites this JDK supports and exits.

import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

public class LegacyTlsServer {
  private static final int SOCKET_TIMEOUT_MS = 10_000;

  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals("--list")) {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, null, null);
      SSLParameters sup = ctx.getSupportedSSLParameters();
      System.out.println("PROTOCOLS " + String.join(",", sup.getProtocols()));
      for (String s : sup.getCipherSuites()) System.out.println("SUITE " + s);
      return;
    }
    if (args.length != 6) {
      System.err.println("usage: LegacyTlsServer PORT KEYSTORE.p12 PASSWORD PROTOCOLS SUITES|all server|client");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    char[] password = args[2].toCharArray();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(args[1])) {
      ks.load(in, password);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, password);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);

    SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 256);
    server.setEnabledProtocols(args[3].split(","));
    server.setEnabledCipherSuites(args[4].equals("all") ? server.getSupportedCipherSuites() : args[4].split(","));
    SSLParameters params = server.getSSLParameters();
    params.setUseCipherSuitesOrder(args[5].equals("server"));
    server.setSSLParameters(params);
    server.setNeedClientAuth(false);
    server.setWantClientAuth(false);

    System.err.println("protocols: " + String.join(",", server.getEnabledProtocols()));
    System.err.println("suites: " + String.join(",", server.getEnabledCipherSuites()));
    System.out.println("LISTENING " + server.getLocalPort());
    System.out.flush();

    ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      return t;
    });
    for (;;) {
      Socket s;
      try {
        s = server.accept();
      } catch (Exception e) {
        System.err.println("accept: " + e);
        continue;
      }
      pool.execute(() -> serve((SSLSocket) s));
    }
  }

  private static void serve(SSLSocket s) {
    try (s) {
      s.setSoTimeout(SOCKET_TIMEOUT_MS);
      s.startHandshake();
      // Read what the client sent (if anything arrives quickly), then answer.
      try {
        s.setSoTimeout(1000);
        byte[] buf = new byte[4096];
        s.getInputStream().read(buf);
      } catch (Exception ignored) {
        // a scanner that only handshakes: answer anyway
      }
      OutputStream out = s.getOutputStream();
      out.write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (Throwable ignored) {
      // handshake failures are the normal case under a scanner
    }
  }
}
