#include "server/webrtc_service.hpp"

#include <spdlog/spdlog.h>

#include "auth/publish_auth.hpp"
#include "base/stream_name.hpp"
#include "base/time.hpp"
#include "egress/whep_session.hpp"
#include "ingest/whip_session.hpp"
#include "protocol/dtls/srtp_session.hpp"
#include "rtc/local_candidates.hpp"
#include "runtime/listener.hpp"

namespace vela::server {

namespace asio = boost::asio;
namespace sdp = protocol::sdp;
using http::beast_http::field;
using http::beast_http::verb;

namespace {

constexpr std::string_view kWhipRoute = "/whip/{}";
constexpr std::string_view kWhepRoute = "/whep/{}";

// The media type of the body, without parameters, compared case-insensitively (RFC 9110).
bool has_content_type(const http::Request& request, std::string_view expected) {
  std::string_view type = request[field::content_type];
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return type.size() == expected.size() && std::equal(type.begin(), type.end(), expected.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

bool is_sdp(const http::Request& request) { return has_content_type(request, "application/sdp"); }



// "Bearer <key>" -> key; empty when absent.
std::string bearer_token(const http::Request& request) {
  std::string_view value = request[field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (value.size() <= kBearer.size() || !std::equal(kBearer.begin(), kBearer.end(), value.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
      }))
    return {};
  return std::string(value.substr(kBearer.size()));
}

// 201 with the answer; the session's URL is its resource ("/whip/{name}") and its id.
http::Response created(const rtc::AcceptedOffer& accepted) {
  http::Response res = http::make_response(http::Status::created, "application/sdp", base::Buffer::copy_of(accepted.answer.text));
  std::string location = accepted.connection->resource() + "/" + accepted.connection->id();
  res.set(field::location, location);
  res.set(field::etag, "\"" + accepted.connection->id() + "\"");
  res.set(field::cache_control, "no-store");
  return res;
}

// "/whip/{name}/{id}" (a path its route matched) -> {"/whip/{name}", id}: the session's
// resource and id.
std::pair<std::string, std::string> session_path(std::string_view path) {
  size_t last = path.rfind('/');
  return {std::string(path.substr(0, last)), std::string(path.substr(last + 1))};
}

}  // namespace

WebRtcService::WebRtcService(runtime::ShardSet& shards, ingest::PublishContext& publish)
    : shards_(shards), publish_(publish) {}

base::Result<std::unique_ptr<WebRtcService>> WebRtcService::create(runtime::ShardSet& shards,
                                                                   ingest::PublishContext& publish,
                                                                   const Config& config) {
  auto endpoint = runtime::parse_endpoint(config.webrtc_listen);
  if (!endpoint) return base::make_error("config key 'webrtc.listen': " + endpoint.error().message);
  if (endpoint->port() == 0 || endpoint->port() + shards.size() - 1 > 65535)
    return base::make_error("config key 'webrtc.listen': needs a port with room for one port per shard");
  auto addresses = rtc::candidate_addresses(config.webrtc_public_ips, endpoint->address());
  if (!addresses) return base::make_error("config key 'webrtc.public_ips': " + addresses.error().message);
  auto certificate = protocol::dtls::DtlsCertificate::generate();
  if (!certificate) return base::make_error("DTLS certificate: " + certificate.error().message);

  // libsrtp's first session in a process costs ~75 ms (its crypto backend starts up):
  // pay that here rather than on a shard in the middle of traffic.
  protocol::dtls::SrtpKeys warm_up_keys;
  warm_up_keys.local_master.assign(protocol::dtls::kSrtpMasterKeySize + protocol::dtls::srtp_master_salt_size(warm_up_keys.profile), 1);
  warm_up_keys.remote_master = warm_up_keys.local_master;
  if (auto warm_up = protocol::dtls::SrtpSession::create(warm_up_keys); !warm_up)
    return base::make_error("SRTP: " + warm_up.error().message);

  if (config.webrtc_test_drop_percent > 0)
    spdlog::warn("webrtc.test_drop_percent = {}: dropping WebRTC media on purpose (tests only)",
                 config.webrtc_test_drop_percent);
  // A client that got its answer connects within a second or two; one that never does
  // would otherwise hold a WHIP stream name (409 for the retry) for the full 30 s.
  protocol::stun::IceLiteConfig ice;
  ice.connect_timeout_ms = 10'000;
  auto service = std::make_unique<WebRtcService>(shards, publish);
  // One keyframe per LL-HLS segment from WHIP publishers, who otherwise send one only at start.
  service->whip_keyframe_interval_us_ = static_cast<int64_t>(config.hls.segment_target_s * 1'000'000);
  service->lip_sync_ = config.webrtc_lip_sync;
  // A feed's subscription first receives the stream's whole cached GOP (a WebRTC publisher
  // sends keyframes only when asked), so it must hold that much on top of the usual queue.
  egress::RtpFeedOptions feed_options;
  feed_options.subscription_frames = config.stream.gop_cache_frames + config.stream.subscriber_queue_frames;
  std::vector<rtc::RtcPort*> ports;
  for (size_t i = 0; i < shards.size(); ++i) {
    rtc::RtcPortOptions options;
    options.address = endpoint->address();
    options.port = static_cast<uint16_t>(endpoint->port() + i);
    options.test_drop_percent = config.webrtc_test_drop_percent;
    service->ports_.push_back(std::make_unique<rtc::RtcPort>(shards.at(i), options, publish.metrics));
    ports.push_back(service->ports_.back().get());
    service->feeds_.push_back(std::make_unique<egress::RtpFeedDirectory>(shards.at(i), feed_options));
  }
  service->endpoint_ = std::make_unique<rtc::RtcEndpoint>(shards, std::move(ports), std::move(*certificate),
                                                          rtc::RtcEndpointOptions{*addresses, true, ice});
  return service;
}

base::Status WebRtcService::start() {
  for (auto& port : ports_) {
    if (base::Status status = port->start(); !status) return base::make_error("config key 'webrtc.listen': " + status.error().message);
  }
  return {};
}

void WebRtcService::stop(size_t shard) { ports_.at(shard)->stop(); }

void WebRtcService::add_routes(http::Router& router) {
  router.add_pattern(verb::post, std::string(kWhipRoute), [this](const http::Request& req, http::RequestContext& ctx) -> asio::awaitable<http::Response> {
    co_return whip(req, ctx);
  });
  router.add_pattern(verb::post, std::string(kWhepRoute), [this](const http::Request& req, http::RequestContext& ctx) -> asio::awaitable<http::Response> {
    co_return whep(req, ctx);
  });
  for (verb method : {verb::delete_, verb::patch}) {
    for (std::string route : {"/whip/{}/{}", "/whep/{}/{}"}) {
      router.add_pattern(method, route, [this](const http::Request& req, http::RequestContext& ctx) -> asio::awaitable<http::Response> {
        co_return co_await session_request(req, ctx);
      });
    }
  }
}

http::Response WebRtcService::refuse(const Refusal& refusal, const std::string& name, const http::RequestContext& ctx,
                                     const std::string& reason) {
  spdlog::warn("{} stream={} from {} refused: {}", refusal.protocol, base::loggable_stream_name(name), ctx.remote,
               reason);
  publish_.metrics
      .counter("vela_webrtc_refused_total", "WHIP/WHEP offers refused, by protocol and reason",
               fmt::format("protocol=\"{}\",reason=\"{}\"", refusal.protocol, refusal.label))
      .add();
  http::Response res = http::error_response(refusal.status, reason);
  // A refused key: which scheme to use (RFC 9110 11.6.1).
  if (refusal.status == http::Status::unauthorized) res.set(field::www_authenticate, "Bearer realm=\"vela\"");
  return res;
}

http::Response WebRtcService::whip(const http::Request& request, const http::RequestContext& ctx) {
  std::string name(http::match_pattern(kWhipRoute, ctx.path).value_or(""));
  auto refused = [&](http::Status status, const char* label, const std::string& reason) {
    return refuse({"whip", status, label}, name, ctx, reason);
  };
  if (!is_sdp(request)) return refused(http::Status::unsupported_media_type, "media_type", "WHIP offers are application/sdp");
  // Open mode: the key is the stream name, so no header means the name itself.
  std::string key = bearer_token(request);
  auto authorized = publish_.authorizer.authorize("live", key.empty() ? name : key);
  if (!authorized) return refused(http::Status::unauthorized, "auth", "publish refused: " + authorized.error().message);
  if (*authorized != name) return refused(http::Status::forbidden, "other_stream", "this key publishes another stream");
  auto stream = publish_.registry.claim(name, ctx.shard);
  if (!stream) return refused(http::Status::conflict, "live", "publish refused: " + stream.error().message);

  auto accepted = endpoint_->accept_offer(ctx.shard, request.body(), sdp::ServerRole::ingest, {});
  if (!accepted) {
    publish_.registry.release(*stream);
    return refused(http::Status::bad_request, "offer", accepted.error().message);
  }
  auto session = std::make_shared<ingest::WhipSession>(publish_, *stream, accepted->answer.negotiated, accepted->connection,
                                                       whip_keyframe_interval_us_);
  accepted->connection->set_observer(session);
  accepted->connection->set_resource("/whip/" + name);
  session->start();
  spdlog::info("whip stream={} session={} answered", name, accepted->connection->id());
  return created(*accepted);
}

http::Response WebRtcService::whep(const http::Request& request, const http::RequestContext& ctx) {
  std::string name(http::match_pattern(kWhepRoute, ctx.path).value_or(""));
  auto refused = [&](http::Status status, const char* label, const std::string& reason) {
    return refuse({"whep", status, label}, name, ctx, reason);
  };
  if (!is_sdp(request)) return refused(http::Status::unsupported_media_type, "media_type", "WHEP offers are application/sdp");
  auto stream = publish_.registry.find(name);
  if (!stream) return refused(http::Status::not_found, "not_live", "no live stream named '" + name + "'");
  // Without lip sync, audio goes in its own stream so the browser shows video as soon as it
  // can. webrtc.lip_sync is the default; ?lip_sync=on|off chooses per viewer.
  bool lip_sync = lip_sync_;
  if (auto asked = ctx.params.find("lip_sync"); asked != ctx.params.end()) {
    if (asked->second != "on" && asked->second != "off")
      return refused(http::Status::bad_request, "bad_request", "lip_sync is 'on' or 'off'");
    lip_sync = asked->second == "on";
  }

  sdp::LocalSendSources send;
  send.audio_ssrc = rtc::random_ssrc();
  send.video_ssrc = rtc::random_ssrc();
  send.video_rtx_ssrc = rtc::random_ssrc();
  send.stream_id = name;
  if (!lip_sync) send.audio_stream_id = name + "-audio";
  auto accepted = endpoint_->accept_offer(ctx.shard, request.body(), sdp::ServerRole::playback, send);
  if (!accepted) return refused(http::Status::bad_request, "offer", accepted.error().message);
  // The session takes its feeds (audio, and the video of the rendition it plays) from this
  // shard's directory, only from its shard's events; the directory lives as long as the
  // service (a session destroyed later leaves feeds it holds itself, not the directory).
  auto feeds = [directory = feeds_.at(ctx.shard).get(), stream](const egress::RtpFeedTracks& tracks) {
    return directory->acquire(stream, tracks);
  };
  auto config = egress::ViewerSender::config_from(accepted->answer.negotiated, send.audio_ssrc, send.video_ssrc,
                                                  send.video_rtx_ssrc);
  // The session passes monotonic time; sender reports carry wall-clock NTP time.
  config.wall_clock_offset_us = base::wall_clock_micros() - base::monotonic_micros();
  auto session = std::make_shared<egress::WhepSession>(stream, ctx.shard, std::move(feeds), std::move(config),
                                                       accepted->connection);
  accepted->connection->set_observer(session);
  accepted->connection->set_resource("/whep/" + name);
  spdlog::info("whep stream={} session={} answered", name, accepted->connection->id());
  return created(*accepted);
}

asio::awaitable<http::Response> WebRtcService::session_request(const http::Request& request,
                                                              const http::RequestContext& ctx) {
  auto [resource, id] = session_path(ctx.path);
  if (request.method() == verb::patch) {
    if (!has_content_type(request, "application/trickle-ice-sdpfrag"))
      co_return http::error_response(http::Status::unsupported_media_type, "PATCH takes application/trickle-ice-sdpfrag");
    if (!co_await endpoint_->with_session(id, resource, [](rtc::PeerConnection&) {}))
      co_return http::error_response(http::Status::not_found, "no such WebRTC session");
    // A new ufrag means an ICE restart, which this ICE-lite server does not offer.
    if (request.body().find("a=ice-ufrag:") != std::string::npos)
      co_return http::error_response(http::Status::unprocessable_entity, "ICE restart is not supported; start a new session");
    co_return http::make_response(http::Status::no_content, "", {});
  }
  bool closed = co_await endpoint_->with_session(id, resource, [](rtc::PeerConnection& connection) {
    connection.close("client sent DELETE");
  });
  if (!closed) co_return http::error_response(http::Status::not_found, "no such WebRTC session");
  co_return http::make_response(http::Status::ok, "", {});
}

}  // namespace vela::server
