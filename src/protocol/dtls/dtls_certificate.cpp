#include "protocol/dtls/dtls_certificate.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cctype>

#include "protocol/dtls/dtls_context.hpp"

namespace vela::protocol::dtls {
namespace {

constexpr long kValidBeforeNowSeconds = 24L * 60 * 60;
constexpr long kValidAfterNowSeconds = 30L * 24 * 60 * 60;

struct NameDeleter {
  void operator()(X509_NAME* p) const { X509_NAME_free(p); }
};

// A positive serial number of 63 random bits (RFC 5280 asks for at most 20 octets, and a
// random serial keeps two certificates of this server from ever sharing one).
bool set_random_serial(X509* certificate) {
  uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1) return false;
  serial = (serial >> 1) | 1;
  return ASN1_INTEGER_set_uint64(X509_get_serialNumber(certificate), serial) == 1;
}

bool fill_certificate(X509* certificate, EVP_PKEY* key) {
  std::unique_ptr<X509_NAME, NameDeleter> name(X509_NAME_new());
  static const unsigned char kCommonName[] = "vela";
  return name && X509_set_version(certificate, X509_VERSION_3) == 1 &&
         set_random_serial(certificate) &&
         X509_gmtime_adj(X509_getm_notBefore(certificate), -kValidBeforeNowSeconds) &&
         X509_gmtime_adj(X509_getm_notAfter(certificate), kValidAfterNowSeconds) &&
         X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_ASC, kCommonName, -1, -1, 0) == 1 &&
         X509_set_subject_name(certificate, name.get()) == 1 &&
         X509_set_issuer_name(certificate, name.get()) == 1 &&
         X509_set_pubkey(certificate, key) == 1 && X509_sign(certificate, key, EVP_sha256()) > 0;
}

}  // namespace

void DtlsCertificate::Deleter::operator()(X509* p) const {
  X509_free(p);
}
void DtlsCertificate::Deleter::operator()(EVP_PKEY* p) const {
  EVP_PKEY_free(p);
}
void DtlsCertificate::Deleter::operator()(SSL_CTX* p) const {
  SSL_CTX_free(p);
}

base::Result<std::shared_ptr<const DtlsCertificate>> DtlsCertificate::generate() {
  std::shared_ptr<DtlsCertificate> cert(new DtlsCertificate());
  cert->key_.reset(EVP_EC_gen("P-256"));
  if (!cert->key_) return base::make_error("DTLS: could not generate an ECDSA P-256 key");
  cert->certificate_.reset(X509_new());
  if (!cert->certificate_ || !fill_certificate(cert->certificate_.get(), cert->key_.get())) {
    return base::make_error("DTLS: could not build the self-signed certificate");
  }
  cert->fingerprint_ = certificate_fingerprint_sha256(cert->certificate_.get());
  if (cert->fingerprint_.empty()) return base::make_error("DTLS: could not hash the certificate");
  cert->context_.reset(make_dtls_context(cert->certificate_.get(), cert->key_.get()));
  if (!cert->context_) return base::make_error("DTLS: could not create the DTLS 1.2 context");
  return std::shared_ptr<const DtlsCertificate>(std::move(cert));
}

std::string certificate_fingerprint_sha256(X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!certificate || X509_digest(certificate, EVP_sha256(), digest, &length) != 1) return {};
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(length * 3);
  for (unsigned int i = 0; i < length; ++i) {
    if (i > 0) out.push_back(':');
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0f]);
  }
  return out;
}

bool fingerprints_equal(std::string_view a, std::string_view b) {
  if (a.empty() || a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace vela::protocol::dtls
