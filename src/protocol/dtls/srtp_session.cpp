#include "protocol/dtls/srtp_session.hpp"

#include <srtp2/srtp.h>

#include <climits>
#include <cstring>
#include <string>

namespace vela::protocol::dtls {
namespace {

static_assert(kSrtpMaxTrailerSize == SRTP_MAX_TRAILER_LEN);

std::string describe(srtp_err_status_t status, const char* what) {
  std::string prefix = std::string("SRTP: ") + what + ": ";
  switch (status) {
    case srtp_err_status_auth_fail:
      return prefix + "authentication failed";
    case srtp_err_status_replay_fail:
      return prefix + "replayed packet";
    case srtp_err_status_replay_old:
      return prefix + "packet too old for the replay window";
    case srtp_err_status_bad_param:
      return prefix + "malformed packet";
    case srtp_err_status_cipher_fail:
      return prefix + "cipher failure";
    default:
      return prefix + "libsrtp error " + std::to_string(static_cast<int>(status));
  }
}

// The policy for one direction; `key` must outlive srtp_create (which copies it).
srtp_policy_t make_policy(SrtpProfile profile, srtp_ssrc_type_t direction,
                          const std::vector<uint8_t>& key) {
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  if (profile == SrtpProfile::aead_aes_128_gcm) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
  } else {
    srtp_crypto_policy_set_rtp_default(&policy.rtp);  // AES_CM_128_HMAC_SHA1_80
    srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
  }
  policy.ssrc.type = direction;
  policy.key = const_cast<unsigned char*>(key.data());  // libsrtp only reads it
  policy.window_size = kSrtpReplayWindow;
  policy.allow_repeat_tx = direction == ssrc_any_outbound ? 1 : 0;
  policy.next = nullptr;
  return policy;
}

// libsrtp must be initialised once per process before any session exists: the library's
// own one-time setup, never torn down, not state of ours. Debian's libsrtp2 runs on NSS,
// which it starts with each cipher and shuts down with the last one, so a process with no
// session would pay a full NSS start (about 7 ms) for every session it creates; one
// session kept for the life of the process, never used, makes that about 70 us.
struct SrtpLibrary {
  srtp_err_status_t status = srtp_err_status_ok;
  srtp_t keeper = nullptr;  // never freed, see above; null if it could not be made
};

const SrtpLibrary& srtp_library() {
  static const SrtpLibrary library = [] {
    SrtpLibrary lib;
    lib.status = srtp_init();
    if (lib.status != srtp_err_status_ok) return lib;
    const std::vector<uint8_t> key(
        kSrtpMasterKeySize + srtp_master_salt_size(SrtpProfile::aead_aes_128_gcm), 0);
    srtp_policy_t policy = make_policy(SrtpProfile::aead_aes_128_gcm, ssrc_any_outbound, key);
    if (srtp_create(&lib.keeper, &policy) != srtp_err_status_ok) lib.keeper = nullptr;
    return lib;
  }();
  return library;
}

}  // namespace

void SrtpSession::Deleter::operator()(srtp_ctx_t_* session) const {
  srtp_dealloc(session);
}

SrtpSession::SrtpSession(Context inbound, Context outbound)
    : inbound_(std::move(inbound)), outbound_(std::move(outbound)) {}

SrtpSession::~SrtpSession() = default;

base::Result<std::unique_ptr<SrtpSession>> SrtpSession::create(const SrtpKeys& keys) {
  const size_t expected = kSrtpMasterKeySize + srtp_master_salt_size(keys.profile);
  if (keys.local_master.size() != expected || keys.remote_master.size() != expected) {
    return base::make_error("SRTP: master key and salt must be " + std::to_string(expected) +
                            " bytes for this profile");
  }
  if (srtp_err_status_t status = srtp_library().status; status != srtp_err_status_ok) {
    return base::make_error(describe(status, "library initialisation failed"));
  }
  auto make = [&](srtp_ssrc_type_t direction, const std::vector<uint8_t>& key,
                  Context& out) -> srtp_err_status_t {
    srtp_policy_t policy = make_policy(keys.profile, direction, key);
    srtp_t session = nullptr;
    const srtp_err_status_t status = srtp_create(&session, &policy);
    out.reset(session);
    return status;
  };
  Context inbound;
  Context outbound;
  if (srtp_err_status_t status = make(ssrc_any_inbound, keys.remote_master, inbound);
      status != srtp_err_status_ok) {
    return base::make_error(describe(status, "could not create the inbound context"));
  }
  if (srtp_err_status_t status = make(ssrc_any_outbound, keys.local_master, outbound);
      status != srtp_err_status_ok) {
    return base::make_error(describe(status, "could not create the outbound context"));
  }
  return std::unique_ptr<SrtpSession>(new SrtpSession(std::move(inbound), std::move(outbound)));
}

namespace {

using ProtectFn = srtp_err_status_t (*)(srtp_t, void*, int*);

base::Status protect(srtp_t session, ProtectFn fn, std::vector<uint8_t>& packet, size_t minimum,
                     const char* what) {
  const size_t plain = packet.size();
  if (plain < minimum) return base::make_error(std::string("SRTP: ") + what + ": too short");
  if (plain > INT_MAX - SRTP_MAX_TRAILER_LEN) {
    return base::make_error(std::string("SRTP: ") + what + ": too long");
  }
  packet.resize(plain + SRTP_MAX_TRAILER_LEN);  // libsrtp writes the trailer past the end
  int length = static_cast<int>(plain);
  const srtp_err_status_t status = fn(session, packet.data(), &length);
  if (status != srtp_err_status_ok) {
    packet.resize(plain);
    return base::make_error(describe(status, what));
  }
  packet.resize(static_cast<size_t>(length));
  return {};
}

base::Result<size_t> unprotect(srtp_t session, ProtectFn fn, std::span<uint8_t> packet,
                               size_t minimum, const char* what) {
  if (packet.size() < minimum)
    return base::make_error(std::string("SRTP: ") + what + ": too short");
  if (packet.size() > INT_MAX) return base::make_error(std::string("SRTP: ") + what + ": too long");
  int length = static_cast<int>(packet.size());
  const srtp_err_status_t status = fn(session, packet.data(), &length);
  if (status != srtp_err_status_ok) return base::make_error(describe(status, what));
  return static_cast<size_t>(length);
}

// Fixed header sizes, before the trailer: RTP 12 bytes; RTCP 8 (header + sender SSRC).
// An SRTP(C) packet also carries at least the 10-byte (HMAC-SHA1-80) tag, and SRTCP
// the 4-byte index: libsrtp checks the rest per profile.
constexpr size_t kRtpHeader = 12;
constexpr size_t kRtcpHeader = 8;
constexpr size_t kMinTag = 10;
constexpr size_t kSrtcpIndex = 4;

}  // namespace

base::Status SrtpSession::protect_rtp(std::vector<uint8_t>& packet) {
  return protect(outbound_.get(), srtp_protect, packet, kRtpHeader, "protect RTP");
}

base::Status SrtpSession::protect_rtcp(std::vector<uint8_t>& packet) {
  return protect(outbound_.get(), srtp_protect_rtcp, packet, kRtcpHeader, "protect RTCP");
}

base::Result<size_t> SrtpSession::unprotect_rtp(std::span<uint8_t> packet) {
  return unprotect(inbound_.get(), srtp_unprotect, packet, kRtpHeader + kMinTag, "unprotect RTP");
}

base::Result<size_t> SrtpSession::unprotect_rtcp(std::span<uint8_t> packet) {
  return unprotect(inbound_.get(), srtp_unprotect_rtcp, packet, kRtcpHeader + kSrtcpIndex + kMinTag,
                   "unprotect RTCP");
}

}  // namespace vela::protocol::dtls
