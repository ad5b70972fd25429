// whep-load's reading of a server's SDP and RTP payloads: must never crash; an accepted
// description has credentials, a fingerprint and at least one UDP candidate, and an
// answer built to it parses again.
#include <cstdint>
#include <span>
#include <string_view>

#include "bench/whep_load_receive.hpp"
#include "bench/whep_load_sdp.hpp"
#include "protocol/sdp/sdp.hpp"

using namespace vela::bench;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)h264_starts_keyframe(std::span<const uint8_t>(data, size));
  (void)parse_candidate(text);
  for (bool is_offer : {false, true}) {
    auto remote = parse_remote_description(text, is_offer);
    if (!remote) {
      if (remote.error().message.empty()) __builtin_trap();
      continue;
    }
    if (remote->ice_ufrag.empty() || remote->ice_pwd.empty() || remote->fingerprint.empty() ||
        remote->candidates.empty())
      __builtin_trap();
    LocalDescriptionParams local;
    local.ice_ufrag = "fuzz";
    local.ice_pwd = "fuzzfuzzfuzzfuzzfuzzfuzz";
    local.fingerprint = remote->fingerprint;
    (void)vela::protocol::sdp::parse_sdp(build_answer(local, *remote));
  }
  return 0;
}
