#include "packager/hls_playlist.hpp"

#include "packager/hls_text.hpp"

namespace vela::packager {
namespace {

constexpr int kBaseVersion = 6;   // EXT-X-MAP in a media playlist (fMP4)
constexpr int kDeltaVersion = 9;  // EXT-X-SKIP
// Durations are sums of doubles; compare with a tolerance far below the printed precision.
constexpr double kEpsilonS = 1e-6;

void line(std::string& out, std::string_view text) {
  out += text;
  out += '\n';
}

void quoted_uri(std::string& out, std::string_view uri) {
  out += "URI=\"";
  out += uri;
  out += '"';
}

void write_header(std::string& out, const LiveTimeline& timeline, bool has_discontinuity) {
  const LiveTimelineConfig& config = timeline.config();
  const double target_s = timeline.target_duration_s();
  line(out, "#EXTM3U");
  out += "#EXT-X-VERSION:";
  append_integer(out, config.delta_updates ? kDeltaVersion : kBaseVersion);
  out += "\n#EXT-X-TARGETDURATION:";
  append_integer(out, timeline.target_duration_s());
  out += "\n#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=";
  append_decimal(out, kPartHoldBackParts * timeline.part_target_s());
  if (config.delta_updates) {
    out += ",CAN-SKIP-UNTIL=";
    append_decimal(out, kSkipBoundaryTargets * target_s);
  }
  out += "\n#EXT-X-PART-INF:PART-TARGET=";
  append_decimal(out, timeline.part_target_s());
  out += "\n#EXT-X-MEDIA-SEQUENCE:";
  append_integer(out, timeline.media_sequence());
  out += '\n';
  if (has_discontinuity || timeline.discontinuity_sequence() > 0) {
    out += "#EXT-X-DISCONTINUITY-SEQUENCE:";
    append_integer(out, timeline.discontinuity_sequence());
    out += '\n';
  }
}

void write_parts(std::string& out, const LiveTimeline& timeline, const TimelineSegment& segment) {
  const std::string& rendition = timeline.config().rendition;
  for (uint32_t index = 0; index < segment.parts.size(); ++index) {
    const TimelinePart& part = segment.parts[index];
    out += "#EXT-X-PART:DURATION=";
    append_decimal(out, part.duration_s);
    out += ',';
    quoted_uri(out, part_path(rendition, segment.msn, index));
    if (part.independent) out += ",INDEPENDENT=YES";
    out += '\n';
  }
}

void write_rendition_report(std::string& out, const RenditionReport& report) {
  out += "#EXT-X-RENDITION-REPORT:";
  quoted_uri(out, report.uri);
  out += ",LAST-MSN=";
  append_integer(out, report.last_msn);
  if (report.last_part) {
    out += ",LAST-PART=";
    append_integer(out, *report.last_part);
  }
  out += '\n';
}

}  // namespace

std::string render_media_playlist(const LiveTimeline& timeline,
                                  const MediaPlaylistOptions& options) {
  const LiveTimelineConfig& config = timeline.config();
  std::vector<const TimelineSegment*> listed;
  bool has_discontinuity = false;
  for (const TimelineSegment& segment : timeline.segments()) {
    if (segment.msn < timeline.media_sequence()) continue;
    listed.push_back(&segment);
    has_discontinuity = has_discontinuity || segment.discontinuity;
  }
  // Media after each segment's end: all of it, and only complete segments' (the skip
  // boundary counts from the end of the last complete segment).
  std::vector<double> after_s(listed.size(), 0);
  std::vector<double> complete_after_s(listed.size(), 0);
  for (size_t i = listed.size(); i-- > 1;) {
    after_s[i - 1] = after_s[i] + listed[i]->duration_s;
    complete_after_s[i - 1] =
        complete_after_s[i] + (listed[i]->complete ? listed[i]->duration_s : 0);
  }

  std::string out;
  write_header(out, timeline, has_discontinuity);

  const double target_s = timeline.target_duration_s();
  size_t first = 0;
  if (options.delta_update && config.delta_updates && !timeline.ended()) {
    const double boundary_s = kSkipBoundaryTargets * target_s;
    while (first < listed.size() && listed[first]->complete &&
           complete_after_s[first] > boundary_s + kEpsilonS) {
      ++first;
    }
    out += "#EXT-X-SKIP:SKIPPED-SEGMENTS=";
    append_integer(out, first);
    out += '\n';
  }

  std::optional<uint64_t> map_init;
  for (size_t i = first; i < listed.size(); ++i) {
    const TimelineSegment& segment = *listed[i];
    if (segment.discontinuity) line(out, "#EXT-X-DISCONTINUITY");
    if (map_init != segment.init_id) {
      map_init = segment.init_id;
      out += "#EXT-X-MAP:";
      quoted_uri(out, init_path(config.rendition, segment.init_id));
      out += '\n';
    }
    if (segment.wall_clock_us > 0) {
      out += "#EXT-X-PROGRAM-DATE-TIME:";
      out += format_program_date_time(segment.wall_clock_us);
      out += '\n';
    }
    if (!segment.complete || after_s[i] <= kPartListingTargets * target_s + kEpsilonS) {
      write_parts(out, timeline, segment);
    }
    if (segment.complete) {
      out += "#EXTINF:";
      append_decimal(out, segment.duration_s);
      out += ",\n";
      line(out, segment_path(config.rendition, segment.msn));
    }
  }

  if (timeline.has_media() && !timeline.ended()) {
    PartPosition next = timeline.next_part();
    out += "#EXT-X-PRELOAD-HINT:TYPE=PART,";
    quoted_uri(out, part_path(config.rendition, next.msn, next.index));
    out += '\n';
  }
  for (const RenditionReport& report : options.rendition_reports) {
    write_rendition_report(out, report);
  }
  if (timeline.ended()) line(out, "#EXT-X-ENDLIST");
  return out;
}

std::optional<RenditionReport> make_rendition_report(const LiveTimeline& timeline) {
  std::optional<PartPosition> last = timeline.last_part();
  if (!last) return std::nullopt;
  return RenditionReport{media_playlist_path(timeline.config().rendition), last->msn, last->index};
}

}  // namespace vela::packager
