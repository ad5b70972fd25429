#pragma once
// A WHIP publisher (RFC 9725): the media session behind one WebRTC peer connection that
// sends us audio and video. Decrypted RTP goes through the pure WebRtcIngestReceiver
// into frames, which are published on the claimed stream; the receiver's RTCP feedback
// (NACK, PLI, transport-cc, RR) goes back to the browser. Viewers of other protocols can
// ask for a keyframe through the stream, which becomes a PLI here.
//
// Threading: the stream's home shard, which is the shard of the peer connection.
// Lifetime: owned by its PeerConnection (as the observer); ends the publication when the
// connection closes.
#include <memory>

#include "base/metrics.hpp"
#include "ingest/publish_context.hpp"
#include "ingest/webrtc/webrtc_ingest_receiver.hpp"
#include "protocol/sdp/sdp_answer.hpp"
#include "rtc/peer_connection.hpp"
#include "router/stream.hpp"

namespace vela::ingest {

class WhipSession : public rtc::PeerConnectionObserver, public std::enable_shared_from_this<WhipSession> {
 public:
  // keyframe_interval_us: browsers send keyframes only when asked; segmenters (LL-HLS) need
  // one per segment, so the session asks this often (0: never, only when a viewer asks).
  WhipSession(PublishContext& context, std::shared_ptr<router::Stream> stream,
              const protocol::sdp::Negotiated& negotiated, std::weak_ptr<rtc::PeerConnection> connection,
              int64_t keyframe_interval_us);
  ~WhipSession() override;

  // Call once the session is the connection's observer: the publish becomes visible.
  void start();

  void on_connected(int64_t now_us) override;
  void on_rtp(std::span<uint8_t> packet, int64_t now_us) override;
  void on_rtcp(std::span<uint8_t> packet, int64_t now_us) override;
  void on_tick(int64_t now_us) override;
  void on_closed(const std::string& reason) override;

 private:
  void publish_ready(int64_t now_us);
  void send_feedback(int64_t now_us);
  void end_publish();

  PublishContext& context_;
  std::shared_ptr<router::Stream> stream_;
  std::weak_ptr<rtc::PeerConnection> connection_;
  WebRtcIngestReceiver receiver_;
  WebRtcIngestOutput output_;
  std::vector<std::vector<uint8_t>> feedback_;
  bool keyframe_wanted_ = false;
  int64_t keyframe_interval_us_;
  int64_t last_keyframe_request_us_ = 0;
  base::Counter& frames_in_;
};

}  // namespace vela::ingest
