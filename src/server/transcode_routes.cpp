#include "server/transcode_routes.hpp"

#include <boost/json.hpp>
#include <cmath>

namespace vela::server {

namespace asio = boost::asio;
namespace json = boost::json;
using http::beast_http::verb;

namespace {

constexpr std::string_view kRoute = "/api/v1/streams/{}/ladder";

json::object describe(const std::string& name, const transcode::LadderSettings& settings,
                      const transcode::TranscodeStatus& status) {
  transcode::StreamLadder ladder = settings.effective(name);
  json::array rungs;
  for (const auto& r : ladder.ladder.rungs) {
    rungs.push_back(json::object{{"name", r.name}, {"height", r.height}, {"video_kbps", r.video_kbps}, {"max_fps", r.max_fps}});
  }
  json::object o{{"stream", name},
                 {"enabled", ladder.enabled},
                 {"passthrough", ladder.ladder.passthrough},
                 {"rungs", std::move(rungs)},
                 {"overridden", settings.overridden(name)}};
  if (auto live = status.find(name)) {
    json::array renditions;
    for (const auto& r : *live) {
      renditions.push_back(json::object{{"name", r.plan.name},
                                        {"passthrough", r.plan.passthrough},
                                        {"width", r.plan.size.width},
                                        {"height", r.plan.size.height},
                                        {"video_kbps", r.plan.video_kbps},
                                        {"frame_rate", r.plan.frame_rate},
                                        {"frame_step", r.plan.frame_step},
                                        {"state", r.running ? "running" : "shed"}});
    }
    o["renditions"] = std::move(renditions);
  } else {
    o["renditions"] = nullptr;
  }
  return o;
}

std::optional<uint32_t> whole_number(const json::value* v) {
  if (!v) return std::nullopt;
  if (auto* i = v->if_int64(); i && *i >= 0 && *i <= UINT32_MAX) return static_cast<uint32_t>(*i);
  if (auto* u = v->if_uint64(); u && *u <= UINT32_MAX) return static_cast<uint32_t>(*u);
  return std::nullopt;
}

// {name, height, video_kbps, max_fps?}; ranges are checked by validate_ladder.
base::Result<transcode::LadderRung> parse_rung(const json::value& v) {
  const json::object* o = v.if_object();
  if (o) {
    for (const auto& [key, value] : *o) {
      if (key != "name" && key != "height" && key != "video_kbps" && key != "max_fps")
        return base::make_error("unknown rung field '" + std::string(key) + "' (name, height, video_kbps, max_fps)");
    }
  }
  const json::string* name = o && o->if_contains("name") ? o->at("name").if_string() : nullptr;
  auto height = whole_number(o ? o->if_contains("height") : nullptr);
  auto kbps = whole_number(o ? o->if_contains("video_kbps") : nullptr);
  if (!name || !height || !kbps) {
    return base::make_error("each rung needs name (string), height and video_kbps (whole numbers)");
  }
  transcode::LadderRung rung{std::string(*name), *height, *kbps, 30};
  if (const json::value* fps = o->if_contains("max_fps")) {
    if (!fps->is_number()) return base::make_error("rung '" + rung.name + "': max_fps must be a number");
    rung.max_fps = fps->to_number<double>();
  }
  return rung;
}

// The body applied over the current ladder.
base::Result<transcode::StreamLadder> parse_body(std::string_view body, transcode::StreamLadder ladder) {
  boost::system::error_code error;
  json::value parsed = json::parse(body, error);
  if (error || !parsed.is_object()) {
    return base::make_error(R"(expected a JSON object {"enabled": bool, "passthrough": bool, "rungs": [...]})");
  }
  const json::object& o = parsed.as_object();
  for (const auto& [key, value] : o) {
    if (key == "enabled" || key == "passthrough") {
      if (!value.is_bool()) return base::make_error(std::string(key) + " must be true or false");
      (key == "enabled" ? ladder.enabled : ladder.ladder.passthrough) = value.as_bool();
    } else if (key == "rungs") {
      if (!value.is_array()) return base::make_error("rungs must be an array");
      if (value.as_array().empty()) {
        return base::make_error("rungs must list at least one rung (to transcode nothing, set enabled to false)");
      }
      ladder.ladder.rungs.clear();
      for (const auto& item : value.as_array()) {
        auto rung = parse_rung(item);
        if (!rung) return rung.error();
        ladder.ladder.rungs.push_back(std::move(*rung));
      }
    } else {
      return base::make_error("unknown field '" + std::string(key) + "'");
    }
  }
  return ladder;
}

}  // namespace

void add_transcode_routes(http::Router& router, transcode::LadderSettings& settings,
                          const transcode::TranscodeStatus& status) {
  router.add_pattern(verb::get, std::string(kRoute),
                     [&settings, &status](const http::Request&,
                                          http::RequestContext& ctx) -> asio::awaitable<http::Response> {
                       std::string name(http::match_pattern(kRoute, ctx.path).value_or(""));
                       co_return http::json_response(http::Status::ok, describe(name, settings, status));
                     });
  router.add_pattern(verb::put, std::string(kRoute),
                     [&settings, &status](const http::Request& req,
                                          http::RequestContext& ctx) -> asio::awaitable<http::Response> {
                       std::string name(http::match_pattern(kRoute, ctx.path).value_or(""));
                       auto ladder = parse_body(req.body(), settings.effective(name));
                       if (!ladder) co_return http::error_response(http::Status::bad_request, ladder.error().message);
                       if (base::Status set = settings.set(name, std::move(*ladder)); !set) {
                         co_return http::error_response(http::Status::bad_request, set.error().message);
                       }
                       json::object o = describe(name, settings, status);
                       o["applies"] = "next_publish";
                       co_return http::json_response(http::Status::ok, o);
                     });
  router.add_pattern(verb::delete_, std::string(kRoute),
                     [&settings, &status](const http::Request&,
                                          http::RequestContext& ctx) -> asio::awaitable<http::Response> {
                       std::string name(http::match_pattern(kRoute, ctx.path).value_or(""));
                       if (!settings.reset(name)) {
                         co_return http::error_response(http::Status::not_found, "stream '" + name + "' has no ladder of its own");
                       }
                       json::object o = describe(name, settings, status);
                       o["applies"] = "next_publish";
                       co_return http::json_response(http::Status::ok, o);
                     });
}

}  // namespace vela::server
