#pragma once
// The local DTLS identity of every WebRTC session: an ECDSA P-256 key and a self-signed
// certificate made once at start, whose SHA-256 fingerprint goes into each SDP answer
// (a=fingerprint:sha-256 ...). It also holds the one DTLS 1.2 SSL_CTX built around them
// (see dtls_context.hpp), from which every DtlsTransport makes its SSL object.
//
// Ownership and threads: created once by whoever starts WebRTC and shared (shared_ptr)
// by every session on every shard. Immutable after generate(): sessions only read it
// (SSL_new on a shared, unmodified SSL_CTX is thread-safe in OpenSSL).
#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace vela::protocol::dtls {

class DtlsCertificate {
 public:
  // ECDSA P-256, self-signed (CN=vela), random 63-bit serial, valid from 24 hours ago
  // (tolerates a peer whose clock is behind) for 30 days.
  static base::Result<std::shared_ptr<const DtlsCertificate>> generate();

  // "AB:CD:..." upper-case hex of the SHA-256 of the certificate's DER.
  const std::string& fingerprint_sha256() const { return fingerprint_; }

  X509* x509() const { return certificate_.get(); }
  EVP_PKEY* private_key() const { return key_.get(); }
  // The DTLS context holding this certificate and key; not to be modified.
  SSL_CTX* ssl_context() const { return context_.get(); }

 private:
  struct Deleter {
    void operator()(X509* p) const;
    void operator()(EVP_PKEY* p) const;
    void operator()(SSL_CTX* p) const;
  };

  DtlsCertificate() = default;

  std::unique_ptr<EVP_PKEY, Deleter> key_;
  std::unique_ptr<X509, Deleter> certificate_;
  std::unique_ptr<SSL_CTX, Deleter> context_;
  std::string fingerprint_;
};

// The fingerprint of any certificate in the fingerprint_sha256() format; empty only if
// OpenSSL fails to hash it (which then matches no SDP fingerprint).
std::string certificate_fingerprint_sha256(X509* certificate);

// Whether two fingerprints in that format are equal, ignoring case (SDP allows either).
// An empty fingerprint equals nothing.
bool fingerprints_equal(std::string_view a, std::string_view b);

}  // namespace vela::protocol::dtls
