#include "server/web_routes.hpp"

#include <boost/json.hpp>
#include <ctime>

#include "http/static_assets.hpp"

namespace vela::server {

namespace asio = boost::asio;
namespace json = boost::json;
using http::beast_http::verb;

namespace {

http::Response asset_response(std::string_view path) {
  const http::StaticAsset* asset = http::find_static_asset(path);
  if (!asset) return http::error_response(http::Status::not_found, "not found: /" + std::string(path));
  // Embedded bytes live as long as the process: referenced, not copied.
  http::Response res = http::make_response(http::Status::ok, asset->content_type,
                                           base::Buffer::wrap_static(asset->bytes));
  res.set(http::beast_http::field::cache_control,
          path.starts_with("assets/") ? "public, max-age=300" : "no-cache");
  return res;
}

std::string iso8601(int64_t wall_us) {
  std::time_t seconds = static_cast<std::time_t>(wall_us / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

json::object describe_track(const media::TrackInfo& t) {
  json::object o;
  o["id"] = t.id;
  o["kind"] = t.kind == media::MediaKind::video ? "video" : "audio";
  o["codec"] = t.codec_string;
  if (t.kind == media::MediaKind::video) {
    o["width"] = t.width;
    o["height"] = t.height;
    if (t.frame_rate > 0) o["frame_rate"] = t.frame_rate;
  } else {
    o["sample_rate"] = t.sample_rate;
    o["channels"] = t.channels;
  }
  return o;
}

json::object describe_ingest(const router::IngestStatus& ingest) {
  json::object o;
  o["protocol"] = ingest.protocol;
  o["remote"] = ingest.remote;
  json::object transport;
  for (const auto& [key, value] : ingest.transport) transport[key] = value;
  if (!transport.empty()) o["transport"] = std::move(transport);
  return o;
}

json::object describe_cue(const media::CueEvent& cue) {
  json::object o;
  o["command"] = cue.command;
  o["event_id"] = cue.event_id;
  o["cancel"] = cue.cancel;
  if (cue.command == "splice_insert") o["out_of_network"] = cue.out_of_network;
  if (cue.segmentation_type) o["segmentation_type"] = *cue.segmentation_type;
  // Seconds on the stream timeline (the same clock as the media's presentation times).
  if (cue.pts) o["pts_s"] = static_cast<double>(*cue.pts) / media::kVideoTimescale;
  if (cue.duration) o["duration_s"] = static_cast<double>(*cue.duration) / media::kVideoTimescale;
  o["received_at"] = iso8601(cue.received_wall_us);
  return o;
}

// One live stream as the API shows it, seen from `shard`.
json::object describe_stream(router::Stream& stream, size_t shard) {
  json::object o;
  o["name"] = stream.name();
  o["live"] = !stream.ended(shard);
  o["started_at"] = iso8601(stream.started_wall_us());
  json::array tracks;
  for (const auto& t : stream.tracks(shard)) tracks.push_back(describe_track(t));
  o["tracks"] = std::move(tracks);
  // Made by the server from the source: ladder renditions, bridged audio (AAC <-> Opus).
  json::array derived;
  for (const auto& t : stream.derived_tracks(shard)) {
    json::object d = describe_track(t);
    d["rendition"] = t.rendition;
    derived.push_back(std::move(d));
  }
  o["derived_tracks"] = std::move(derived);
  o["ingest"] = describe_ingest(stream.status().ingest());
  json::array cues;
  for (const auto& cue : stream.status().cues()) cues.push_back(describe_cue(cue));
  o["cues"] = std::move(cues);
  o["playback"] = {{"hls", "/live/" + stream.name() + "/index.m3u8"},
                   {"watch", "/watch/" + stream.name()},
                   {"whep", "/whep/" + stream.name()},
                   {"thumbnail", "/live/" + stream.name() + "/thumbnail.jpg"}};
  return o;
}


}  // namespace

void add_web_routes(http::Router& router, const router::StreamRegistry& registry,
                    const base::MetricsRegistry& metrics) {
  router.add(verb::get, "/", [](const http::Request&, http::RequestContext&) -> asio::awaitable<http::Response> {
    co_return asset_response("index.html");
  });
  router.add_prefix(verb::get, "/watch/", [](const http::Request&, http::RequestContext&) -> asio::awaitable<http::Response> {
    co_return asset_response("watch.html");
  });
  router.add(verb::get, "/studio", [](const http::Request&, http::RequestContext&) -> asio::awaitable<http::Response> {
    co_return asset_response("studio.html");
  });
  router.add_prefix(verb::get, "/assets/", [](const http::Request&, http::RequestContext& ctx) -> asio::awaitable<http::Response> {
    co_return asset_response(std::string_view(ctx.path).substr(1));
  });
  router.add(verb::get, "/healthz", [](const http::Request&, http::RequestContext&) -> asio::awaitable<http::Response> {
    co_return http::text_response(http::Status::ok, "ok");
  });
  router.add(verb::get, "/metrics", [&metrics](const http::Request&, http::RequestContext&) -> asio::awaitable<http::Response> {
    http::Response res = http::make_response(http::Status::ok, "text/plain; version=0.0.4",
                                             base::Buffer::copy_of(std::string_view(metrics.render())));
    res.set(http::beast_http::field::cache_control, "no-store");
    co_return res;
  });
  router.add(verb::get, "/api/v1/streams", [&registry](const http::Request&, http::RequestContext& ctx) -> asio::awaitable<http::Response> {
    json::array streams;
    for (const auto& stream : registry.list()) streams.push_back(describe_stream(*stream, ctx.shard));
    co_return http::json_response(http::Status::ok, json::object{{"streams", std::move(streams)}});
  });
  const std::string stream_route = "/api/v1/streams/{}";
  router.add_pattern(verb::get, stream_route, [&registry, stream_route](const http::Request&, http::RequestContext& ctx) -> asio::awaitable<http::Response> {
    std::string name(http::match_pattern(stream_route, ctx.path).value_or(""));
    auto stream = registry.find(name);
    if (!stream) co_return http::error_response(http::Status::not_found, "no live stream named '" + name + "'");
    co_return http::json_response(http::Status::ok, describe_stream(*stream, ctx.shard));
  });
}

}  // namespace vela::server
