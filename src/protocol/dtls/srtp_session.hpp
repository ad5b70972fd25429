#pragma once
// SRTP and SRTCP (RFC 3711, RFC 7714 for AES-GCM) for one WebRTC peer connection, over
// libsrtp2, keyed by what DtlsTransport exported:
//   - outbound: any SSRC we send, with repeated transmission allowed (a NACK'd packet
//     is resent with its original sequence number and the same payload);
//   - inbound: any SSRC the peer sends, with a 1024-packet replay window so that late
//     retransmissions still get through; a stream is only created for a packet that
//     authenticated.
// Owned by the session of that peer connection and used only on its shard (single
// owner, not thread-safe); separate sessions may run on separate threads.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "protocol/dtls/dtls_transport.hpp"

struct srtp_ctx_t_;  // libsrtp's session (srtp_t), kept out of this header

namespace vela::protocol::dtls {

inline constexpr size_t kSrtpReplayWindow = 1024;
// What protect_* may temporarily grow a packet by (libsrtp's SRTP_MAX_TRAILER_LEN): a
// buffer reserved this much larger than the plain packet never reallocates.
inline constexpr size_t kSrtpMaxTrailerSize = 144;

class SrtpSession {
 public:
  // Errors when a master key || salt has the wrong length for the profile, or libsrtp
  // refuses the policy.
  static base::Result<std::unique_ptr<SrtpSession>> create(const SrtpKeys& keys);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // Plain RTP in, SRTP out: the packet grows by the authentication tag (10 bytes for
  // AES_CM_128_HMAC_SHA1_80, 16 for AEAD_AES_128_GCM). On error the packet is left as
  // it was.
  base::Status protect_rtp(std::vector<uint8_t>& packet);
  // Plain RTCP in, SRTCP out: grows by the 4-byte SRTCP index and the tag.
  base::Status protect_rtcp(std::vector<uint8_t>& packet);
  // In place; returns the length of the plain packet at the start of `packet`. Errors
  // (the packet is then to be dropped): too short, authentication failure, replay.
  base::Result<size_t> unprotect_rtp(std::span<uint8_t> packet);
  base::Result<size_t> unprotect_rtcp(std::span<uint8_t> packet);

 private:
  struct Deleter {
    void operator()(srtp_ctx_t_* session) const;
  };
  using Context = std::unique_ptr<srtp_ctx_t_, Deleter>;

  SrtpSession(Context inbound, Context outbound);

  Context inbound_;
  Context outbound_;
};

}  // namespace vela::protocol::dtls
