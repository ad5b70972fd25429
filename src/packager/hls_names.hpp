#pragma once
// Object names of one live stream, relative to /live/{name}/ (the directory of both the
// multivariant and the media playlists, so the same relative URI works in either):
//
//   index.m3u8                        multivariant playlist
//   {rendition}.m3u8                  media playlist of a rendition
//   {rendition}/init{id}.mp4          initialization segment (id grows when the codec
//                                     configuration changes, so a name never changes bytes)
//   {rendition}/seg{msn}.m4s          media segment
//   {rendition}/part{msn}.{index}.m4s partial segment {index} (from 0) of segment {msn}
//
// Every media object name maps to exactly one immutable byte sequence, so media can be
// cached forever. Numbers are canonical decimal (no sign, no leading zeros) and bounded;
// a rendition name is 1-32 of [a-z0-9_-], starting with a letter or digit, and not
// "index". Pure functions, callable from any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace vela::packager {

// 2^53 - 1: the largest integer a JavaScript player (hls.js) holds exactly.
constexpr uint64_t kMaxSequenceNumber = 9'007'199'254'740'991;
// More parts than any sane segment has (a 60 s segment of 10 ms parts is 6000).
constexpr uint32_t kMaxPartIndex = 9'999;
constexpr size_t kMaxRenditionNameLength = 32;

enum class ObjectKind { multivariant, media_playlist, init, segment, part };

struct ObjectRef {
  ObjectKind kind = ObjectKind::multivariant;
  std::string rendition;  // empty for the multivariant playlist
  uint64_t init_id = 0;   // init only
  uint64_t msn = 0;       // segment and part
  uint32_t part = 0;      // part only: index within segment msn

  bool operator==(const ObjectRef&) const = default;
};

bool is_valid_rendition_name(std::string_view name);

// Parses a request path remainder after /live/{name}/ (no query string). Anything that is
// not exactly one of the canonical names above is an error.
base::Result<ObjectRef> parse_object_path(std::string_view path);

// The canonical relative name of `ref` (inverse of parse_object_path for valid refs).
std::string object_path(const ObjectRef& ref);

std::string multivariant_path();
std::string media_playlist_path(std::string_view rendition);
std::string init_path(std::string_view rendition, uint64_t init_id);
std::string segment_path(std::string_view rendition, uint64_t msn);
std::string part_path(std::string_view rendition, uint64_t msn, uint32_t index);

// A decimal integer of at most `max`; digits only (leading zeros allowed), no sign, no
// whitespace. Never overflows.
std::optional<uint64_t> parse_decimal(std::string_view text, uint64_t max);

}  // namespace vela::packager
