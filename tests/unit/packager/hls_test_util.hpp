#pragma once
// Helpers for the LL-HLS tests: feed a LiveTimeline like the segmenter would, and pick
// playlists apart line by line so tests assert on tags and attributes.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/buffer.hpp"
#include "packager/live_timeline.hpp"

namespace vela::packager::test {

constexpr int64_t kWallClockBaseUs = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z

// Distinct, recognisable bytes per part.
inline base::Buffer part_bytes(uint64_t msn, uint32_t index) {
  return base::Buffer::copy_of("part " + std::to_string(msn) + "." + std::to_string(index));
}

inline CmafPart make_part(uint64_t msn, uint32_t index, double duration_s = 0.5,
                          int64_t wall_clock_us = 0) {
  CmafPart part;
  part.msn = msn;
  part.index = index;
  part.duration_s = duration_s;
  part.independent = index == 0;
  part.wall_clock_us = wall_clock_us;
  part.data = part_bytes(msn, index);
  return part;
}

// A timeline with an init segment, ready for parts.
inline LiveTimeline make_timeline(LiveTimelineConfig config = {}) {
  LiveTimeline timeline(std::move(config));
  EXPECT_TRUE(timeline.set_init(base::Buffer::copy_of("init")).ok());
  return timeline;
}

// Adds `parts` parts of `part_s` to segment msn (wall clock from its msn, 2 s apart).
inline void add_parts(LiveTimeline& timeline, uint64_t msn, uint32_t first, uint32_t parts,
                      double part_s = 0.5) {
  for (uint32_t i = first; i < first + parts; ++i) {
    int64_t wall = kWallClockBaseUs + static_cast<int64_t>(msn) * 2'000'000 +
                   static_cast<int64_t>(i * part_s * 1e6);
    EXPECT_TRUE(timeline.add_part(make_part(msn, i, part_s, wall)).ok()) << msn << "." << i;
  }
}

// A complete segment of `parts` parts.
inline void add_segment(LiveTimeline& timeline, uint64_t msn, uint32_t parts = 4,
                        double part_s = 0.5, bool discontinuity = false) {
  add_parts(timeline, msn, 0, parts, part_s);
  EXPECT_TRUE(timeline.end_segment(CmafSegmentEnd{msn, parts * part_s, discontinuity}).ok());
}

inline std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    lines.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

inline std::vector<std::string> with_prefix(const std::vector<std::string>& lines,
                                            std::string_view prefix) {
  std::vector<std::string> out;
  for (const std::string& line : lines) {
    if (line.starts_with(prefix)) out.push_back(line);
  }
  return out;
}

// Index of the first line starting with `prefix` at or after `from`; lines.size() if none.
inline size_t find_line(const std::vector<std::string>& lines, std::string_view prefix,
                        size_t from = 0) {
  for (size_t i = from; i < lines.size(); ++i) {
    if (lines[i].starts_with(prefix)) return i;
  }
  return lines.size();
}

// Value of attribute `name` in a tag line's attribute list (quotes kept); "" if absent.
inline std::string attribute(std::string_view line, std::string_view name) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return {};
  std::string_view list = line.substr(colon + 1);
  while (!list.empty()) {
    size_t eq = list.find('=');
    if (eq == std::string_view::npos) return {};
    std::string_view key = list.substr(0, eq);
    list.remove_prefix(eq + 1);
    size_t end = 0;
    if (!list.empty() && list.front() == '"') {
      end = list.find('"', 1);
      end = end == std::string_view::npos ? list.size() : end + 1;
    } else {
      end = std::min(list.find(','), list.size());
    }
    if (key == name) return std::string(list.substr(0, end));
    list.remove_prefix(std::min(end + 1, list.size()));
  }
  return {};
}

}  // namespace vela::packager::test
