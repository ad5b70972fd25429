#include "packager/vod_playlist.hpp"

#include <cmath>

#include "packager/hls_text.hpp"

namespace vela::packager {

namespace {

void append_range(std::string& out, const VodByteRange& range) {
  append_integer(out, range.size);
  out += '@';
  append_integer(out, range.offset);
}

}  // namespace

std::string render_vod_media_playlist(const VodMediaPlaylist& playlist) {
  double longest = 0;
  for (const VodSegment& segment : playlist.segments) longest = std::max(longest, segment.duration_s);
  std::string out = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  out += "#EXT-X-TARGETDURATION:";
  // EXTINF rounded to the nearest integer must not exceed it (RFC 8216bis 4.4.3.1).
  append_integer(out, static_cast<uint64_t>(std::max<long long>(1, std::llround(longest))));
  out += "\n#EXT-X-MEDIA-SEQUENCE:";
  append_integer(out, playlist.first_msn);
  out += '\n';
  const VodByteRange* init = nullptr;
  for (const VodSegment& segment : playlist.segments) {
    if (segment.discontinuity && init) out += "#EXT-X-DISCONTINUITY\n";
    if (!init || !(*init == segment.init)) {
      out += "#EXT-X-MAP:URI=\"" + playlist.media_uri + "\",BYTERANGE=\"";
      append_range(out, segment.init);
      out += "\"\n";
      init = &segment.init;
    }
    if (segment.wall_clock_us > 0) {
      out += "#EXT-X-PROGRAM-DATE-TIME:" + format_program_date_time(segment.wall_clock_us) + '\n';
    }
    out += "#EXTINF:";
    append_decimal(out, segment.duration_s);
    out += ",\n#EXT-X-BYTERANGE:";
    append_range(out, segment.bytes);
    out += '\n' + playlist.media_uri + '\n';
  }
  out += "#EXT-X-ENDLIST\n";
  return out;
}

}  // namespace vela::packager
