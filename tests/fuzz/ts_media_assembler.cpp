// MPEG-TS to tracks and frames on untrusted bytes (an SRT publisher's stream). Must never
// crash; frames must be well formed: DTS increasing per track, AVCC framing valid, tracks
// announced before their frames.
#include "ingest/ts_media_assembler.hpp"

#include <cstdint>
#include <span>
#include <variant>

#include "media/codec/h264.hpp"

using namespace vela;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = data[0] == 0 ? size : size_t{data[0]} * 7;
  std::span<const uint8_t> input(data + 1, size - 1);
  ingest::TsMediaAssembler assembler;
  bool announced = false;
  int64_t last_dts[3] = {INT64_MIN, INT64_MIN, INT64_MIN};
  auto check = [&](const std::vector<ingest::AssembledOutput>& out) {
    for (const auto& o : out) {
      if (std::holds_alternative<ingest::TracksAnnounced>(o)) {
        announced = true;
        continue;
      }
      const auto& frame = std::get<media::FramePtr>(o);
      if (!announced || frame->track_id < 1 || frame->track_id > 2) __builtin_trap();
      if (frame->dts <= last_dts[frame->track_id]) __builtin_trap();
      last_dts[frame->track_id] = frame->dts;
      if (frame->cts < 0) __builtin_trap();
      if (frame->track_id == ingest::kTsVideoTrackId &&
          !media::codec::contains_idr(frame->payload.span()).ok()) {
        __builtin_trap();
      }
    }
  };
  for (size_t pos = 0; pos < input.size(); pos += step) {
    auto out = assembler.feed(input.subspan(pos, std::min(step, input.size() - pos)), 1'000'000);
    if (!out) return 0;
    check(*out);
  }
  auto out = assembler.finish(2'000'000);
  if (out) check(*out);
  return 0;
}
