#pragma once
// Maps method + path to a handler. A route is an exact path or a prefix ending in '/'.
// Handlers are coroutines on the request's shard; they may park (co_await) before replying.
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace vela::http {

using Handler = std::function<boost::asio::awaitable<Response>(const Request&, RequestContext&)>;

class Router {
 public:
  // Registration happens before the server starts; dispatch is read-only and thread-safe.
  void add(beast_http::verb method, std::string path, Handler handler);
  void add_prefix(beast_http::verb method, std::string prefix, Handler handler);

  // The handler for a request, or nullptr. `path_known` tells 405 from 404.
  const Handler* find(beast_http::verb method, std::string_view path, bool& path_known) const;

 private:
  struct Route {
    beast_http::verb method;
    std::string path;
    bool prefix;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace vela::http
