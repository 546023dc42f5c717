package io.rcimport.exporter.http;

import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.tls.TlsMaterial;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
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

    static ServerConnector create(Server server, HttpConfiguration http, Config.ServerTls tls, String host, int port) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        try {
            ssl.setKeyStore(TlsMaterial.serverKeyStore(tls.certFile(), tls.keyFile()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("server.tls: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ssl.setKeyStorePassword(new String(TlsMaterial.IN_MEMORY_PASSWORD));
        ssl.setIncludeProtocols("TLSv1.2", "TLSv1.3");
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
