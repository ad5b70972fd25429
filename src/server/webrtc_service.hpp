#pragma once
// Vela's WebRTC front: one RtcPort per shard (UDP and ICE-TCP on webrtc.listen's port +
// shard index), the DTLS certificate made at start, the RTP feeds per shard, and the
// WHIP (RFC 9725) and WHEP HTTP endpoints that create publisher and viewer sessions:
//   POST   /whip/{name}            offer -> 201 answer, Location /whip/{name}/{session}, ETag
//   POST   /whep/{name}            same for viewers of a live stream
//   PATCH  /whip|whep/{name}/{id}  trickle-ICE fragments: accepted and ignored (ICE-lite
//                                  learns paths from the checks); ICE restart -> 422
//   DELETE /whip|whep/{name}/{id}  ends the session
// A session URL names one open session of that kind and stream, else 404.
// OPTIONS and CORS are answered by the HTTP server for every path.
#include <memory>
#include <vector>

#include "base/metrics.hpp"
#include "egress/webrtc/rtp_feed_directory.hpp"
#include "http/router.hpp"
#include "ingest/publish_context.hpp"
#include "rtc/rtc_endpoint.hpp"
#include "rtc/rtc_port.hpp"
#include "server/config.hpp"

namespace vela::server {

class WebRtcService {
 public:
  // Makes the certificate and the ports (not yet bound). Errors name the config key.
  static base::Result<std::unique_ptr<WebRtcService>> create(runtime::ShardSet& shards, ingest::PublishContext& publish,
                                                             const Config& config);
  WebRtcService(runtime::ShardSet& shards, ingest::PublishContext& publish);

  base::Status start();  // binds every shard's port; before the shards run
  void stop(size_t shard);  // on shard `shard`: closes its sessions and sockets
  void add_routes(http::Router& router);
  uint16_t first_port() const { return ports_.empty() ? 0 : ports_.front()->port(); }

 private:
  // A refused offer: logged with the client's address and counted by protocol and reason.
  struct Refusal {
    const char* protocol;  // "whip" or "whep"
    http::Status status;
    const char* label;     // the metric's reason label: a fixed word
  };
  http::Response refuse(const Refusal& refusal, const std::string& name, const http::RequestContext& ctx,
                        const std::string& reason);
  // POST handlers: plain functions on the request's shard (nothing here waits).
  http::Response whip(const http::Request& request, const http::RequestContext& ctx);
  http::Response whep(const http::Request& request, const http::RequestContext& ctx);
  // PATCH and DELETE on a session URL: looked up on the session's own shard.
  boost::asio::awaitable<http::Response> session_request(const http::Request& request, const http::RequestContext& ctx);

  runtime::ShardSet& shards_;
  ingest::PublishContext& publish_;
  std::vector<std::unique_ptr<rtc::RtcPort>> ports_;
  std::vector<std::unique_ptr<egress::RtpFeedDirectory>> feeds_;  // [shard]
  std::unique_ptr<rtc::RtcEndpoint> endpoint_;
  int64_t whip_keyframe_interval_us_ = 0;
  bool lip_sync_ = true;  // webrtc.lip_sync: WHEP's default when the viewer does not say
};

}  // namespace vela::server
