#include "http/hls_origin.hpp"

#include <algorithm>
#include <chrono>

#include "packager/hls_names.hpp"
#include "packager/hls_request.hpp"

namespace vela::http {

namespace asio = boost::asio;
using packager::ObjectKind;
using packager::Resolution;

namespace {

Response media_error(Status status, std::string_view message) {
  Response res = error_response(status, message);
  res.set(beast_http::field::cache_control, packager::kErrorCacheControl);
  return res;
}

Response resolution_error(Resolution resolution) {
  switch (resolution) {
    case Resolution::bad_request: return media_error(Status::bad_request, "requested too far ahead of the live edge");
    case Resolution::gone: return media_error(Status::gone, "no longer in the live window");
    default: return media_error(Status::not_found, "not found");
  }
}

Response ok_response(ObjectKind kind, bool blocking, std::vector<base::Buffer> body) {
  auto headers = packager::response_headers(kind, blocking);
  Response res{Status::ok, 11};
  res.set(beast_http::field::content_type, headers.content_type);
  res.set(beast_http::field::cache_control, headers.cache_control);
  res.body() = std::move(body);
  return res;
}

}  // namespace

HlsOrigin::HlsOrigin(std::vector<packager::HlsShardDirectory*> directories, HlsOriginOptions options,
                     base::MetricsRegistry& metrics)
    : directories_(std::move(directories)),
      options_(options),
      parked_(directories_.size(), 0),
      timeouts_(metrics.counter("vela_hls_block_timeouts_total",
                                "Blocking reloads and preload hints that waited out their limit")),
      overflows_(metrics.counter("vela_hls_park_refused_total",
                                 "Requests refused because too many were parked")) {}

asio::awaitable<Response> HlsOrigin::handle(const Request&, RequestContext& context) {
  // /live/{name}/{object}
  std::string_view rest = std::string_view(context.path).substr(std::string_view("/live/").size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) co_return media_error(Status::not_found, "not found");
  std::string name(rest.substr(0, slash));
  auto ref = packager::parse_object_path(rest.substr(slash + 1));
  if (!ref) co_return media_error(Status::not_found, "not found");
  co_return co_await serve(name, *ref, context);
}

asio::awaitable<Response> HlsOrigin::serve(const std::string& name, const packager::ObjectRef& ref,
                                           RequestContext& context) {
  packager::HlsShardDirectory& directory = *directories_[context.shard];
  bool is_playlist = ref.kind == ObjectKind::media_playlist;
  packager::DeliveryDirectives directives;
  if (is_playlist) {
    auto parsed = packager::parse_delivery_directives(context.query);
    if (!parsed) co_return media_error(Status::bad_request, parsed.error().message);
    directives = *parsed;
  }
  auto started = std::chrono::steady_clock::now();
  for (;;) {
    auto state = directory.find(name);
    if (!state) co_return media_error(Status::not_found, "unknown stream");
    if (ref.kind == ObjectKind::multivariant) {
      base::Buffer multivariant = state->multivariant();
      if (multivariant.empty()) co_return media_error(Status::not_found, "no rendition yet");
      co_return ok_response(ref.kind, false, {std::move(multivariant)});
    }
    packager::HlsRendition* rendition = state->find(ref.rendition);
    if (!rendition) co_return media_error(Status::not_found, "unknown rendition");
    const auto& timeline = rendition->timeline;
    Resolution resolution = is_playlist ? packager::resolve_playlist(timeline, directives)
                                        : packager::resolve_media(timeline, ref);
    if (resolution == Resolution::ready) {
      if (is_playlist) {
        bool delta = packager::wants_delta_update(timeline, directives);
        co_return ok_response(ref.kind, directives.msn.has_value(), {state->playlist(*rendition, delta)});
      }
      auto data = timeline.object_data(ref);
      if (!data) co_return media_error(Status::not_found, "not found");
      co_return ok_response(ref.kind, false, std::move(*data));
    }
    if (resolution != Resolution::wait) co_return resolution_error(resolution);

    double limit_s = std::min(options_.max_block_s, packager::max_block_s(timeline));
    auto deadline = started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::duration<double>(limit_s));
    if (std::chrono::steady_clock::now() >= deadline) {
      timeouts_.add();
      co_return is_playlist ? media_error(Status::service_unavailable, "the requested part did not appear in time")
                              : media_error(Status::not_found, "not found");
    }
    if (directory.stopped()) co_return media_error(Status::service_unavailable, "server shutting down");
    if (parked_[context.shard] >= options_.max_parked_per_shard) {
      overflows_.add();
      co_return media_error(Status::service_unavailable, "too many waiting requests");
    }
    ++parked_[context.shard];
    co_await state->changed.wait_until(deadline);
    --parked_[context.shard];
  }
}

}  // namespace vela::http
