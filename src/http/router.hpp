#pragma once
// Maps method + path to a handler. A route is an exact path, a pattern with one "{}"
// segment (e.g. "/live/{}/thumbnail.jpg"), or a prefix ending in '/'. Exact routes win over
// patterns, patterns over prefixes; among prefixes the longest wins.
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

// The segment that the pattern's "{}" stands for in `path`: one non-empty path segment (no
// '/'). nullopt when the path does not match or the pattern has no "{}".
std::optional<std::string_view> match_pattern(std::string_view pattern, std::string_view path);

class Router {
 public:
  // Registration happens before the server starts; dispatch is read-only and thread-safe.
  void add(beast_http::verb method, std::string path, Handler handler);
  void add_pattern(beast_http::verb method, std::string pattern, Handler handler);
  void add_prefix(beast_http::verb method, std::string prefix, Handler handler);

  // The handler for a request, or nullptr. `path_known` tells 405 from 404.
  const Handler* find(beast_http::verb method, std::string_view path, bool& path_known) const;

 private:
  enum class Kind { prefix, pattern, exact };  // in order of precedence
  struct Route {
    beast_http::verb method;
    std::string path;
    Kind kind;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace vela::http
