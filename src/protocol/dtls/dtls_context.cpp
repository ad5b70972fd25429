#include "protocol/dtls/dtls_context.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <string>

#include "protocol/dtls/dtls_certificate.hpp"

namespace vela::protocol::dtls {
namespace {

// Called by OpenSSL for each certificate of the peer's chain. The chain's own verdict
// (preverify_ok) is ignored: WebRTC certificates are self-signed and the SDP fingerprint
// is what authenticates the peer, so only the leaf (depth 0) is judged, by that.
int verify_peer_certificate(int /*preverify_ok*/, X509_STORE_CTX* store) {
  if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  const auto* expected = ssl ? static_cast<const std::string*>(SSL_get_app_data(ssl)) : nullptr;
  X509* leaf = X509_STORE_CTX_get_current_cert(store);
  if (expected && leaf && fingerprints_equal(certificate_fingerprint_sha256(leaf), *expected)) {
    X509_STORE_CTX_set_error(store, X509_V_OK);
    return 1;
  }
  X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
  return 0;
}

}  // namespace

SSL_CTX* make_dtls_context(X509* certificate, EVP_PKEY* key) {
  SSL_CTX* ctx = SSL_CTX_new(DTLS_method());
  if (!ctx) return nullptr;
  const bool ok = SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1 &&
                  SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) == 1 &&
                  SSL_CTX_use_certificate(ctx, certificate) == 1 &&
                  SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1 &&
                  // Inverted convention: 0 is success.
                  SSL_CTX_set_tlsext_use_srtp(ctx, kSrtpProfiles) == 0;
  if (!ok) {
    SSL_CTX_free(ctx);
    return nullptr;
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_QUERY_MTU);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     verify_peer_certificate);
  return ctx;
}

}  // namespace vela::protocol::dtls
