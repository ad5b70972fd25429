// MPEG-TS demuxer on untrusted bytes (an SRT publisher's stream). Must never crash or grow
// without bound; every PES and cue it yields must respect the limits. The input is fed in
// the pieces its first byte chooses, so packets straddle feeds.
#include <cstdint>
#include <span>
#include <variant>

#include "format/mpegts/demuxer.hpp"

using namespace vela::format::mpegts;

static void check(const std::vector<DemuxEvent>& events) {
  for (const auto& e : events) {
    if (const auto* pes = std::get_if<PesPacket>(&e)) {
      if (pes->data.size() > Demuxer::kMaxVideoPesSize) __builtin_trap();
      if (pes->pts && *pes->pts >= (uint64_t{1} << 33)) __builtin_trap();
      if (pes->dts && !pes->pts) __builtin_trap();
    } else if (const auto* cue = std::get_if<Cue>(&e)) {
      if (cue->section.size() < 4 || !section_crc_ok(cue->section.span())) __builtin_trap();
    } else if (const auto* program = std::get_if<ProgramChanged>(&e)) {
      if (program->streams.size() > Demuxer::kMaxStreams) __builtin_trap();
    }
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = data[0] == 0 ? size : data[0];
  std::span<const uint8_t> input(data + 1, size - 1);
  Demuxer demuxer;
  for (size_t pos = 0; pos < input.size(); pos += step) {
    auto events = demuxer.feed(input.subspan(pos, std::min(step, input.size() - pos)));
    if (!events) {
      if (demuxer.feed(input).ok()) __builtin_trap();  // errors are sticky
      return 0;
    }
    check(*events);
  }
  check(demuxer.flush());
  auto stats = demuxer.stats();
  if (stats.packets > input.size() / kPacketSize + 1) __builtin_trap();
  return 0;
}
