#pragma once
// The media playlist of one rendition of a recording (HLS VOD): every segment as a byte
// range of the rendition's one data file (EXT-X-BYTERANGE, protocol version 7 for
// EXT-X-MAP with BYTERANGE), EXT-X-PLAYLIST-TYPE:VOD and EXT-X-ENDLIST. Pure, any thread.
#include <cstdint>
#include <string>
#include <vector>

namespace vela::packager {

struct VodByteRange {
  uint64_t offset = 0;
  uint64_t size = 0;
  bool operator==(const VodByteRange&) const = default;
};

struct VodSegment {
  VodByteRange bytes;
  double duration_s = 0;
  int64_t wall_clock_us = 0;   // EXT-X-PROGRAM-DATE-TIME when known (> 0)
  bool discontinuity = false;  // EXT-X-DISCONTINUITY before it
  VodByteRange init;           // EXT-X-MAP when it differs from the previous segment's
};

struct VodMediaPlaylist {
  std::string media_uri;  // the data file, relative to the playlist
  uint64_t first_msn = 0;
  std::vector<VodSegment> segments;
};

std::string render_vod_media_playlist(const VodMediaPlaylist& playlist);

}  // namespace vela::packager
