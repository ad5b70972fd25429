#pragma once
// Maps method + path to a handler. A route is an exact path, a pattern whose "{}" segments
// stand for any one segment (e.g. "/live/{}/thumbnail.jpg"), or a prefix ending in '/'. A request's resource
// is the most specific route path that matches it (exact over pattern over prefix, the
// longest prefix among prefixes); its method then picks the handler, or is not allowed.
// Handlers are coroutines on the request's shard; they may park (co_await) before replying.
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace vela::http {

using Handler = std::function<boost::asio::awaitable<Response>(const Request&, RequestContext&)>;

// The segments that the pattern's "{}"s stand for in `path`, in order: each "{}" is one
// whole non-empty path segment; the other segments must be equal. nullopt when the path
// does not match or the pattern has no "{}".
std::optional<std::vector<std::string_view>> match_segments(std::string_view pattern, std::string_view path);
// The first of them.
std::optional<std::string_view> match_pattern(std::string_view pattern, std::string_view path);

class Router {
 public:
  // Registration happens before the server starts; dispatch is read-only and thread-safe.
  void add(beast_http::verb method, std::string path, Handler handler);
  void add_pattern(beast_http::verb method, std::string pattern, Handler handler);
  void add_prefix(beast_http::verb method, std::string prefix, Handler handler);

  // The handler for a request, or nullptr. `path_known` tells 405 from 404.
  const Handler* find(beast_http::verb method, std::string_view path, bool& path_known) const;
  // The methods some route serves for `path` (HEAD wherever GET), for Allow and CORS
  // preflights, as "GET, HEAD, POST"; empty when no route matches the path.
  std::string allowed_methods(std::string_view path) const;

 private:
  enum class Kind { prefix, pattern, exact };  // in order of precedence
  struct Route {
    beast_http::verb method;
    std::string path;
    Kind kind;
    Handler handler;

    bool matches(std::string_view request_path) const;
  };
  const Route* resource_of(std::string_view path) const;  // nullptr: no route matches

  std::vector<Route> routes_;
};

}  // namespace vela::http
