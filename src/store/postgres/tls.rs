//! TLS to a PostgreSQL server over the build's one rustls (aws-lc-rs), with
//! libpq's meanings of how far to trust the server's certificate.

use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::target::{RootCert, SslMode};

/// How far the server's certificate is trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Trust {
    /// Any certificate (the session is encrypted, not authenticated).
    Any,
    /// A certificate whose chain reaches one of the roots; any name.
    Chain,
    /// A chain that reaches the roots, for the host connected to.
    ChainAndName,
}

impl Trust {
    /// libpq's rule: only the verify modes check, except that `require` with
    /// a root certificate file checks the chain as `verify-ca` does.
    pub(crate) fn of(mode: SslMode, root: Option<&RootCert>) -> Trust {
        match mode {
            SslMode::VerifyFull => Trust::ChainAndName,
            SslMode::VerifyCa => Trust::Chain,
            SslMode::Require if root.is_some() => Trust::Chain,
            _ => Trust::Any,
        }
    }
}

/// Makes TLS sessions for tokio-postgres with one client configuration.
#[derive(Clone)]
pub(crate) struct PgTls {
    config: Arc<ClientConfig>,
}

impl PgTls {
    /// A connector trusting as `trust` says, against `root` (the system's
    /// roots when none is given). Errors are one line.
    pub(crate) fn new(trust: Trust, root: Option<&RootCert>) -> Result<PgTls, String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let roots = match trust {
            Trust::Any => None,
            Trust::Chain | Trust::ChainAndName => Some(Arc::new(load_roots(root)?)),
        };
        let verifier = Verifier {
            roots,
            check_name: trust == Trust::ChainAndName,
            algs: provider.signature_verification_algorithms,
        };
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS set-up failed: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        // What libpq offers; servers that know ALPN expect this name.
        config.alpn_protocols = vec![b"postgresql".to_vec()];
        Ok(PgTls { config: Arc::new(config) })
    }
}

fn load_roots(root: Option<&RootCert>) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    match root {
        Some(RootCert::File(path)) => {
            let certs = read_pem(path)?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(format!("the root certificate file {} holds no usable certificate", shown(path)));
            }
        }
        Some(RootCert::System) | None => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                return Err("no system root certificates found; name a CA file with sslrootcert".to_owned());
            }
        }
    }
    Ok(store)
}

fn read_pem(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let cannot =
        |e: &dyn std::fmt::Display| format!("cannot read the root certificate file {}: {e}", shown(path));
    let text = std::fs::read(path).map_err(|e| cannot(&e))?;
    CertificateDer::pem_slice_iter(&text).collect::<Result<Vec<_>, _>>().map_err(|e| cannot(&e))
}

fn shown(path: &Path) -> String {
    crate::domain::text::sanitize_line(&path.display().to_string()).into_owned()
}

/// Checks what `Trust` asks for; the handshake's signatures always.
#[derive(Debug)]
struct Verifier {
    roots: Option<Arc<RootCertStore>>,
    check_name: bool,
    algs: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(roots) = &self.roots else { return Ok(ServerCertVerified::assertion()) };
        let cert = ParsedCertificate::try_from(end_entity)?;
        verify_server_cert_signed_by_trust_anchor(&cert, roots, intermediates, now, self.algs.all)?;
        if self.check_name {
            verify_server_name(&cert, server_name)?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}

impl<S> MakeTlsConnect<S> for PgTls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = PgTlsStream<S>;
    type TlsConnect = PgTlsConnect;
    type Error = std::convert::Infallible;

    // tokio-postgres asks for a connector even when it will not use TLS (a
    // Unix socket has no name), so a bad name fails only the handshake.
    fn make_tls_connect(&mut self, domain: &str) -> Result<PgTlsConnect, Self::Error> {
        let name = ServerName::try_from(domain.to_owned()).ok();
        Ok(PgTlsConnect { config: self.config.clone(), name })
    }
}

/// One TLS handshake to a named server.
pub(crate) struct PgTlsConnect {
    config: Arc<ClientConfig>,
    name: Option<ServerName<'static>>,
}

impl<S> TlsConnect<S> for PgTlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = PgTlsStream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<PgTlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        let connector = tokio_rustls::TlsConnector::from(self.config);
        Box::pin(async move {
            let name = self.name.ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "the host is not a name TLS can check")
            })?;
            connector.connect(name, stream).await.map(PgTlsStream)
        })
    }
}

/// A TLS session with the server.
pub(crate) struct PgTlsStream<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for PgTlsStream<S> {
    // SCRAM binds the password exchange to this session when the server
    // offers it, so a man in the middle cannot relay it (as libpq does).
    fn channel_binding(&self) -> ChannelBinding {
        let certificate = self.0.get_ref().1.peer_certificates().and_then(|chain| chain.first());
        match certificate.and_then(|c| server_end_point(c.as_ref())) {
            Some(hash) => ChannelBinding::tls_server_end_point(hash),
            None => ChannelBinding::none(),
        }
    }
}

/// RFC 5929's `tls-server-end-point`: the server certificate hashed with its
/// signature's hash (SHA-256 for MD5 and SHA-1). `None` for signatures
/// whose hash this cannot tell (then SCRAM runs unbound).
pub(crate) fn server_end_point(certificate: &[u8]) -> Option<Vec<u8>> {
    use rustls::crypto::hash::HashAlgorithm as H;
    const RSA: [u8; 8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01];
    const ECDSA: [u8; 6] = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04];
    let oid = signature_oid(certificate)?;
    let hash = match oid {
        [rsa @ .., last] if *rsa == RSA => match last {
            0x04 | 0x05 | 0x0b => H::SHA256,
            0x0c => H::SHA384,
            _ => return None,
        },
        [ecdsa @ .., 0x01] if *ecdsa == ECDSA => H::SHA256,
        [ecdsa @ .., 0x03, last] if *ecdsa == ECDSA => match last {
            0x02 => H::SHA256,
            0x03 => H::SHA384,
            _ => return None,
        },
        _ => return None,
    };
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    let hasher = provider
        .cipher_suites
        .iter()
        .filter_map(|suite| suite.tls13())
        .map(|suite| suite.common.hash_provider)
        .find(|hasher| hasher.algorithm() == hash)?;
    Some(hasher.hash(certificate).as_ref().to_vec())
}

/// The OID of a DER certificate's `signatureAlgorithm`.
fn signature_oid(certificate: &[u8]) -> Option<&[u8]> {
    let (0x30, body, _) = der(certificate)? else { return None };
    let (_tbs, _, after_tbs) = der(body)?;
    let (0x30, algorithm, _) = der(after_tbs)? else { return None };
    let (0x06, oid, _) = der(algorithm)? else { return None };
    Some(oid)
}

/// One DER element: its tag, its contents and what follows it.
fn der(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let len = rest[..count].iter().fold(0usize, |len, &b| (len << 8) | usize::from(b));
        (len, &rest[count..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for PgTlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for PgTlsStream<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// The TLS failure behind a connection error, in words for people.
pub(crate) fn describe(err: &rustls::Error, mode: SslMode, host: &str) -> String {
    use rustls::CertificateError as C;
    let rustls::Error::InvalidCertificate(cert) = err else { return format!("TLS handshake failed: {err}") };
    let mode = mode.as_str();
    match cert {
        C::UnknownIssuer | C::BadSignature | C::UnhandledCriticalExtension => {
            format!("the server's certificate is not signed by a trusted CA (sslmode={mode})")
        }
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            format!("the server's certificate does not name {host} (sslmode={mode})")
        }
        C::Expired | C::ExpiredContext { .. } => {
            format!("the server's certificate has expired (sslmode={mode})")
        }
        C::NotValidYet | C::NotValidYetContext { .. } => {
            format!("the server's certificate is not valid yet (sslmode={mode})")
        }
        C::Revoked => format!("the server's certificate is revoked (sslmode={mode})"),
        other => format!("the server's certificate was refused: {other:?} (sslmode={mode})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_verify_modes_and_require_with_a_root_check_the_certificate() {
        let file = RootCert::File("/ca.pem".into());
        let cases = [
            (SslMode::Disable, None, Trust::Any),
            (SslMode::Allow, None, Trust::Any),
            (SslMode::Prefer, None, Trust::Any),
            (SslMode::Prefer, Some(&file), Trust::Any),
            (SslMode::Require, None, Trust::Any),
            (SslMode::Require, Some(&file), Trust::Chain),
            (SslMode::Require, Some(&RootCert::System), Trust::Chain),
            (SslMode::VerifyCa, None, Trust::Chain),
            (SslMode::VerifyCa, Some(&file), Trust::Chain),
            (SslMode::VerifyFull, None, Trust::ChainAndName),
            (SslMode::VerifyFull, Some(&file), Trust::ChainAndName),
        ];
        for (mode, root, trust) in cases {
            assert_eq!(Trust::of(mode, root), trust, "{mode:?} with {root:?}");
        }
    }

    #[test]
    fn a_missing_or_empty_root_file_is_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let missing = RootCert::File(dir.path().join("nope.pem"));
        let err = PgTls::new(Trust::Chain, Some(&missing)).err().expect("refused");
        assert!(err.contains("nope.pem") && !err.contains('\n'), "{err}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no certificates here\n").unwrap();
        let err = PgTls::new(Trust::Chain, Some(&RootCert::File(empty))).err().expect("refused");
        assert!(err.contains("empty.pem") && err.contains("no usable certificate"), "{err}");
        // Trusting anything reads no file.
        assert!(PgTls::new(Trust::Any, Some(&missing)).is_ok());
    }

    /// A certificate's outline: an empty to-be-signed part, then the
    /// signature algorithm `oid`, then an empty signature.
    fn outline(oid: &[u8]) -> Vec<u8> {
        let mut algorithm = vec![0x06, oid.len() as u8];
        algorithm.extend(oid);
        let mut body = vec![0x30, 0x00, 0x30, algorithm.len() as u8];
        body.extend(algorithm);
        body.extend([0x03, 0x01, 0x00]);
        let mut cert = vec![0x30, body.len() as u8];
        cert.extend(body);
        cert
    }

    #[test]
    fn the_end_point_hash_follows_the_signature_hash() {
        let ecdsa_sha256 = outline(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
        assert_eq!(server_end_point(&ecdsa_sha256).map(|h| h.len()), Some(32));
        let rsa_sha384 = outline(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c]);
        assert_eq!(server_end_point(&rsa_sha384).map(|h| h.len()), Some(48));
        // SHA-1 signatures bind with SHA-256, as RFC 5929 says.
        let rsa_sha1 = outline(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05]);
        assert_eq!(server_end_point(&rsa_sha1).map(|h| h.len()), Some(32));
        // Ed25519 (1.3.101.112) has no hash to follow; garbage is no binding.
        assert_eq!(server_end_point(&outline(&[0x2b, 0x65, 0x70])), None);
        assert_eq!(server_end_point(&[0x30, 0x05, 0x01]), None);
        assert_eq!(server_end_point(&[]), None);
    }

    #[test]
    fn certificate_failures_read_as_sentences() {
        let unknown = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let text = describe(&unknown, SslMode::VerifyCa, "db");
        assert_eq!(text, "the server's certificate is not signed by a trusted CA (sslmode=verify-ca)");
        let name = rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName);
        assert!(describe(&name, SslMode::VerifyFull, "127.0.0.1").contains("does not name 127.0.0.1"));
    }
}
