#pragma once
// The multivariant playlist (index.m3u8) of a stream: one EXT-X-STREAM-INF per rendition,
// audio and video muxed in each (no EXT-X-MEDIA groups). Pure, any thread.
#include <cstdint>
#include <string>
#include <vector>

namespace vela::packager {

struct RenditionInfo {
  std::string name;                 // rendition name: its playlist is {name}.m3u8
  uint64_t bandwidth = 0;           // BANDWIDTH: peak bits/s, REQUIRED
  uint64_t average_bandwidth = 0;   // AVERAGE-BANDWIDTH; 0: omitted
  std::vector<std::string> codecs;  // RFC 6381 strings, e.g. {"avc1.64001f", "mp4a.40.2"}
  uint32_t width = 0;               // RESOLUTION when both are set
  uint32_t height = 0;
  double frame_rate = 0;  // FRAME-RATE (3 decimals) when > 0
};

// Version 6: the lowest that can play the fMP4 media the variants point at. Renditions
// are listed in the given order (the first is what most players start with).
std::string render_multivariant(const std::vector<RenditionInfo>& renditions);

}  // namespace vela::packager
