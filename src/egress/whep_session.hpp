#pragma once
// A WHEP viewer: the media session behind one WebRTC peer connection that receives a
// stream. Packets come from the shard's RtpFeeds for the stream (packetized once for every
// viewer on this shard): the audio from the stream's audio-only feed, the video from the
// feed of the rendition this viewer plays. Per viewer there is only the ViewerSender's
// header rewrite, SRTP (in the connection) and the send. RTCP from the browser drives
// retransmissions, keyframe requests (forwarded to the stream's publisher) and the
// bandwidth estimate.
//
// Adaptive bitrate: the video rungs are the source's H.264 track and the transcoder's video
// renditions. A RenditionSelector picks the starting rung and, once a second, looks at the
// estimate, loss and received rate. To move, the session listens to the target's feed too,
// drops its packets up to the first live keyframe, then leaves the old feed at once: the
// ViewerSender keeps one SSRC and contiguous sequence numbers across the move and answers
// NACKs from the feed that sent each packet (the session keeps the last few feeds for it).
// A move not completed within kSwitchTimeoutUs (no keyframe came) is given up.
//
// Threading: the shard of the peer connection (any shard, not necessarily the stream's
// home); the feeds are that shard's. Lifetime: owned by its PeerConnection as the
// observer; leaves the feeds when the connection closes, and closes the connection when
// the stream ends.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "egress/webrtc/rendition_selector.hpp"
#include "egress/webrtc/rtp_feed.hpp"
#include "egress/webrtc/viewer_sender.hpp"
#include "rtc/peer_connection.hpp"
#include "router/stream.hpp"

namespace vela::egress {

class WhepSession : public rtc::PeerConnectionObserver,
                    public std::enable_shared_from_this<WhepSession> {
 public:
  // The shard's feed for these tracks of the session's stream (RtpFeedDirectory::acquire).
  using FeedSource = std::function<std::shared_ptr<RtpFeed>(const RtpFeedTracks&)>;

  // shard: the index of the connection's shard (for the stream's per-shard track lists).
  WhepSession(std::shared_ptr<router::Stream> stream, size_t shard, FeedSource feeds,
              ViewerSenderConfig config, std::weak_ptr<rtc::PeerConnection> connection,
              RenditionSelectorOptions selector_options = {});
  ~WhepSession() override;

  void on_connected(int64_t now_us) override;
  void on_rtp(std::span<uint8_t> packet, int64_t now_us) override;
  void on_rtcp(std::span<uint8_t> packet, int64_t now_us) override;
  void on_tick(int64_t now_us) override;
  void on_closed(const std::string& reason) override;

  // The rendition whose video the viewer gets ("" = the source).
  std::string rendition() const;

 private:
  enum class Role { audio, video, pending };
  // This session's place in one feed.
  class Membership : public RtpFeedListener {
   public:
    Membership(WhepSession& session, std::shared_ptr<RtpFeed> feed, Role role, uint32_t source,
               std::string rendition);
    ~Membership() override;
    void on_rtp_packets(std::span<const SharedRtpPacketPtr> packets, bool replayed) override;
    void on_feed_ended() override;
    void listen();
    void leave();

    WhepSession& session;
    std::shared_ptr<RtpFeed> feed;
    Role role;
    uint32_t source;  // the ViewerSender source id
    std::string rendition;
    bool listening = false;
  };

  void on_packets(Membership& member, std::span<const SharedRtpPacketPtr> packets, bool replayed);
  void send(std::span<const SharedRtpPacketPtr> packets, bool replayed, uint32_t source);
  void on_feed_ended();
  // The video rungs the stream offers now, best first.
  std::vector<RenditionRung> rungs() const;
  void evaluate(int64_t now_us);
  void begin_switch(const std::string& rendition, int64_t now_us);
  // The pending feed reached a keyframe: it becomes the video feed.
  void complete_switch();
  std::unique_ptr<Membership> join(Role role, const std::string& rendition);
  SharedRtpPacketPtr find(media::MediaKind kind, uint32_t source, uint16_t sequence) const;
  std::string id() const;
  void leave_feeds();

  std::shared_ptr<router::Stream> stream_;
  size_t shard_;
  FeedSource feeds_;
  ViewerSender sender_;
  std::weak_ptr<rtc::PeerConnection> connection_;
  RenditionSelector selector_;
  std::unique_ptr<Membership> audio_;
  std::unique_ptr<Membership> video_;
  std::unique_ptr<Membership> pending_;
  int64_t pending_since_us_ = 0;
  // Video feeds left by earlier moves, newest last, kept for NACKs (by source id).
  std::vector<std::pair<uint32_t, std::shared_ptr<RtpFeed>>> retired_;
  uint32_t next_source_ = 0;
  std::vector<uint8_t> scratch_;
  std::vector<std::vector<uint8_t>> reports_;
  bool connected_ = false;
  bool ended_ = false;
  int64_t connected_us_ = 0;
  int64_t last_evaluation_us_ = 0;
  uint64_t last_evaluation_bytes_ = 0;
};

}  // namespace vela::egress
