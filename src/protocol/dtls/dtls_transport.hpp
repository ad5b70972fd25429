#pragma once
// The DTLS side of one WebRTC peer connection (DTLS-SRTP, RFC 5763/5764): runs the DTLS
// 1.2 handshake in either role, checks the peer's certificate against the fingerprint
// from its SDP, and once connected exports the SRTP master keys for the negotiated
// profile (SRTP_AEAD_AES_128_GCM preferred, SRTP_AES128_CM_SHA1_80).
//
// Pure over OpenSSL memory BIOs: the caller passes each DTLS datagram that arrived (see
// classify_packet), calls on_timer() when next_timeout() elapses, and sends the datagrams
// that come back, in order. Outgoing datagrams are at most kDtlsMtu bytes (see dtls_datagrams.hpp).
// After a failure or a close the transport is inert: later calls return an empty Output.
//
// Single-owner, not thread-safe: it lives on the shard of its session, which makes every
// call. Several transports may share one DtlsCertificate across shards.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/dtls/dtls_certificate.hpp"

namespace vela::protocol::dtls {

// The largest datagram the transport sends: fits any path WebRTC uses (browsers use
// about the same), so handshake flights are fragmented instead of IP-fragmented.
inline constexpr size_t kDtlsMtu = 1200;

enum class SrtpProfile { aes128_cm_sha1_80, aead_aes_128_gcm };

// Master key and salt lengths in bytes (RFC 5764 4.1.2, RFC 7714 12).
inline constexpr size_t kSrtpMasterKeySize = 16;
inline constexpr size_t srtp_master_salt_size(SrtpProfile profile) {
  return profile == SrtpProfile::aead_aes_128_gcm ? 12 : 14;
}

struct SrtpKeys {
  SrtpProfile profile = SrtpProfile::aead_aes_128_gcm;
  std::vector<uint8_t> local_master;   // master key || master salt for what WE send
  std::vector<uint8_t> remote_master;  // master key || master salt for what we receive
};

enum class DtlsTransportRole {
  server,
  client
};  // server = a=setup:passive (waits for ClientHello)

class DtlsTransport {
 public:
  struct Output {
    std::vector<std::vector<uint8_t>> datagrams;  // send these to the peer, in order
    bool connected_now = false;         // handshake finished in this call (keys() now set)
    std::optional<std::string> failed;  // fatal: handshake failure, bad fingerprint, alert; the
                                        // session is to be closed with this reason
    bool closed_by_peer = false;        // close_notify received
  };

  // remote_fingerprint_sha256: from the SDP (a=fingerprint:sha-256 AB:CD:...); the peer's
  // certificate must match it (compared case-insensitively) or the handshake fails.
  DtlsTransport(std::shared_ptr<const DtlsCertificate> certificate, DtlsTransportRole role,
                std::string remote_fingerprint_sha256);
  ~DtlsTransport();
  DtlsTransport(DtlsTransport&&) noexcept;
  DtlsTransport& operator=(DtlsTransport&&) noexcept;
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // Client: sends the ClientHello; server: nothing to send yet. Call once, first.
  Output start();
  // One DTLS datagram from the peer. After the handshake, application data is ignored;
  // retransmitted handshake flights are answered; close_notify and alerts are reported.
  // Records that fail to parse or authenticate are dropped silently by OpenSSL (RFC 6347
  // 4.1.2.7), so garbage never fails a session by itself.
  Output on_datagram(std::span<const uint8_t> datagram);
  // Call when next_timeout() has elapsed: retransmits the last flight (early calls do
  // nothing). The interval starts at 1 s and doubles up to 60 s; OpenSSL gives up (and
  // the session fails) only after 12 retransmissions, minutes later, so the session
  // should keep its own deadline for the handshake.
  Output on_timer();
  // Time until on_timer() is due (DTLSv1_get_timeout, rounded up to whole ms); nullopt
  // when no retransmission timer is running.
  std::optional<std::chrono::milliseconds> next_timeout() const;

  bool connected() const { return state_ == State::connected; }
  // Set once connected: the keys for SrtpSession::create.
  const std::optional<SrtpKeys>& keys() const { return keys_; }
  DtlsTransportRole role() const { return role_; }

  // Sends close_notify (when a handshake was started); the transport is then inert.
  Output close();

 private:
  enum class State { created, handshaking, connected, closed, failed };
  struct SslDeleter {
    void operator()(SSL* ssl) const;
  };

  void advance_handshake(Output& out);
  void read_records(Output& out);
  void finish_handshake(Output& out);
  void fail(Output& out, std::string reason);
  void flush(Output& out);

  std::shared_ptr<const DtlsCertificate> certificate_;
  DtlsTransportRole role_;
  // On the heap so its address, given to OpenSSL as the SSL's app data for the verify
  // callback (dtls_context.hpp), survives moves of the transport.
  std::unique_ptr<const std::string> remote_fingerprint_;
  std::unique_ptr<SSL, SslDeleter> ssl_;
  BIO* incoming_ = nullptr;  // owned by ssl_: datagrams from the peer
  BIO* outgoing_ = nullptr;  // owned by ssl_: records to send
  State state_ = State::created;
  std::optional<SrtpKeys> keys_;
};

}  // namespace vela::protocol::dtls
