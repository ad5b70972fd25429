#include "http/router.hpp"

#include <set>

namespace vela::http {

std::optional<std::vector<std::string_view>> match_segments(std::string_view pattern, std::string_view path) {
  std::vector<std::string_view> holes;
  for (;;) {
    size_t pattern_end = pattern.find('/');
    size_t path_end = path.find('/');
    std::string_view want = pattern.substr(0, pattern_end);
    std::string_view got = path.substr(0, path_end);
    if (want == "{}") {
      if (got.empty()) return std::nullopt;
      holes.push_back(got);
    } else if (want != got) {
      return std::nullopt;
    }
    if (pattern_end == std::string_view::npos || path_end == std::string_view::npos) {
      if (pattern_end != path_end || holes.empty()) return std::nullopt;
      return holes;
    }
    pattern.remove_prefix(pattern_end + 1);
    path.remove_prefix(path_end + 1);
  }
}

std::optional<std::string_view> match_pattern(std::string_view pattern, std::string_view path) {
  auto holes = match_segments(pattern, path);
  if (!holes) return std::nullopt;
  return holes->front();
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

bool Router::Route::matches(std::string_view request_path) const {
  switch (kind) {
    case Kind::exact: return request_path == path;
    case Kind::pattern: return match_pattern(path, request_path).has_value();
    case Kind::prefix: return request_path.starts_with(path);
  }
  return false;
}

std::vector<const Router::Route*> Router::resource_routes(std::string_view path) const {
  // The most specific route path that matches: exact beats pattern beats prefix, and a
  // longer prefix a shorter one. Its routes (one per method) are the resource.
  const Route* best = nullptr;
  for (const auto& r : routes_) {
    if (!r.matches(path)) continue;
    if (!best || r.kind > best->kind || (r.kind == best->kind && r.path.size() > best->path.size())) best = &r;
  }
  std::vector<const Route*> out;
  if (!best) return out;
  for (const auto& r : routes_) {
    if (r.kind == best->kind && r.path == best->path) out.push_back(&r);
  }
  return out;
}

const Handler* Router::find(beast_http::verb method, std::string_view path, bool& path_known) const {
  auto routes = resource_routes(path);
  path_known = !routes.empty();
  for (const Route* r : routes) {
    if (r->method == method) return &r->handler;
  }
  return nullptr;
}

std::string Router::allowed_methods(std::string_view path) const {
  std::set<beast_http::verb> methods;
  for (const Route* r : resource_routes(path)) {
    methods.insert(r->method);
    if (r->method == beast_http::verb::get) methods.insert(beast_http::verb::head);
  }
  std::string out;
  for (auto method : methods) {
    if (!out.empty()) out += ", ";
    out += beast_http::to_string(method);
  }
  return out;
}

}  // namespace vela::http
