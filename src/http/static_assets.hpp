#pragma once
// The web front end (web/dist), embedded into the binary at build time by
// cmake/embed_web.cmake. The table is immutable static data, so any thread may call this.
#include <cstdint>
#include <span>
#include <string_view>

namespace vela::http {

struct StaticAsset {
  std::string_view content_type;
  std::span<const uint8_t> bytes;
};

// Looks up an embedded web asset by path relative to web/dist ("index.html",
// "assets/watch.js"). nullptr if absent.
const StaticAsset* find_static_asset(std::string_view path);

}  // namespace vela::http
