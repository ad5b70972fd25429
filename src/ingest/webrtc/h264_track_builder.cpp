#include "ingest/webrtc/h264_track_builder.hpp"

#include <algorithm>

#include "format/mpegts/annex_b.hpp"
#include "media/codec/h264.hpp"

namespace vela::ingest {

bool H264TrackBuilder::on_access_unit(std::span<const uint8_t> avcc_unit) {
  using namespace media::codec;
  std::span<const uint8_t> sps, pps;
  AvccNalIterator nals(avcc_unit);
  while (auto nal = nals.next()) {
    if (nal->empty()) continue;
    const uint8_t type = nal_type((*nal)[0]);
    if (type == kNalSps && sps.empty()) sps = *nal;
    if (type == kNalPps && pps.empty()) pps = *nal;
  }
  const bool new_sps = !sps.empty() && !std::ranges::equal(sps, sps_);
  const bool new_pps = !pps.empty() && !std::ranges::equal(pps, pps_);
  if (!new_sps && !new_pps) return false;
  std::vector<uint8_t> next_sps = new_sps ? std::vector<uint8_t>(sps.begin(), sps.end()) : sps_;
  std::vector<uint8_t> next_pps = new_pps ? std::vector<uint8_t>(pps.begin(), pps.end()) : pps_;
  if (next_sps.empty() || next_pps.empty()) {
    // Half of a pair: keep it until the other half comes.
    sps_ = std::move(next_sps);
    pps_ = std::move(next_pps);
    return false;
  }
  auto avcc = format::mpegts::build_avcc({next_sps}, {next_pps});
  if (!avcc) {
    ++rejected_;
    return false;
  }
  auto track = make_h264_track(track_id_, base::Buffer::adopt(std::move(*avcc)));
  if (!track) {
    ++rejected_;
    return false;
  }
  sps_ = std::move(next_sps);
  pps_ = std::move(next_pps);
  track_ = std::move(*track);
  return true;
}

}  // namespace vela::ingest
