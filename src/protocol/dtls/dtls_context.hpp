#pragma once
// The DTLS 1.2 SSL_CTX shared by every WebRTC session (RFC 5763/5764/8827):
//   - DTLS 1.2 only; no session tickets nor session cache (WebRTC never resumes, and a
//     cache would be state shared across shards);
//   - use_srtp offering/accepting SRTP_AEAD_AES_128_GCM then SRTP_AES128_CM_SHA1_80 (as
//     a server OpenSSL picks by its own order, so GCM wins when the peer offers it);
//   - the peer must present a certificate (the server asks for one and fails without
//     it). Certificates are self-signed, so the chain is not judged: the identity is the
//     SHA-256 fingerprint from the peer's SDP, which the verify callback compares with
//     the leaf certificate. Each SSL made from this context must carry that expected
//     fingerprint as its app data: SSL_set_app_data(ssl, const std::string*), alive as
//     long as the SSL. A mismatch fails the handshake with verify result
//     X509_V_ERR_APPLICATION_VERIFICATION;
//   - no HelloVerifyRequest cookie: DTLS only reaches a transport from the address ICE
//     selected, which the connectivity checks already proved (as browsers do).
// Made once per DtlsCertificate, which owns it; read-only afterwards, shared by every shard.
#include <openssl/types.h>

namespace vela::protocol::dtls {

inline constexpr const char* kSrtpProfiles = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80";

// A new context using certificate and key (both up-referenced by OpenSSL), or nullptr if
// OpenSSL refuses any of it. The caller owns the result (SSL_CTX_free).
SSL_CTX* make_dtls_context(X509* certificate, EVP_PKEY* key);

}  // namespace vela::protocol::dtls
