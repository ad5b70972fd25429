#include "ingest/webrtc/opus_track.hpp"

#include <vector>

namespace vela::ingest {

media::TrackInfo make_opus_track(uint32_t track_id) {
  constexpr uint8_t kChannels = 2;
  std::vector<uint8_t> head = {'O',       'p', 'u', 's', 'H', 'e', 'a', 'd',
                               1,              // version
                               kChannels,      //
                               0,         0};  // pre-skip (little-endian)
  for (int i = 0; i < 4; ++i) head.push_back(static_cast<uint8_t>(kOpusClockRate >> (8 * i)));
  head.insert(head.end(), {0, 0, 0});  // output gain 0 dB, channel mapping family 0
  media::TrackInfo track;
  track.id = track_id;
  track.kind = media::MediaKind::audio;
  track.codec = media::Codec::opus;
  track.timescale = kOpusClockRate;
  track.codec_config = base::Buffer::adopt(std::move(head));
  track.codec_string = "opus";
  track.sample_rate = kOpusClockRate;
  track.channels = kChannels;
  return track;
}

}  // namespace vela::ingest
