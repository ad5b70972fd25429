#include "http/router.hpp"

namespace vela::http {

void Router::add(beast_http::verb method, std::string path, Handler handler) {
  routes_.push_back({method, std::move(path), false, std::move(handler)});
}

void Router::add_prefix(beast_http::verb method, std::string prefix, Handler handler) {
  routes_.push_back({method, std::move(prefix), true, std::move(handler)});
}

const Handler* Router::find(beast_http::verb method, std::string_view path, bool& path_known) const {
  path_known = false;
  const Route* best = nullptr;
  for (const auto& r : routes_) {
    bool match = r.prefix ? path.starts_with(r.path) : path == r.path;
    if (!match) continue;
    path_known = true;
    if (r.method != method) continue;
    // Exact routes win over prefixes; a longer prefix wins over a shorter one.
    if (!best || (!r.prefix && best->prefix) ||
        (r.prefix == best->prefix && r.path.size() > best->path.size())) {
      best = &r;
    }
  }
  return best ? &best->handler : nullptr;
}

}  // namespace vela::http
