package io.rcimport.exporter.http;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** The HTTPS connector for {@code server.tls}: the only connector then, no plain HTTP beside it. */
final class TlsConnector {
    private TlsConnector() {
    }

    /** The connector over {@code ssl}, which {@link ServerCertificates} keeps in step with the files. */
    static ServerConnector create(Server server, HttpConfiguration http, SslContextFactory.Server ssl, String host, int port) {
        HttpConfiguration https = new HttpConfiguration(http);
        // Our certificate is often self-signed for "localhost"; do not reject requests by SNI host.
        SecureRequestCustomizer src = new SecureRequestCustomizer();
        src.setSniHostCheck(false);
        https.addCustomizer(src);
        ServerConnector connector = new ServerConnector(server,
                new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }
}
