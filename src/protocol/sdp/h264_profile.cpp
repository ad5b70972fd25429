#include "protocol/sdp/h264_profile.hpp"

namespace vela::protocol::sdp {
namespace {

constexpr uint8_t kConstraintSet0 = 0x80;
constexpr uint8_t kConstraintSet1 = 0x40;
constexpr uint8_t kConstraintSet4 = 0x08;
constexpr uint8_t kConstraintSet5 = 0x04;

constexpr uint8_t kProfileBaseline = 0x42;
constexpr uint8_t kProfileMain = 0x4d;
constexpr uint8_t kProfileExtended = 0x58;
constexpr uint8_t kProfileHigh = 0x64;

std::optional<uint8_t> hex_byte(char hi, char lo) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  int h = nibble(hi), l = nibble(lo);
  if (h < 0 || l < 0) return std::nullopt;
  return static_cast<uint8_t>(h * 16 + l);
}

}  // namespace

std::optional<H264ProfileLevelId> parse_profile_level_id(std::string_view hex) {
  if (hex.size() != 6) return std::nullopt;
  auto profile = hex_byte(hex[0], hex[1]);
  auto iop = hex_byte(hex[2], hex[3]);
  auto level = hex_byte(hex[4], hex[5]);
  if (!profile || !iop || !level) return std::nullopt;
  return H264ProfileLevelId{*profile, *iop, *level};
}

H264Profile classify(const H264ProfileLevelId& id) {
  const uint8_t iop = id.profile_iop;
  switch (id.profile_idc) {
    case kProfileBaseline:
      return (iop & kConstraintSet1) ? H264Profile::constrained_baseline : H264Profile::baseline;
    case kProfileMain:
      // constraint_set0 on a main stream means it also obeys constrained baseline
      return (iop & kConstraintSet0) ? H264Profile::constrained_baseline : H264Profile::main;
    case kProfileExtended:
      if ((iop & (kConstraintSet0 | kConstraintSet1)) == (kConstraintSet0 | kConstraintSet1))
        return H264Profile::constrained_baseline;
      return (iop & kConstraintSet0) ? H264Profile::baseline : H264Profile::other;
    case kProfileHigh:
      if ((iop & (kConstraintSet4 | kConstraintSet5)) == (kConstraintSet4 | kConstraintSet5))
        return H264Profile::constrained_high;
      return H264Profile::high;
    default:
      return H264Profile::other;
  }
}

std::string_view to_string(H264Profile profile) {
  switch (profile) {
    case H264Profile::constrained_baseline:
      return "constrained baseline";
    case H264Profile::baseline:
      return "baseline";
    case H264Profile::main:
      return "main";
    case H264Profile::constrained_high:
      return "constrained high";
    case H264Profile::high:
      return "high";
    case H264Profile::other:
      return "other";
  }
  return "other";
}

std::optional<int> h264_preference(H264Profile profile) {
  switch (profile) {
    case H264Profile::constrained_baseline:
      return 0;
    case H264Profile::baseline:
      return 1;
    case H264Profile::main:
      return 2;
    case H264Profile::constrained_high:
      return 3;
    case H264Profile::high:
      return 4;
    case H264Profile::other:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace vela::protocol::sdp
