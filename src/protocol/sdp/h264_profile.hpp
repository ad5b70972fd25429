#pragma once
// H.264 profile-level-id (RFC 6184 §8.1: profile_idc, profile-iop, level_idc as six hex
// digits) and the preference the answer uses to pick among offered H.264 formats.
//
// Preference, best first, and why:
//   1. constrained baseline (42e0xx, 42c0xx, 4d8xxx-compatible) - no B-frames, decodes in
//      every browser and hardware decoder; what WHEP viewers and LL-HLS players handle
//      best and what browser encoders (OpenH264, most hardware) produce anyway
//   2. baseline (42001f; Chrome pairs it with level-asymmetry-allowed) - same bitstreams
//      in practice (browsers never use FMO/ASO)
//   3. main (4d001f)
//   4. constrained high (640c1f) - no B-frames
//   5. high (64001f)
// Anything else (High 10, 4:2:2, 4:4:4 such as f4001f, extended) is not accepted: the
// packager, transcoder and browser viewers cannot be relied on to handle it.
// Ties go to the format the offer lists first (the offerer's own preference).
#include <cstdint>
#include <optional>
#include <string_view>

namespace vela::protocol::sdp {

struct H264ProfileLevelId {
  uint8_t profile_idc = 0;
  uint8_t profile_iop = 0;  // constraint_set0..5 flags, high bit first
  uint8_t level_idc = 0;
};

enum class H264Profile { constrained_baseline, baseline, main, constrained_high, high, other };

// Six hex digits, either case. RFC 6184's default when the parameter is absent is 420010.
std::optional<H264ProfileLevelId> parse_profile_level_id(std::string_view hex);
H264Profile classify(const H264ProfileLevelId& id);
std::string_view to_string(H264Profile profile);

// Rank for the answer: 0 is best; nullopt means the profile is not accepted.
std::optional<int> h264_preference(H264Profile profile);

}  // namespace vela::protocol::sdp
