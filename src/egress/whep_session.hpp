#pragma once
// A WHEP viewer: the media session behind one WebRTC peer connection that receives a
// stream. Packets come from the shard's RtpFeed for the stream (packetized once for every
// viewer on this shard); per viewer there is only the ViewerSender's header rewrite, SRTP
// (in the connection) and the send. RTCP from the browser drives retransmissions, keyframe
// requests (forwarded to the stream's publisher) and the bandwidth estimate.
//
// Threading: the shard of the peer connection (any shard, not necessarily the stream's
// home). Lifetime: owned by its PeerConnection as the observer; leaves the feed when the
// connection closes, and closes the connection when the stream ends.
#include <memory>

#include "base/metrics.hpp"
#include "egress/webrtc/rtp_feed.hpp"
#include "egress/webrtc/viewer_sender.hpp"
#include "rtc/peer_connection.hpp"
#include "router/stream.hpp"

namespace vela::egress {

class WhepSession : public rtc::PeerConnectionObserver,
                    public RtpFeedListener,
                    public std::enable_shared_from_this<WhepSession> {
 public:
  WhepSession(std::shared_ptr<router::Stream> stream, std::shared_ptr<RtpFeed> feed, ViewerSenderConfig config,
              std::weak_ptr<rtc::PeerConnection> connection);
  ~WhepSession() override;

  void on_connected(int64_t now_us) override;
  void on_rtp(std::span<uint8_t> packet, int64_t now_us) override;
  void on_rtcp(std::span<uint8_t> packet, int64_t now_us) override;
  void on_tick(int64_t now_us) override;
  void on_closed(const std::string& reason) override;

  void on_rtp_packets(std::span<const SharedRtpPacketPtr> packets, bool replayed) override;
  void on_feed_ended() override;

 private:
  void leave_feed();

  std::shared_ptr<router::Stream> stream_;
  std::shared_ptr<RtpFeed> feed_;
  ViewerSender sender_;
  std::weak_ptr<rtc::PeerConnection> connection_;
  std::vector<uint8_t> scratch_;
  std::vector<std::vector<uint8_t>> reports_;
  bool listening_ = false;
  int64_t connected_us_ = 0;
};

}  // namespace vela::egress
