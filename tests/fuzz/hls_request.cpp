// Fuzzes what an LL-HLS viewer controls: the object path below /live/{name}/ and the
// playlist query string. Input: "<path>?<query>" (without '?', all path). A path that
// parses must be canonical (formatting it gives the input back), accepted directives must
// be consistent, and resolving and rendering whatever parses must not crash.
#include "packager/hls_request.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "packager/hls_names.hpp"
#include "packager/hls_playlist.hpp"
#include "packager/live_timeline.hpp"

namespace {

using namespace vela::packager;

// Segments 10 and 11 complete, segment 12 in progress with two parts.
LiveTimeline small_timeline() {
  LiveTimelineConfig config;
  config.window_segments = 3;
  LiveTimeline timeline(config);
  (void)timeline.set_init(vela::base::Buffer::copy_of("init"));
  for (uint64_t msn = 10; msn <= 12; ++msn) {
    for (uint32_t index = 0; index < 2; ++index) {
      CmafPart part;
      part.msn = msn;
      part.index = index;
      part.duration_s = 0.5;
      part.independent = index == 0;
      part.data = vela::base::Buffer::copy_of("part");
      (void)timeline.add_part(part);
    }
    if (msn < 12) (void)timeline.end_segment(CmafSegmentEnd{msn, 1.0, false});
  }
  return timeline;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t question = input.find('?');
  std::string_view path = input.substr(0, question);
  std::string_view query =
      question == std::string_view::npos ? std::string_view() : input.substr(question + 1);

  LiveTimeline timeline = small_timeline();
  auto ref = parse_object_path(path);
  if (ref.ok()) {
    if (object_path(*ref) != path) __builtin_trap();
    (void)resolve_media(timeline, *ref);
    (void)timeline.object_data(*ref);
  }
  auto directives = parse_delivery_directives(query);
  if (directives.ok()) {
    if (directives->part && !directives->msn) __builtin_trap();
    (void)resolve_playlist(timeline, *directives);
    MediaPlaylistOptions options;
    options.delta_update = wants_delta_update(timeline, *directives);
    (void)render_media_playlist(timeline, options);
  }
  return 0;
}
