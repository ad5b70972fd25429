#include "http/router.hpp"

#include <set>

namespace vela::http {

namespace {

// Walks `pattern` and `path` segment by segment, calling on_hole(segment) for each "{}";
// true when they match (each "{}" one non-empty segment, the other segments equal, at least
// one "{}"). Allocates nothing: routes are matched on every request.
template <class OnHole>
bool walk_pattern(std::string_view pattern, std::string_view path, OnHole on_hole) {
  bool has_hole = false;
  for (;;) {
    size_t pattern_end = pattern.find('/');
    size_t path_end = path.find('/');
    std::string_view want = pattern.substr(0, pattern_end);
    std::string_view got = path.substr(0, path_end);
    if (want == "{}") {
      if (got.empty()) return false;
      has_hole = true;
      on_hole(got);
    } else if (want != got) {
      return false;
    }
    if (pattern_end == std::string_view::npos || path_end == std::string_view::npos) {
      return pattern_end == path_end && has_hole;
    }
    pattern.remove_prefix(pattern_end + 1);
    path.remove_prefix(path_end + 1);
  }
}

}  // namespace

std::optional<std::vector<std::string_view>> match_segments(std::string_view pattern, std::string_view path) {
  std::vector<std::string_view> holes;
  if (!walk_pattern(pattern, path, [&](std::string_view hole) { holes.push_back(hole); })) return std::nullopt;
  return holes;
}

std::optional<std::string_view> match_pattern(std::string_view pattern, std::string_view path) {
  std::optional<std::string_view> first;
  auto keep_first = [&](std::string_view hole) {
    if (!first) first = hole;
  };
  if (!walk_pattern(pattern, path, keep_first)) return std::nullopt;
  return first;
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
    case Kind::pattern: return walk_pattern(path, request_path, [](std::string_view) {});
    case Kind::prefix: return request_path.starts_with(path);
  }
  return false;
}

const Router::Route* Router::resource_of(std::string_view path) const {
  // The most specific route path that matches: exact beats pattern beats prefix, and a
  // longer prefix a shorter one. Routes with that kind and path (one per method) are the
  // request's resource.
  const Route* best = nullptr;
  for (const auto& r : routes_) {
    if (!r.matches(path)) continue;
    if (!best || r.kind > best->kind || (r.kind == best->kind && r.path.size() > best->path.size())) best = &r;
  }
  return best;
}

const Handler* Router::find(beast_http::verb method, std::string_view path, bool& path_known) const {
  const Route* resource = resource_of(path);
  path_known = resource != nullptr;
  if (!resource) return nullptr;
  for (const auto& r : routes_) {
    if (r.method == method && r.kind == resource->kind && r.path == resource->path) return &r.handler;
  }
  return nullptr;
}

std::string Router::allowed_methods(std::string_view path) const {
  std::set<beast_http::verb> methods;
  const Route* resource = resource_of(path);
  for (const auto& r : routes_) {
    if (!resource || r.kind != resource->kind || r.path != resource->path) continue;
    methods.insert(r.method);
    if (r.method == beast_http::verb::get) methods.insert(beast_http::verb::head);
  }
  std::string out;
  for (auto method : methods) {
    if (!out.empty()) out += ", ";
    out += beast_http::to_string(method);
  }
  return out;
}

}  // namespace vela::http
