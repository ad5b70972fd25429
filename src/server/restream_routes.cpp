#include "server/restream_routes.hpp"

#include <boost/json.hpp>
#include <charconv>

namespace vela::server {

namespace asio = boost::asio;
namespace json = boost::json;
using http::beast_http::verb;

namespace {

constexpr std::string_view kListRoute = "/api/v1/streams/{}/restreams";
constexpr std::string_view kItemRoute = "/api/v1/streams/{}/restreams/{}";

json::object describe(const egress::RestreamEntry& entry) {
  json::object o;
  o["id"] = entry.id;
  o["url"] = entry.url;
  o["configured"] = entry.configured;
  o["state"] = egress::to_string(entry.status.state);
  o["bytes_sent"] = entry.status.bytes_sent;
  o["attempts"] = entry.status.attempts;
  if (entry.status.last_error.empty()) {
    o["last_error"] = nullptr;
  } else {
    o["last_error"] = entry.status.last_error;
  }
  if (entry.status.state == egress::RestreamState::backing_off)
    o["retry_in_ms"] = entry.status.retry_in_ms;
  return o;
}

// "{id}" of "/api/v1/streams/{name}/restreams/{id}": a decimal number.
std::optional<uint64_t> parse_id(std::string_view text) {
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

}  // namespace

void add_restream_routes(http::Router& router, egress::RestreamManager& manager) {
  router.add_pattern(verb::get, std::string(kListRoute),
                     [&manager](const http::Request&,
                                http::RequestContext& ctx) -> asio::awaitable<http::Response> {
                       std::string name(http::match_pattern(kListRoute, ctx.path).value_or(""));
                       json::array list;
                       for (const auto& entry : manager.list(name)) list.push_back(describe(entry));
                       co_return http::json_response(http::Status::ok, json::object{{"restreams", std::move(list)}});
                     });
  router.add_pattern(verb::post, std::string(kListRoute),
                     [&manager](const http::Request& req,
                                http::RequestContext& ctx) -> asio::awaitable<http::Response> {
                       std::string name(http::match_pattern(kListRoute, ctx.path).value_or(""));
                       boost::system::error_code error;
                       json::value body = json::parse(req.body(), error);
                       const json::string* url = nullptr;
                       if (!error && body.is_object()) {
                         if (auto* field = body.as_object().if_contains("url"))
                           url = field->if_string();
                       }
                       if (!url)
                         co_return http::error_response(http::Status::bad_request,
                                                  R"(expected a JSON body {"url": "..."})");
                       auto added = manager.add(name, std::string(*url));
                       if (!added)
                         co_return http::error_response(http::Status::bad_request, added.error().message);
                       co_return http::json_response(http::Status::created, describe(*added));
                     });
  router.add_pattern(verb::delete_, std::string(kItemRoute),
                     [&manager](const http::Request&,
                                http::RequestContext& ctx) -> asio::awaitable<http::Response> {
                       auto segments = http::match_segments(kItemRoute, ctx.path);
                       auto id = segments ? parse_id((*segments)[1]) : std::nullopt;
                       if (!id || !manager.remove(std::string((*segments)[0]), *id)) {
                         co_return http::error_response(http::Status::not_found, "no such restream destination");
                       }
                       co_return http::Response{http::Status::no_content, 11};
                     });
}

}  // namespace vela::server
