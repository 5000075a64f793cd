// Opens one TLS connection with the JDK's default client settings and SNI, for
// scripts/capture-client-hellos.mjs (which reads the ClientHello and hangs up). With a fourth
// argument "--print" (the simulation tests' cross-check) it trusts any certificate and prints the
// negotiated protocol and suite (the trust manager does not change the hello).
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.security.cert.X509Certificate;
import java.util.List;

public class JavaHello {
  public static void main(String[] args) throws Exception {
    boolean print = args.length > 3 && args[3].equals("--print");
    SSLSocketFactory factory = (SSLSocketFactory) SSLSocketFactory.getDefault();
    if (print) {
      TrustManager any = new X509TrustManager() {
        public void checkClientTrusted(X509Certificate[] c, String a) {}
        public void checkServerTrusted(X509Certificate[] c, String a) {}
        public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
      };
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] { any }, null);
      factory = ctx.getSocketFactory();
    }
    SSLSocket s = (SSLSocket) factory.createSocket(args[0], Integer.parseInt(args[1]));
    SSLParameters p = s.getSSLParameters();
    p.setServerNames(List.of(new SNIHostName(args[2])));
    s.setSSLParameters(p);
    s.setSoTimeout(5000);
    try {
      s.startHandshake();
      if (print) System.out.println("JAVA " + s.getSession().getProtocol() + " " + s.getSession().getCipherSuite());
    } catch (Exception e) {
      if (print) System.out.println("JAVA-FAILED " + e);
      // The capture listener hangs up after the hello: a failed handshake is expected.
    }
    s.close();
  }
}
