#include "packager/multivariant.hpp"

#include "packager/hls_names.hpp"
#include "packager/hls_text.hpp"

namespace vela::packager {

std::string render_multivariant(const std::vector<RenditionInfo>& renditions) {
  std::string out = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  for (const RenditionInfo& rendition : renditions) {
    out += "#EXT-X-STREAM-INF:BANDWIDTH=";
    append_integer(out, rendition.bandwidth);
    if (rendition.average_bandwidth > 0) {
      out += ",AVERAGE-BANDWIDTH=";
      append_integer(out, rendition.average_bandwidth);
    }
    if (!rendition.codecs.empty()) {
      out += ",CODECS=\"";
      for (size_t i = 0; i < rendition.codecs.size(); ++i) {
        if (i > 0) out += ',';
        out += rendition.codecs[i];
      }
      out += '"';
    }
    if (rendition.width > 0 && rendition.height > 0) {
      out += ",RESOLUTION=";
      append_integer(out, rendition.width);
      out += 'x';
      append_integer(out, rendition.height);
    }
    if (rendition.frame_rate > 0) {
      out += ",FRAME-RATE=";
      append_decimal(out, rendition.frame_rate);
    }
    out += '\n';
    out += media_playlist_path(rendition.name);
    out += '\n';
  }
  return out;
}

}  // namespace vela::packager
