//! Listening: plain HTTP, or HTTPS with rustls when a certificate is
//! configured. `main` and the end-to-end tests serve through [`serve`], so the
//! tests exercise the same listener, handshake and connection info as
//! production.
//!
//! TLS handshakes run in tasks of their own, bounded by a timeout, so a
//! client that opens a connection and stalls cannot hold up other clients'
//! connections; a failed handshake is logged and dropped.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use tokio_rustls::server::TlsStream;

use crate::state::AppState;

/// How long a client may take to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads a PEM certificate chain and private key into a rustls server
/// configuration (TLS 1.2 and 1.3, ring's cipher suites, HTTP/1.1 over ALPN).
pub fn tls_config(cert: &Path, key: &Path) -> anyhow::Result<Arc<ServerConfig>> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("reading the certificate {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("parsing the certificate {}", cert.display()))?;
    anyhow::ensure!(!certs.is_empty(), "{} holds no certificate", cert.display());
    let key =
        PrivateKeyDer::from_pem_file(key).with_context(|| format!("reading the private key {}", key.display()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the certificate and private key do not make a TLS identity")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The TLS configuration the settings name, when a certificate and key are both given.
pub fn tls_config_of(settings: &scout_app::Settings) -> anyhow::Result<Option<Arc<ServerConfig>>> {
    match (&settings.tls_cert, &settings.tls_key) {
        (Some(cert), Some(key)) => tls_config(cert, key).map(Some),
        (None, None) => Ok(None),
        _ => anyhow::bail!("TLS needs both tls_cert and tls_key"),
    }
}

/// A listener whose connections are TLS streams that completed their handshake.
pub struct TlsListener {
    local: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
}

impl TlsListener {
    /// Accepts TCP connections on `tcp` and hands each to a handshake task.
    pub fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> std::io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (tx, ready) = mpsc::channel(256);
        let acceptor = TlsAcceptor::from(config);
        tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(c) => c,
                    Err(e) => {
                        // Out of file descriptors and the like: wait rather than spin.
                        tracing::warn!(error = %e, "accepting a connection");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let handed = tx.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = handed.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
                if tx.is_closed() {
                    break;
                }
            }
        });
        Ok(TlsListener { local, ready })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(conn) => conn,
            // The accept loop only ends when this listener is gone.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// The scheme and address a bound listener answers on.
pub fn base_url(addr: SocketAddr, tls: bool) -> String {
    format!("{}://{addr}", if tls { "https" } else { "http" })
}

/// Serves the router on `tcp` until `shutdown` completes: over TLS when the
/// settings name a certificate, else plain HTTP.
pub async fn serve(
    state: AppState,
    tcp: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let tls = tls_config_of(state.settings())?;
    let limits = state.settings().limits.clone();
    let local = tcp.local_addr()?;
    // The provider sends its events here (over plain HTTP on the loopback
    // for the embedded sandbox; a TLS deployment registers its public URL).
    if tls.is_none() {
        let (app, base) = (state.app.clone(), format!("http://127.0.0.1:{}", local.port()));
        tokio::spawn(async move {
            if let Err(e) = app.connect_payments(&base).await {
                tracing::warn!(error = %e, "payment webhooks are not registered with the provider");
            }
        });
    }
    let app = crate::router(state.bound_to(local, tls.is_some()));
    match tls {
        Some(config) => serve_on(TlsListener::new(tcp, config)?, app, &limits, shutdown).await,
        None => serve_on(tcp, app, &limits, shutdown).await,
    }
    Ok(())
}

/// A connection's slot: given back, and the gauge of open connections set,
/// however the connection's task ends.
struct Closing<F: Fn(&tokio::sync::Semaphore) -> f64> {
    slot: Option<tokio::sync::OwnedSemaphorePermit>,
    slots: Arc<tokio::sync::Semaphore>,
    open: F,
}

impl<F: Fn(&tokio::sync::Semaphore) -> f64> Drop for Closing<F> {
    fn drop(&mut self) {
        drop(self.slot.take());
        metrics::gauge!("scout_http_connections").set((self.open)(&self.slots));
    }
}

/// How long a shutdown waits for open connections (event streams end only
/// when their client goes) before it stops serving them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The connection loop, in place of `axum::serve` for what it cannot bound:
/// at most [`ServerLimits::max_connections`] connections at once (the rest
/// wait in the listen backlog), and a client that does not finish a
/// request's headers within [`ServerLimits::header_timeout_secs`], or whose
/// kept-alive connection sits idle that long, is disconnected. Each request
/// carries the peer address as [`axum::extract::ConnectInfo`], as
/// `into_make_service_with_connect_info` gives it.
pub async fn serve_on<L>(
    mut listener: L,
    app: axum::Router,
    limits: &scout_app::settings::ServerLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) where
    L: axum::serve::Listener<Addr = SocketAddr>,
{
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let max = limits.max_connections.clamp(1, u32::MAX as usize);
    let slots = Arc::new(tokio::sync::Semaphore::new(max));
    let header_timeout = Duration::from_secs(limits.header_timeout_secs.max(1));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot { Ok(s) => s, Err(_) => break },
            () = &mut shutdown => break,
        };
        let (io, peer) = tokio::select! {
            conn = listener.accept() => conn,
            () = &mut shutdown => break,
        };
        let open = move |slots: &tokio::sync::Semaphore| (max - slots.available_permits()) as f64;
        metrics::gauge!("scout_http_connections").set(open(&slots));
        let app = app.clone();
        let mut stop = stop_rx.clone();
        let all = slots.clone();
        tokio::spawn(async move {
            let _open = Closing { slot: Some(slot), slots: all, open };
            let service = hyper::service::service_fn(move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                app.clone().oneshot(req.map(axum::body::Body::new))
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(header_timeout).keep_alive(true);
            let conn = builder.serve_connection(TokioIo::new(io), service).with_upgrades();
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                res = conn.as_mut() => {
                    if let Err(e) = res {
                        tracing::debug!(%peer, error = %e, "connection ended");
                    }
                    return;
                }
                _ = stop.wait_for(|s| *s) => conn.as_mut().graceful_shutdown(),
            }
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, conn).await;
        });
    }
    let _ = stop_tx.send(true);
    // Every connection has ended when every slot is back.
    let _ = tokio::time::timeout(SHUTDOWN_GRACE * 2, slots.acquire_many(max as u32)).await;
}
