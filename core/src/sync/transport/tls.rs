//! The rustls client configuration of the transport: `ring` crypto, the platform's verifier.
//!
//! `ring` rather than rustls' default aws-lc-rs because aws-lc-rs adds a heavy C/CMake build to
//! every mobile target (DESIGN.md, Dependencies). The provider is handed to each config
//! (`builder_with_provider`) instead of being installed process-wide, so nothing here depends
//! on, or disturbs, global state another library in the app may set.

use std::sync::Arc;

#[cfg(any(target_os = "android", test))]
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use crate::sync::SyncError;

/// The config for a transport. `https` tells whether TLS will be used at all: a plain-HTTP
/// loopback transport (dev server, tests) must not fail because the machine has no system
/// root certificates.
pub(super) fn client_config(
    extra_roots: &[Vec<u8>],
    https: bool,
) -> Result<rustls::ClientConfig, SyncError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = parse_roots(extra_roots)?;
    let verifier: Arc<dyn ServerCertVerifier> =
        match platform_verifier(roots, Arc::clone(&provider)) {
            Ok(verifier) => verifier,
            Err(e) if https => {
                return Err(SyncError::Tls {
                    detail: format!("cannot load the trusted certificates: {e}"),
                });
            }
            // Never used: a plain-HTTP transport does not follow redirects, so no TLS
            // handshake can happen. Rejecting everything keeps that true if it ever did.
            Err(_) => Arc::new(TrustNothing(Arc::clone(&provider))),
        };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SyncError::Tls {
            detail: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    // reqwest sets ALPN only on configs it builds itself; a preconfigured one must ask for
    // HTTP/2 explicitly (one multiplexed connection is cheaper on 3G than several).
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Certificates from PEM (one or more `CERTIFICATE` blocks per entry) or raw DER.
fn parse_roots(entries: &[Vec<u8>]) -> Result<Vec<CertificateDer<'static>>, SyncError> {
    let mut roots = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let bad = |what: String| SyncError::Tls {
            detail: format!("extra root certificate #{i}: {what}"),
        };
        if entry.windows(11).any(|w| w == b"-----BEGIN ") {
            let before = roots.len();
            for cert in CertificateDer::pem_slice_iter(entry) {
                roots.push(cert.map_err(|e| bad(e.to_string()))?);
            }
            if roots.len() == before {
                return Err(bad("no CERTIFICATE block in the PEM".into()));
            }
        } else if entry.is_empty() {
            return Err(bad("empty".into()));
        } else {
            roots.push(CertificateDer::from(entry.clone()));
        }
    }
    Ok(roots)
}

/// The platform's verifier (Android's TrustManager, Apple's Security framework, WebPKI with
/// the system roots elsewhere) that also trusts `extra_roots`.
#[cfg(not(target_os = "android"))]
fn platform_verifier(
    extra_roots: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, rustls::Error> {
    Ok(Arc::new(
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra_roots, provider)?,
    ))
}

/// Android: rustls-platform-verifier 0.6 has no extra-roots constructor there, so extra roots
/// are checked by WebPKI when the system's verifier rejects a chain.
#[cfg(target_os = "android")]
fn platform_verifier(
    extra_roots: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, rustls::Error> {
    let platform: Arc<dyn ServerCertVerifier> = Arc::new(rustls_platform_verifier::Verifier::new(
        Arc::clone(&provider),
    )?);
    if extra_roots.is_empty() {
        return Ok(platform);
    }
    Ok(Arc::new(PlatformOrExtraRoots::new(
        platform,
        extra_roots,
        provider,
    )?))
}

/// Accepts a chain the platform accepts, or one that chains to an extra root.
#[cfg(any(target_os = "android", test))]
#[derive(Debug)]
struct PlatformOrExtraRoots {
    platform: Arc<dyn ServerCertVerifier>,
    extra: Arc<WebPkiServerVerifier>,
}

#[cfg(any(target_os = "android", test))]
impl PlatformOrExtraRoots {
    fn new(
        platform: Arc<dyn ServerCertVerifier>,
        extra_roots: Vec<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
    ) -> Result<Self, rustls::Error> {
        let mut store = rustls::RootCertStore::empty();
        for root in extra_roots {
            store.add(root)?;
        }
        let extra = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
            .build()
            .map_err(|e| rustls::Error::General(e.to_string()))?;
        Ok(PlatformOrExtraRoots { platform, extra })
    }
}

#[cfg(any(target_os = "android", test))]
impl ServerCertVerifier for PlatformOrExtraRoots {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.platform.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(ok) => Ok(ok),
            // The platform's reason is the one worth reporting when both refuse.
            Err(platform_error) => self
                .extra
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
                .map_err(|_| platform_error),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.extra.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.extra.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.extra.supported_verify_schemes()
    }
}

/// Refuses every certificate (see [`client_config`]).
#[derive(Debug)]
struct TrustNothing(Arc<CryptoProvider>);

impl ServerCertVerifier for TrustNothing {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Err(rustls::Error::InvalidCertificate(
            CertificateError::UnknownIssuer,
        ))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The rustls error somewhere in `err`'s source chain, if any: a certificate the verifier
/// refused, a failed handshake. `io::Error` hides its payload from `source()` (it returns the
/// payload's source), so each `io::Error` is opened explicitly.
pub(super) fn find_rustls_error<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    let mut current = Some(err);
    // Bounded, in case a pathological error type's chain loops.
    for _ in 0..32 {
        let e = current?;
        if let Some(found) = e.downcast_ref::<rustls::Error>() {
            return Some(found);
        }
        if let Some(payload) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            let payload: &(dyn std::error::Error + 'static) = payload;
            if let Some(found) = find_rustls_error(payload) {
                return Some(found);
            }
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};

    struct Ca {
        issuer: CertifiedIssuer<'static, KeyPair>,
    }

    fn ca(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        Ca { issuer }
    }

    fn leaf(ca: &Ca) -> CertificateDer<'static> {
        let params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        let key = KeyPair::generate().unwrap();
        params.signed_by(&key, &ca.issuer).unwrap().der().clone()
    }

    fn webpki(ca: &Ca) -> Arc<dyn ServerCertVerifier> {
        let mut store = rustls::RootCertStore::empty();
        store.add(ca.issuer.der().clone()).unwrap();
        WebPkiServerVerifier::builder_with_provider(
            Arc::new(store),
            Arc::new(rustls::crypto::ring::default_provider()),
        )
        .build()
        .unwrap()
    }

    #[test]
    fn extra_roots_are_trusted_beside_the_platform() {
        let (system, extra, stranger) = (ca("system"), ca("extra"), ca("stranger"));
        let verifier = PlatformOrExtraRoots::new(
            webpki(&system),
            vec![extra.issuer.der().clone()],
            Arc::new(rustls::crypto::ring::default_provider()),
        )
        .unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        let check = |cert: CertificateDer<'static>| {
            verifier.verify_server_cert(&cert, &[], &name, &[], UnixTime::now())
        };
        assert!(check(leaf(&system)).is_ok());
        assert!(check(leaf(&extra)).is_ok());
        assert!(matches!(
            check(leaf(&stranger)),
            Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer
            ))
        ));
    }

    #[test]
    fn roots_parse_from_pem_or_der_and_garbage_is_an_error() {
        let a = ca("a");
        let pem = a.issuer.pem().into_bytes();
        let mut two = pem.clone();
        two.extend_from_slice(&pem);
        assert_eq!(parse_roots(std::slice::from_ref(&pem)).unwrap().len(), 1);
        assert_eq!(parse_roots(&[two]).unwrap().len(), 2);
        assert_eq!(parse_roots(&[a.issuer.der().to_vec()]).unwrap().len(), 1);
        assert!(matches!(
            parse_roots(&[b"-----BEGIN NONSENSE-----\n".to_vec()]),
            Err(SyncError::Tls { .. })
        ));
        assert!(parse_roots(&[Vec::new()]).is_err());
    }

    #[test]
    fn rustls_errors_are_found_inside_io_errors() {
        let tls = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, tls);
        let outer = std::io::Error::other(io);
        assert!(find_rustls_error(&outer).is_some());
        let plain = std::io::Error::other("nope");
        assert!(find_rustls_error(&plain).is_none());
    }
}
