#pragma once
// The little of HLS that the LL-HLS load generator needs to read: the first variant of a
// multivariant playlist, and the parts of a media playlist with the instant each became
// available (RFC 8216bis). Pure and allocation-light: results are views into the
// playlist text, scanned line by line, only the tags the generator uses. Any thread.
//
// Availability instant of a part: the wall-clock time its last frame's successor
// arrived at the packager, i.e. when the part could be closed, reconstructed from the
// playlist as
//     PROGRAM-DATE-TIME of its segment + sum of the durations of the segment's parts up
//     to and including this one.
// A segment without its own PROGRAM-DATE-TIME continues from the previous one (its PDT
// plus that segment's EXTINF duration, 4.4.4.6); before any PDT the instant is unknown.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace vela::bench {

// Value of attribute `name` in an attribute list (`A=1,B="x,y",C=Z`); quoted values come
// back without their quotes. Nothing when absent or when the list is malformed before it.
std::optional<std::string_view> find_attribute(std::string_view attributes, std::string_view name);

// "2024-05-01T12:34:56.789Z" or with "+hh:mm"/"-hh:mm" (any number of fraction digits,
// or none) -> microseconds since the Unix epoch. Nothing for anything else.
std::optional<int64_t> parse_program_date_time(std::string_view text);

// A decimal-floating-point duration ("0.333", "2", "2.000"): non-negative and finite.
std::optional<double> parse_duration(std::string_view text);

struct PartTag {
  double duration_s = 0;
  std::string_view uri;
  bool independent = false;
};

// The attributes of an #EXT-X-PART tag (the text after "#EXT-X-PART:"). DURATION and URI
// are required.
std::optional<PartTag> parse_part_tag(std::string_view attributes);

// The URI of an #EXT-X-PRELOAD-HINT with TYPE=PART (the text after the colon); nothing
// for other types (MAP) or a malformed tag.
std::optional<std::string_view> parse_preload_hint(std::string_view attributes);

struct PlaylistPart {
  uint64_t msn = 0;
  uint32_t index = 0;  // within segment msn, from 0
  double duration_s = 0;
  bool independent = false;
  std::string_view uri;
  int64_t available_us = 0;  // availability instant (see above); 0 when unknown
};

struct MediaPlaylistScan {
  uint64_t media_sequence = 0;
  std::vector<PlaylistPart> parts;  // listed parts, in playlist order
  std::optional<std::string_view> preload_hint;
  bool ended = false;  // EXT-X-ENDLIST

  // Keeps the parts' capacity, so a reused scan does not allocate in steady state.
  void clear();
};

// Scans a media playlist into `out` (cleared first). Views point into `text`, which must
// outlive them. Errors when the text is not a playlist or a tag the scan relies on is
// malformed (EXT-X-PART, EXT-X-MEDIA-SEQUENCE, EXT-X-SKIP, EXTINF, PROGRAM-DATE-TIME).
base::Status scan_media_playlist(std::string_view text, MediaPlaylistScan& out);

// The URI of the first variant stream (the line after the first #EXT-X-STREAM-INF).
std::optional<std::string_view> first_variant_uri(std::string_view multivariant);

// Resolves `uri` against the path of the playlist it was read from (`base_path`, starting
// with '/', no query) into `out`: a relative URI replaces the last path segment, one
// starting with '/' is taken as is, and an absolute http URL contributes its path and
// query. No dot-segment processing (the generator only follows what the server wrote).
// False for an empty URI or another scheme.
bool resolve_uri(std::string_view base_path, std::string_view uri, std::string& out);

// Parts of `scan` strictly after (msn, index), in order; as a range into scan.parts.
struct PartRange {
  size_t first = 0;
  size_t last = 0;  // one past
};
PartRange parts_after(const MediaPlaylistScan& scan, uint64_t msn, uint32_t index);

}  // namespace vela::bench
