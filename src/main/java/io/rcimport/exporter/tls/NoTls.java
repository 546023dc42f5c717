package io.rcimport.exporter.tls;

import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An SSL context for an HTTP client that only ever talks plain {@code http://}: every use
 * throws. {@link java.net.http.HttpClient} wants a context even then, and the JDK's default
 * one loads the whole TLS stack and the CA certificates (about 1,100 classes) at startup, for
 * agents whose targets are all plain HTTP. Given to a client with explicit
 * {@link #parameters()}, so that building the client does not ask the context for defaults.
 * An {@code https://} request on such a client fails (an {@code IOException}); it never falls
 * back to anything.
 */
public final class NoTls {
    private NoTls() {
    }

    /** The context that refuses all TLS. */
    public static SSLContext context() {
        return new Context();
    }

    /** Empty parameters: the client would otherwise ask the context for its defaults. */
    public static SSLParameters parameters() {
        return new SSLParameters();
    }

    private static final class Context extends SSLContext {
        Context() {
            super(new Refusing(), null, "none");
        }
    }

    private static final class Refusing extends SSLContextSpi {
        private static IllegalStateException refused() {
            return new IllegalStateException("no TLS on the plain-HTTP client");
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
            throw refused();
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            throw refused();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            throw refused();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            throw refused();
        }
    }
}
