#include "server/recording_routes.hpp"

#include <boost/json.hpp>

#include "packager/hls_text.hpp"

namespace vela::server {

namespace asio = boost::asio;
namespace json = boost::json;
using http::beast_http::verb;

namespace {

constexpr std::string_view kListRoute = "/api/v1/recordings";
constexpr std::string_view kItemRoute = "/api/v1/recordings/{}";

json::object describe(const record::RecordingSummary& r) {
  json::array renditions;
  for (const auto& rendition : r.renditions) {
    renditions.push_back(json::object{{"name", rendition.name}, {"codecs", rendition.codecs},
                                      {"bandwidth", rendition.bandwidth}, {"width", rendition.width},
                                      {"height", rendition.height}});
  }
  return json::object{{"id", r.id},
                      {"stream", r.stream},
                      {"state", r.finished ? "finished" : "recording"},
                      {"started_at", packager::format_program_date_time(r.started_unix_ms * 1000)},
                      {"duration_s", static_cast<double>(r.duration_us / 1000) / 1000.0},
                      {"size_bytes", r.bytes},
                      {"renditions", std::move(renditions)}};
}

http::Response not_found(std::string_view id) {
  std::string shown = record::is_valid_recording_id(id) ? std::string(id) : "(invalid id)";
  return http::error_response(http::Status::not_found, "no recording '" + shown + "'");
}

}  // namespace

void add_recording_routes(http::Router& router, record::Recorder* recorder) {
  router.add(verb::get, std::string(kListRoute),
             [recorder](const http::Request&, http::RequestContext&) -> asio::awaitable<http::Response> {
               json::array list;
               if (recorder) {
                 for (const auto& r : recorder->catalog().list()) list.push_back(describe(r));
               }
               co_return http::json_response(http::Status::ok, json::object{{"recordings", std::move(list)}});
             });
  router.add_pattern(verb::get, std::string(kItemRoute),
                     [recorder](const http::Request&, http::RequestContext& ctx) -> asio::awaitable<http::Response> {
                       std::string id(http::match_pattern(kItemRoute, ctx.path).value_or(""));
                       auto found = recorder && record::is_valid_recording_id(id) ? recorder->catalog().find(id)
                                                                                  : std::nullopt;
                       if (!found) co_return not_found(id);
                       co_return http::json_response(http::Status::ok, describe(*found));
                     });
  router.add_pattern(verb::delete_, std::string(kItemRoute),
                     [recorder](const http::Request&, http::RequestContext& ctx) -> asio::awaitable<http::Response> {
                       std::string id(http::match_pattern(kItemRoute, ctx.path).value_or(""));
                       if (!recorder || !record::is_valid_recording_id(id)) co_return not_found(id);
                       switch (recorder->remove(id)) {
                         case record::Recorder::RemoveResult::removed:
                           co_return http::make_response(http::Status::no_content, "", {});
                         case record::Recorder::RemoveResult::recording:
                           co_return http::error_response(http::Status::conflict,
                                                          "recording '" + id + "' is still being recorded");
                         case record::Recorder::RemoveResult::not_found:
                           break;
                       }
                       co_return not_found(id);
                     });
}

}  // namespace vela::server
