#include "transcode/ladder.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace vela::transcode {
namespace {

constexpr uint32_t kMinHeight = 16;
constexpr uint32_t kMaxHeight = 4320;

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 32 || name == "source") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

uint32_t even_at_least_2(double value) {
  auto v = static_cast<uint32_t>(std::lround(value / 2.0)) * 2;
  return std::max<uint32_t>(2, v);
}

uint32_t even_floor(uint32_t value) { return std::max<uint32_t>(2, value & ~1u); }

// The picture whose short side is `short_side`, with the source's aspect ratio, never larger
// than the source in either dimension (odd sources lose at most one pixel).
PictureSize scaled(const SourceVideo& source, uint32_t short_side) {
  bool landscape = source.width >= source.height;
  uint32_t source_short = landscape ? source.height : source.width;
  uint32_t source_long = landscape ? source.width : source.height;
  uint32_t s = std::min(even_at_least_2(short_side), even_floor(source_short));
  uint32_t l = std::min(even_at_least_2(static_cast<double>(s) * source_long / source_short), even_floor(source_long));
  return landscape ? PictureSize{l, s} : PictureSize{s, l};
}

uint32_t short_side(const SourceVideo& source) { return std::min(source.width, source.height); }

void set_rate(PlannedRendition& r, double source_fps, double max_fps) {
  if (source_fps <= 0) return;
  // Small tolerance so 30000/1001 under a cap of 30 keeps every frame.
  r.frame_step = std::max<uint32_t>(1, static_cast<uint32_t>(std::ceil(source_fps / max_fps - 1e-3)));
  r.frame_rate = source_fps / r.frame_step;
}

}  // namespace

Ladder default_ladder() {
  return Ladder{true, {{"720p", 720, 2500, 30}, {"480p", 480, 1000, 30}, {"360p", 360, 600, 30}}};
}

base::Status validate_ladder(const Ladder& ladder) {
  if (!ladder.passthrough && ladder.rungs.empty()) return base::make_error("ladder: no passthrough and no rungs");
  std::set<std::string> names;
  for (const auto& rung : ladder.rungs) {
    if (!valid_name(rung.name)) return base::make_error("ladder: rung name '" + rung.name + "' must be 1-32 of [a-z0-9_-] and not 'source'");
    if (!names.insert(rung.name).second) return base::make_error("ladder: rung name '" + rung.name + "' used twice");
    if (rung.height < kMinHeight || rung.height > kMaxHeight) {
      return base::make_error("ladder: rung '" + rung.name + "' height must be 16-4320");
    }
    if (rung.height % 2 != 0) {
      return base::make_error("ladder: rung '" + rung.name + "' height must be even (H.264 4:2:0 sizes are)");
    }
    if (rung.video_kbps < 50 || rung.video_kbps > 100'000) {
      return base::make_error("ladder: rung '" + rung.name + "' video_kbps must be 50-100000");
    }
    if (!(rung.max_fps >= 1 && rung.max_fps <= 240)) return base::make_error("ladder: rung '" + rung.name + "' max_fps must be 1-240");
  }
  return {};
}

std::vector<PlannedRendition> plan_ladder(const SourceVideo& source, const Ladder& ladder) {
  std::vector<PlannedRendition> out;
  if (source.width == 0 || source.height == 0) return out;
  if (ladder.passthrough) {
    PlannedRendition r{"source", true, {source.width, source.height}, 0, 1, source.frame_rate};
    out.push_back(r);
  }
  auto rungs = ladder.rungs;
  std::stable_sort(rungs.begin(), rungs.end(), [](const auto& a, const auto& b) { return a.height > b.height; });
  // Without a passthrough the largest rung that does not fit becomes a source-size rendition.
  bool source_size_taken = ladder.passthrough;
  for (const auto& rung : rungs) {
    PlannedRendition r;
    r.name = rung.name;
    r.video_kbps = rung.video_kbps;
    if (rung.height >= short_side(source)) {
      if (source_size_taken) continue;  // would upscale, or duplicate the source size
      r.size = scaled(source, short_side(source));
      source_size_taken = true;
    } else {
      r.size = scaled(source, rung.height);
    }
    bool duplicate = std::any_of(out.begin(), out.end(), [&](const auto& o) { return o.size == r.size; });
    if (duplicate) continue;
    set_rate(r, source.frame_rate, rung.max_fps);
    out.push_back(r);
  }
  return out;
}

}  // namespace vela::transcode
