// H.264 depacketizer fed arbitrary RTP packets (input: records of a 2-byte length and an
// RTP datagram; time advances 7 ms per record). Must never crash; every unit it hands out
// is well-formed AVCC whose keyframe flag matches its NAL units, and the reorder buffer
// never holds more than its window.
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "media/codec/h264.hpp"
#include "protocol/rtp/h264_depacketizer.hpp"

using namespace vela::protocol::rtp;

namespace {
void check(const std::vector<H264AccessUnit>& units) {
  for (const auto& u : units) {
    if (u.avcc.empty()) __builtin_trap();
    auto idr = vela::media::codec::contains_idr(u.avcc.span());
    if (!idr || *idr != u.keyframe) __builtin_trap();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  H264DepacketizerOptions options;
  options.reorder_window = 32;
  options.max_access_unit = 1 << 16;
  H264Depacketizer depacketizer(options);
  std::vector<H264AccessUnit> units;
  std::span<const uint8_t> in(data, size);
  int64_t now_us = 0;
  while (in.size() >= 2) {
    size_t length = (size_t{in[0]} << 8 | in[1]) % 2048;
    in = in.subspan(2);
    length = std::min(length, in.size());
    auto packet = parse_rtp(in.first(length));
    in = in.subspan(length);
    now_us += 7000;
    if (packet) depacketizer.push(*packet, now_us, units);
    else depacketizer.poll(now_us, units);
    if (depacketizer.buffered_packets() > options.reorder_window) __builtin_trap();
    (void)depacketizer.take_keyframe_request();
    check(units);
    units.clear();
  }
  depacketizer.poll(now_us + 10'000'000, units);
  check(units);
  if (depacketizer.buffered_packets() != 0) __builtin_trap();
  return 0;
}
