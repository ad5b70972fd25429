#pragma once
// What a recording is, beside its media: the stream it came from, when it started, and its
// renditions in the order they began (a rendition's position is its number in the index
// and the name of its data file). Stored as recording.json, rewritten atomically whenever a
// rendition is added, so the index never names a rendition the metadata lacks.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace vela::record {

struct RenditionMeta {
  std::string name;    // "video" (the source) or a ladder rung ("720p")
  std::string codecs;  // RFC 6381, e.g. "avc1.64001f,mp4a.40.2"
  uint32_t bandwidth = 0;
  uint32_t width = 0;
  uint32_t height = 0;
  bool operator==(const RenditionMeta&) const = default;
};

struct RecordingMeta {
  std::string id;
  std::string stream;
  int64_t started_unix_ms = 0;
  std::vector<RenditionMeta> renditions;
  bool operator==(const RecordingMeta&) const = default;
};

std::string encode_recording_meta(const RecordingMeta& meta);
// Refuses anything that is not a recording.json this version wrote (wrong types, missing
// fields, an unknown version), with the reason.
base::Result<RecordingMeta> decode_recording_meta(std::string_view json);

}  // namespace vela::record
