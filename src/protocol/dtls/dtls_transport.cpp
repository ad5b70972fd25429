#include "protocol/dtls/dtls_transport.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/time.h>

#include <array>

#include "protocol/dtls/dtls_datagrams.hpp"

namespace vela::protocol::dtls {
namespace {

constexpr char kSrtpExporterLabel[] = "EXTRACTOR-dtls_srtp";  // RFC 5764 4.2

// The reason of the first error OpenSSL queued on this thread, then an empty queue, so the
// next session served by this thread starts clean.
std::string take_openssl_reason() {
  const unsigned long code = ERR_get_error();
  const char* text = code != 0 ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  return text ? text : "unknown error";
}

std::optional<SrtpProfile> selected_profile(SSL* ssl) {
  const SRTP_PROTECTION_PROFILE* profile = SSL_get_selected_srtp_profile(ssl);
  if (!profile) return std::nullopt;
  switch (profile->id) {
    case SRTP_AEAD_AES_128_GCM:
      return SrtpProfile::aead_aes_128_gcm;
    case SRTP_AES128_CM_SHA1_80:
      return SrtpProfile::aes128_cm_sha1_80;
    default:
      return std::nullopt;  // not one we offered
  }
}

}  // namespace

void DtlsTransport::SslDeleter::operator()(SSL* ssl) const {
  SSL_free(ssl);
}

DtlsTransport::DtlsTransport(std::shared_ptr<const DtlsCertificate> certificate,
                             DtlsTransportRole role, std::string remote_fingerprint_sha256)
    : certificate_(std::move(certificate)),
      role_(role),
      remote_fingerprint_(
          std::make_unique<const std::string>(std::move(remote_fingerprint_sha256))) {
  // Any failure here leaves ssl_ empty; start() then reports it (the signature has no error).
  if (!certificate_ || !certificate_->ssl_context()) return;
  std::unique_ptr<SSL, SslDeleter> ssl(SSL_new(certificate_->ssl_context()));
  if (!ssl) return;
  BIO* incoming = BIO_new(BIO_s_mem());
  BIO* outgoing = BIO_new(BIO_s_mem());
  if (!incoming || !outgoing) {
    BIO_free(incoming);
    BIO_free(outgoing);
    return;
  }
  BIO_set_mem_eof_return(incoming, -1);        // empty means "wait for more", not end of stream
  SSL_set_bio(ssl.get(), incoming, outgoing);  // the SSL owns both from here
  SSL_set_app_data(ssl.get(), const_cast<std::string*>(remote_fingerprint_.get()));
  if (SSL_set_mtu(ssl.get(), static_cast<long>(kDtlsMtu)) <= 0) return;  // returns the MTU
  if (role_ == DtlsTransportRole::client) {
    SSL_set_connect_state(ssl.get());
  } else {
    SSL_set_accept_state(ssl.get());
  }
  ssl_ = std::move(ssl);
  incoming_ = incoming;
  outgoing_ = outgoing;
  ERR_clear_error();
}

DtlsTransport::~DtlsTransport() = default;
DtlsTransport::DtlsTransport(DtlsTransport&&) noexcept = default;
DtlsTransport& DtlsTransport::operator=(DtlsTransport&&) noexcept = default;

DtlsTransport::Output DtlsTransport::start() {
  Output out;
  if (state_ != State::created) return out;
  if (!ssl_) {
    fail(out, "DTLS: could not create the SSL object");
    return out;
  }
  state_ = State::handshaking;
  if (role_ == DtlsTransportRole::client) advance_handshake(out);
  return out;
}

DtlsTransport::Output DtlsTransport::on_datagram(std::span<const uint8_t> datagram) {
  Output out;
  if (state_ == State::created) {
    out = start();  // a peer that is faster than our caller: start implicitly
    if (state_ != State::handshaking) return out;
  }
  if (state_ != State::handshaking && state_ != State::connected) return out;
  if (datagram.empty()) return out;
  if (BIO_write(incoming_, datagram.data(), static_cast<int>(datagram.size())) <= 0) {
    fail(out, "DTLS: could not buffer the datagram");
    return out;
  }
  if (state_ == State::handshaking) {
    advance_handshake(out);
  } else {
    read_records(out);
  }
  // Whatever OpenSSL did not consume (it reads a datagram whole) must not merge with the
  // next datagram.
  (void)BIO_reset(incoming_);
  return out;
}

DtlsTransport::Output DtlsTransport::on_timer() {
  Output out;
  if (state_ != State::handshaking && state_ != State::connected) return out;
  ERR_clear_error();
  const int result = DTLSv1_handle_timeout(ssl_.get());  // 0 when the timer has not expired
  flush(out);
  if (result < 0) fail(out, "DTLS handshake failed: " + take_openssl_reason());
  return out;
}

std::optional<std::chrono::milliseconds> DtlsTransport::next_timeout() const {
  if (state_ != State::handshaking && state_ != State::connected) return std::nullopt;
  timeval left{};
  if (DTLSv1_get_timeout(ssl_.get(), &left) != 1) return std::nullopt;
  return std::chrono::milliseconds(int64_t{left.tv_sec} * 1000 + (left.tv_usec + 999) / 1000);
}

DtlsTransport::Output DtlsTransport::close() {
  Output out;
  if (state_ == State::connected) {
    ERR_clear_error();
    (void)SSL_shutdown(ssl_.get());  // queues close_notify; we do not wait for the peer's
    flush(out);
    ERR_clear_error();
  }
  if (state_ != State::failed) state_ = State::closed;
  return out;
}

void DtlsTransport::advance_handshake(Output& out) {
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_.get());
  const int error = result == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_.get(), result);
  flush(out);  // the next flight, or the alert OpenSSL sends when it fails
  switch (error) {
    case SSL_ERROR_NONE:
      finish_handshake(out);
      return;
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      ERR_clear_error();
      return;
    case SSL_ERROR_ZERO_RETURN:
      ERR_clear_error();
      out.closed_by_peer = true;
      state_ = State::closed;
      return;
    default:
      if (SSL_get_verify_result(ssl_.get()) == X509_V_ERR_APPLICATION_VERIFICATION) {
        fail(out, "DTLS: the peer's certificate does not match the SDP fingerprint");
      } else {
        fail(out, "DTLS handshake failed: " + take_openssl_reason());
      }
  }
}

void DtlsTransport::finish_handshake(Output& out) {
  // The verify callback already compared the leaf; checking the certificate the handshake
  // actually used keeps the guarantee whatever path OpenSSL took (e.g. no certificate).
  X509* peer = SSL_get0_peer_certificate(ssl_.get());
  if (!peer || !fingerprints_equal(certificate_fingerprint_sha256(peer), *remote_fingerprint_)) {
    fail(out, "DTLS: the peer's certificate does not match the SDP fingerprint");
    return;
  }
  const std::optional<SrtpProfile> profile = selected_profile(ssl_.get());
  if (!profile) {
    fail(out, "DTLS: the peer negotiated no SRTP profile (use_srtp)");
    return;
  }
  // RFC 5764 4.2: client key || server key || client salt || server salt.
  const size_t salt = srtp_master_salt_size(*profile);
  std::vector<uint8_t> material(2 * (kSrtpMasterKeySize + salt));
  if (SSL_export_keying_material(ssl_.get(), material.data(), material.size(), kSrtpExporterLabel,
                                 sizeof kSrtpExporterLabel - 1, nullptr, 0, 0) != 1) {
    fail(out, "DTLS: could not export the SRTP keys: " + take_openssl_reason());
    return;
  }
  auto master = [&](size_t key_at, size_t salt_at) {
    std::vector<uint8_t> m(material.begin() + key_at,
                           material.begin() + key_at + kSrtpMasterKeySize);
    m.insert(m.end(), material.begin() + salt_at, material.begin() + salt_at + salt);
    return m;
  };
  std::vector<uint8_t> client = master(0, 2 * kSrtpMasterKeySize);
  std::vector<uint8_t> server = master(kSrtpMasterKeySize, 2 * kSrtpMasterKeySize + salt);
  const bool is_client = role_ == DtlsTransportRole::client;
  keys_ = SrtpKeys{*profile, is_client ? std::move(client) : std::move(server),
                   is_client ? std::move(server) : std::move(client)};
  state_ = State::connected;
  out.connected_now = true;
  read_records(out);  // records that came after Finished in the same datagram
}

void DtlsTransport::read_records(Output& out) {
  // Application data (WebRTC data channels run SCTP here) is not supported: it is read
  // and dropped so that alerts and retransmitted flights behind it are still processed.
  std::array<uint8_t, kDtlsMtu> scratch;
  for (;;) {
    ERR_clear_error();
    const int result = SSL_read(ssl_.get(), scratch.data(), static_cast<int>(scratch.size()));
    if (result > 0) continue;
    const int error = SSL_get_error(ssl_.get(), result);
    flush(out);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      ERR_clear_error();
      return;
    }
    if (error == SSL_ERROR_ZERO_RETURN) {
      ERR_clear_error();
      out.closed_by_peer = true;
      state_ = State::closed;
      return;
    }
    fail(out, "DTLS failed: " + take_openssl_reason());
    return;
  }
}

void DtlsTransport::fail(Output& out, std::string reason) {
  ERR_clear_error();
  state_ = State::failed;
  out.failed = std::move(reason);
}

void DtlsTransport::flush(Output& out) {
  const size_t pending = BIO_ctrl_pending(outgoing_);
  if (pending == 0) return;
  std::vector<uint8_t> records(pending);
  const int read = BIO_read(outgoing_, records.data(), static_cast<int>(pending));
  if (read <= 0) return;
  records.resize(static_cast<size_t>(read));
  for (auto& datagram : pack_records(records, kDtlsMtu)) {
    out.datagrams.push_back(std::move(datagram));
  }
}

}  // namespace vela::protocol::dtls
