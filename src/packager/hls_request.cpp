#include "packager/hls_request.hpp"

#include <algorithm>
#include <cmath>

namespace vela::packager {
namespace {

constexpr std::string_view kPlaylistType = "application/vnd.apple.mpegurl";
constexpr std::string_view kMediaType = "video/mp4";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kBlockingPlaylistCache = "public, max-age=6";
constexpr std::string_view kPlaylistCache = "public, max-age=1";

// Advance Part Limit: 3 / PART-TARGET parts when PART-TARGET < 1 s, else 3 parts.
constexpr double kAdvanceLimitS = 3;
constexpr double kMaxBlockTargets = 3;

// Which directives a query has named, so that a repeated one is an error.
struct Seen {
  bool msn = false;
  bool part = false;
  bool skip = false;
};

base::Status set_once(bool& seen, std::string_view key) {
  if (seen) return base::make_error(std::string(key) + " repeated");
  seen = true;
  return {};
}

base::Status apply_directive(DeliveryDirectives& out, Seen& seen, std::string_view key,
                             std::string_view value) {
  if (key == "_HLS_msn") {
    if (auto status = set_once(seen.msn, key); !status) return status;
    auto msn = parse_decimal(value, kMaxSequenceNumber);
    if (!msn) return base::make_error("bad _HLS_msn");
    out.msn = *msn;
  } else if (key == "_HLS_part") {
    if (auto status = set_once(seen.part, key); !status) return status;
    auto part = parse_decimal(value, kMaxPartIndex);
    if (!part) return base::make_error("bad _HLS_part");
    out.part = static_cast<uint32_t>(*part);
  } else if (key == "_HLS_skip") {
    if (auto status = set_once(seen.skip, key); !status) return status;
    if (value == "YES") {
      out.skip = SkipDirective::yes;
    } else if (value == "v2") {
      out.skip = SkipDirective::v2;
    } else {
      return base::make_error("bad _HLS_skip");
    }
  }
  return {};
}

// How many parts `want` lies past `last`, the last part of the timeline. Parts of
// segments not yet started are estimated at target duration / part target each.
double parts_ahead(const LiveTimeline& timeline, PartPosition last, PartPosition want) {
  if (want.msn == last.msn) return static_cast<double>(want.index) - last.index;
  const double per_segment =
      std::max(1.0, std::ceil(timeline.target_duration_s() / timeline.part_target_s()));
  const TimelineSegment* last_segment = timeline.find_segment(last.msn);
  double rest_of_last = 0;
  if (last_segment && !last_segment->complete) {
    rest_of_last = std::max(0.0, per_segment - 1 - last.index);
  }
  const double between = static_cast<double>(want.msn - last.msn - 1) * per_segment;
  return rest_of_last + between + want.index + 1;
}

double advance_part_limit(const LiveTimeline& timeline) {
  const double part_target_s = timeline.part_target_s();
  return part_target_s < 1 ? kAdvanceLimitS / part_target_s : kAdvanceLimitS;
}

Resolution resolve_part_request(const LiveTimeline& timeline, PartPosition want) {
  // 6.2.5.2: an index past a complete segment's last part means part 0 of the next one.
  const TimelineSegment* segment = timeline.find_segment(want.msn);
  if (segment && segment->complete && want.index >= segment->parts.size()) {
    want = PartPosition{want.msn + 1, 0};
  }
  const PartPosition last = *timeline.last_part();
  if (want <= last) return Resolution::ready;
  if (parts_ahead(timeline, last, want) > advance_part_limit(timeline)) {
    return Resolution::bad_request;
  }
  return Resolution::wait;
}

bool evicted(const LiveTimeline& timeline, uint64_t msn) {
  return msn < timeline.segments().front().msn;
}

Resolution resolve_segment(const LiveTimeline& timeline, uint64_t msn) {
  const TimelineSegment* segment = timeline.find_segment(msn);
  if (segment && segment->complete) return Resolution::ready;
  if (evicted(timeline, msn)) return Resolution::gone;
  if (timeline.ended()) return Resolution::not_found;
  return msn == timeline.open_msn() ? Resolution::wait : Resolution::not_found;
}

Resolution resolve_part(const LiveTimeline& timeline, PartPosition part) {
  const TimelineSegment* segment = timeline.find_segment(part.msn);
  if (segment && part.index < segment->parts.size()) return Resolution::ready;
  if (evicted(timeline, part.msn)) return Resolution::gone;
  if (timeline.ended()) return Resolution::not_found;
  const PartPosition next = timeline.next_part();
  const bool hinted_or_after = part.msn == next.msn && part.index <= next.index + 1;
  const bool next_segment_start = part == PartPosition{next.msn + 1, 0};
  return hinted_or_after || next_segment_start ? Resolution::wait : Resolution::not_found;
}

}  // namespace

base::Result<DeliveryDirectives> parse_delivery_directives(std::string_view query) {
  DeliveryDirectives out;
  Seen seen;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    if (!key.starts_with("_HLS_")) continue;
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    auto status = apply_directive(out, seen, key, value);
    if (!status) return status.error();
  }
  if (out.part && !out.msn) return base::make_error("_HLS_part without _HLS_msn");
  return out;
}

Resolution resolve_playlist(const LiveTimeline& timeline, const DeliveryDirectives& directives) {
  if (timeline.ended()) return timeline.has_media() ? Resolution::ready : Resolution::not_found;
  if (!timeline.has_media()) return Resolution::wait;
  if (!directives.msn) return Resolution::ready;
  const uint64_t msn = *directives.msn;
  // 6.2.5.2: at most the last segment's msn + 2; open_msn() is that msn + 1.
  if (msn > timeline.open_msn() + 1) return Resolution::bad_request;
  if (directives.part) return resolve_part_request(timeline, PartPosition{msn, *directives.part});
  std::optional<uint64_t> complete = timeline.last_complete_msn();
  return complete && *complete >= msn ? Resolution::ready : Resolution::wait;
}

Resolution resolve_media(const LiveTimeline& timeline, const ObjectRef& ref) {
  switch (ref.kind) {
    case ObjectKind::init:
      if (timeline.object_data(ref)) return Resolution::ready;
      return timeline.has_init() && ref.init_id < timeline.oldest_init_id() ? Resolution::gone
                                                                            : Resolution::not_found;
    case ObjectKind::segment:
      return timeline.has_media() ? resolve_segment(timeline, ref.msn) : Resolution::not_found;
    case ObjectKind::part:
      return timeline.has_media() ? resolve_part(timeline, PartPosition{ref.msn, ref.part})
                                  : Resolution::not_found;
    case ObjectKind::multivariant:
    case ObjectKind::media_playlist:
      return Resolution::not_found;
  }
  return Resolution::not_found;
}

bool wants_delta_update(const LiveTimeline& timeline, const DeliveryDirectives& directives) {
  return directives.skip != SkipDirective::none && timeline.config().delta_updates &&
         !timeline.ended();
}

double max_block_s(const LiveTimeline& timeline) {
  return kMaxBlockTargets * timeline.target_duration_s();
}

ResponseHeaders response_headers(ObjectKind kind, bool blocking_playlist) {
  switch (kind) {
    case ObjectKind::multivariant:
    case ObjectKind::media_playlist:
      return {kPlaylistType, blocking_playlist ? kBlockingPlaylistCache : kPlaylistCache};
    case ObjectKind::init:
    case ObjectKind::segment:
    case ObjectKind::part:
      return {kMediaType, kImmutable};
  }
  return {kMediaType, kImmutable};
}

}  // namespace vela::packager
