#include "server/restream_routes.hpp"

#include <boost/json.hpp>
#include <charconv>

namespace vela::server {

namespace asio = boost::asio;
namespace json = boost::json;
using http::beast_http::verb;

namespace {

constexpr std::string_view kListRoute = "/api/v1/streams/{}/restreams";
constexpr std::string_view kStreamsPrefix = "/api/v1/streams/";
constexpr std::string_view kRestreams = "/restreams/";

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

http::Response error_response(http::Status status, std::string message) {
  return http::json_response(status, json::serialize(json::object{{"error", std::move(message)}}));
}

// "/api/v1/streams/{name}/restreams/{id}" -> name and id.
std::optional<std::pair<std::string, uint64_t>> parse_item_path(std::string_view path) {
  if (!path.starts_with(kStreamsPrefix)) return std::nullopt;
  path.remove_prefix(kStreamsPrefix.size());
  size_t at = path.find(kRestreams);
  if (at == 0 || at == std::string_view::npos) return std::nullopt;
  std::string_view name = path.substr(0, at);
  std::string_view id_text = path.substr(at + kRestreams.size());
  if (name.find('/') != std::string_view::npos) return std::nullopt;
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (ec != std::errc() || end != id_text.data() + id_text.size()) return std::nullopt;
  return std::pair{std::string(name), id};
}

}  // namespace

void add_restream_routes(http::Router& router, egress::RestreamManager& manager) {
  router.add_pattern(verb::get, std::string(kListRoute),
                     [&manager](const http::Request&,
                                http::RequestContext& ctx) -> asio::awaitable<http::Response> {
                       std::string name(http::match_pattern(kListRoute, ctx.path).value_or(""));
                       json::array list;
                       for (const auto& entry : manager.list(name)) list.push_back(describe(entry));
                       co_return http::json_response(
                           http::Status::ok,
                           json::serialize(json::object{{"restreams", std::move(list)}}));
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
                         co_return error_response(http::Status::bad_request,
                                                  R"(expected a JSON body {"url": "..."})");
                       auto added = manager.add(name, std::string(*url));
                       if (!added)
                         co_return error_response(http::Status::bad_request, added.error().message);
                       co_return http::json_response(http::Status::created,
                                                     json::serialize(describe(*added)));
                     });
  router.add_prefix(verb::delete_, std::string(kStreamsPrefix),
                    [&manager](const http::Request&,
                               http::RequestContext& ctx) -> asio::awaitable<http::Response> {
                      auto item = parse_item_path(ctx.path);
                      if (!item || !manager.remove(item->first, item->second)) {
                        co_return error_response(http::Status::not_found,
                                                 "no such restream destination");
                      }
                      co_return http::Response{http::Status::no_content, 11};
                    });
}

}  // namespace vela::server
