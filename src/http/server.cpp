#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <tuple>
#include <spdlog/spdlog.h>

#include "base/on_exit.hpp"
#include "runtime/listener.hpp"

namespace vela::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

namespace {

void add_cors(Response& res) {
  res.set(beast_http::field::access_control_allow_origin, "*");
  res.set(beast_http::field::access_control_expose_headers, "Location, ETag, Link, Content-Length");
}

bool parse_target(std::string_view target, RequestContext& context) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return false;
  context.path = std::string(url->path());
  context.query = std::string(url->encoded_query());
  for (auto param : url->params()) context.params[std::string(param.key)] = std::string(param.value);
  return true;
}

}  // namespace

Server::Server(runtime::Shard& shard, ServerOptions options, const Router& router,
               base::MetricsRegistry& metrics)
    : shard_(shard),
      options_(options),
      router_(router),
      open_gauge_(metrics.gauge("vela_http_connections", "Open HTTP connections",
                                "shard=\"" + std::to_string(shard.index()) + "\"")),
      requests_(metrics.counter("vela_http_requests_total", "HTTP requests served")),
      refused_(metrics.counter("vela_http_refused_total",
                               "HTTP connections refused at the connection limit")) {
  for (size_t i = 0; i < responses_.size(); ++i) {
    responses_[i] = &metrics.counter("vela_http_responses_total", "HTTP responses, by status class",
                                     "class=\"" + std::to_string(i + 1) + "xx\"");
  }
}

base::Status Server::start() {
  auto acceptor = runtime::open_reuseport_acceptor(shard_.io(), options_.endpoint);
  if (!acceptor) return acceptor.error();
  acceptor_.emplace(std::move(*acceptor));
  asio::co_spawn(shard_.io(), accept_loop(), asio::detached);
  return {};
}

void Server::stop() {
  stopping_ = true;
  if (acceptor_) acceptor_->close();
  for (auto& connection : open_) {
    if (connection.reading) connection.stream->cancel();
  }
}

asio::awaitable<void> Server::accept_loop() {
  while (!stopping_) {
    auto [error, socket] = co_await acceptor_->async_accept(kUse);
    if (error) {
      if (stopping_ || error == asio::error::operation_aborted) break;
      spdlog::warn("http accept failed: {}", error.message());
      continue;
    }
    if (connections_.load() >= options_.max_connections) {
      refused_.add();
      socket.close();  // over the limit: refuse at once rather than queue
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(shard_.io(), serve(std::move(socket)), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("http session ended by exception: {}", ex.what());
      }
    });
  }
}

asio::awaitable<void> Server::serve(tcp::socket socket) {
  connections_.fetch_add(1);
  open_gauge_.add(1);
  beast::tcp_stream stream(std::move(socket));
  auto registered = open_.insert(open_.end(), Connection{&stream});
  base::OnExit unregister([&] {
    open_.erase(registered);
    connections_.fetch_sub(1);
    open_gauge_.add(-1);
  });
  const std::string remote = runtime::peer_address(stream.socket());
  beast::flat_buffer buffer;
  while (!stopping_) {
    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(options_.max_header_bytes);
    parser.body_limit(options_.max_body_bytes);
    stream.expires_after(options_.idle_timeout);
    registered->reading = true;
    auto [read_error, read_bytes] = co_await beast_http::async_read_header(stream, buffer, parser, kUse);
    registered->reading = false;
    if (!read_error && !parser.is_done()) {
      // The header is in and a body follows: a client that waits to be told to send it
      // (Expect: 100-continue, RFC 9110 10.1.1) gets it now.
      if (beast::iequals(parser.get()[beast_http::field::expect], "100-continue")) {
        beast_http::response<beast_http::empty_body> go_on{Status::continue_, 11};
        auto [continue_error, continue_bytes] = co_await beast_http::async_write(stream, go_on, kUse);
        if (continue_error) break;
      }
      std::tie(read_error, read_bytes) = co_await beast_http::async_read(stream, buffer, parser, kUse);
    }
    if (read_error) {
      std::optional<Response> refusal;
      if (read_error == beast_http::error::header_limit) {
        refusal = error_response(Status::request_header_fields_too_large, "request header too large");
      } else if (read_error == beast_http::error::body_limit) {
        refusal = error_response(Status::payload_too_large, "request body too large");
      } else if (read_error.category() == beast_http::make_error_code(beast_http::error::bad_target).category()) {
        refusal = error_response(Status::bad_request, "malformed HTTP request");
      }
      if (refusal) {
        refusal->keep_alive(false);
        count_response(refusal->result_int());
        refusal->prepare_payload();
        stream.expires_after(std::chrono::seconds(5));
        co_await beast_http::async_write(stream, *refusal, kUse);
      }
      break;
    }
    Request request = parser.release();
    requests_.add();
    RequestContext context;
    context.shard = shard_.index();
    context.remote = remote;
    // Plain statements, not `cond ? co_await a : b`: GCC 12 destroys that temporary early.
    Response response;
    bool host_missing = request.version() >= 11 && request.find(beast_http::field::host) == request.end();
    if (host_missing) {
      response = error_response(Status::bad_request, "HTTP/1.1 requests need a Host header");  // RFC 9112 3.2
    } else if (!parse_target(request.target(), context)) {
      response = error_response(Status::bad_request, "malformed request target");
    } else {
      response = co_await dispatch(request, context);
    }
    add_cors(response);
    count_response(response.result_int());
    bool keep_alive = request.keep_alive() && !stopping_ && !host_missing;
    response.keep_alive(keep_alive);
    response.version(request.version());
    bool head = request.method() == beast_http::verb::head;
    response.prepare_payload();
    if (head) response.body().clear();
    stream.expires_after(options_.idle_timeout);
    // For HEAD the Content-Length stays that of the GET body while no body is sent.
    auto [write_error, written] = co_await beast_http::async_write(stream, response, kUse);
    if (write_error || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

void Server::count_response(unsigned status) {
  size_t status_class = status / 100;
  if (status_class >= 1 && status_class <= 5) responses_[status_class - 1]->add();
}

asio::awaitable<Response> Server::dispatch(Request& request, RequestContext& context) {
  if (request.method() == beast_http::verb::options) {
    // A CORS preflight (or plain OPTIONS): the methods this path has.
    std::string methods = router_.allowed_methods(context.path);
    if (methods.empty()) co_return error_response(Status::not_found, "not found: " + context.path);
    Response res{Status::no_content, 11};
    res.set(beast_http::field::allow, methods + ", OPTIONS");
    res.set(beast_http::field::access_control_allow_methods, methods + ", OPTIONS");
    res.set(beast_http::field::access_control_allow_headers,
            "Authorization, Content-Type, If-Match, If-None-Match");
    res.set(beast_http::field::access_control_max_age, "86400");
    co_return res;
  }
  beast_http::verb method = request.method();
  if (method == beast_http::verb::head) method = beast_http::verb::get;
  bool path_known = false;
  const Handler* handler = router_.find(method, context.path, path_known);
  if (!handler && path_known) {
    Response res = error_response(Status::method_not_allowed,
                                  std::string(request.method_string()) + " is not allowed on " + context.path);
    res.set(beast_http::field::allow, router_.allowed_methods(context.path) + ", OPTIONS");
    co_return res;
  }
  if (!handler) co_return error_response(Status::not_found, "not found: " + context.path);
  co_return co_await (*handler)(request, context);
}

}  // namespace vela::http
