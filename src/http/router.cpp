#include "http/router.hpp"

namespace vela::http {

std::optional<std::string_view> match_pattern(std::string_view pattern, std::string_view path) {
  auto hole = pattern.find("{}");
  if (hole == std::string_view::npos) return std::nullopt;
  std::string_view before = pattern.substr(0, hole);
  std::string_view after = pattern.substr(hole + 2);
  if (path.size() <= before.size() + after.size() || !path.starts_with(before) ||
      !path.ends_with(after)) {
    return std::nullopt;
  }
  std::string_view segment = path.substr(before.size(), path.size() - before.size() - after.size());
  if (segment.find('/') != std::string_view::npos) return std::nullopt;
  return segment;
}

void Router::add(beast_http::verb method, std::string path, Handler handler) {
  routes_.push_back({method, std::move(path), Kind::exact, std::move(handler)});
}

void Router::add_pattern(beast_http::verb method, std::string pattern, Handler handler) {
  routes_.push_back({method, std::move(pattern), Kind::pattern, std::move(handler)});
}

void Router::add_prefix(beast_http::verb method, std::string prefix, Handler handler) {
  routes_.push_back({method, std::move(prefix), Kind::prefix, std::move(handler)});
}

const Handler* Router::find(beast_http::verb method, std::string_view path, bool& path_known) const {
  path_known = false;
  const Route* best = nullptr;
  for (const auto& r : routes_) {
    bool match = false;
    switch (r.kind) {
      case Kind::exact:
        match = path == r.path;
        break;
      case Kind::pattern:
        match = match_pattern(r.path, path).has_value();
        break;
      case Kind::prefix:
        match = path.starts_with(r.path);
        break;
    }
    if (!match) continue;
    path_known = true;
    if (r.method != method) continue;
    // Exact beats pattern beats prefix; a longer prefix wins over a shorter one.
    if (!best || r.kind > best->kind || (r.kind == best->kind && r.path.size() > best->path.size())) {
      best = &r;
    }
  }
  return best ? &best->handler : nullptr;
}

}  // namespace vela::http
