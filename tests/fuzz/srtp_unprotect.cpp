// SRTP/SRTCP unprotect: arbitrary bytes from the network must never crash libsrtp or our
// wrapper; an accepted packet's plain length lies within it. The first input byte picks
// the profile (bit 0: GCM, else AES_CM_128_HMAC_SHA1_80) and RTP or RTCP (bit 1); the
// rest is the packet. The keys are fixed (kRemote below) so that seeds can be valid
// packets protected with them.
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/dtls/srtp_session.hpp"

using namespace vela::protocol::dtls;

namespace {

// Master key || salt of the peer (what we receive with): byte i is i + 1.
std::vector<uint8_t> peer_master(SrtpProfile profile) {
  std::vector<uint8_t> m(kSrtpMasterKeySize + srtp_master_salt_size(profile));
  for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<uint8_t>(i + 1);
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const SrtpProfile profile =
      (data[0] & 1) ? SrtpProfile::aead_aes_128_gcm : SrtpProfile::aes128_cm_sha1_80;
  const bool rtcp = (data[0] & 2) != 0;
  std::vector<uint8_t> own(kSrtpMasterKeySize + srtp_master_salt_size(profile), 0xAA);
  auto session = SrtpSession::create({profile, own, peer_master(profile)});
  if (!session) __builtin_trap();
  std::vector<uint8_t> packet(data + 1, data + size);
  auto result = rtcp ? (*session)->unprotect_rtcp(packet) : (*session)->unprotect_rtp(packet);
  if (!result) {
    if (result.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (*result > packet.size()) __builtin_trap();
  // The same packet again is a replay.
  std::vector<uint8_t> again(data + 1, data + size);
  auto replay = rtcp ? (*session)->unprotect_rtcp(again) : (*session)->unprotect_rtp(again);
  if (replay) __builtin_trap();
  return 0;
}
