#pragma once
// The RTP side of one stream on one shard, made once and shared by every WHEP viewer there:
// an RtpFeed subscribes to the stream (with derived tracks), packetizes each frame of the
// chosen tracks once (H.264 per RFC 6184 through packetize_h264, Opus one packet per frame)
// and hands the immutable packets to its listeners. Each viewer then only rewrites the
// header, encrypts and writes (ViewerSender, the session).
//
// Tracks (RtpFeedTracks): video is the H.264 track of one rendition, the source's own by
// default or a transcoded one (TrackInfo::rendition, e.g. "720p"); audio is the first Opus
// track among the source's tracks, then the derived ones (an AAC source gets an Opus
// rendition from the transcoder). A feed may carry either alone: WHEP viewers take audio
// from one audio-only feed and video from the feed of the rendition they play, so that a
// viewer can move between renditions while the audio goes on. Frames of other tracks are
// ignored.
//
// Timestamps: video RTP time is the frame's pts (90 kHz); audio the dts rescaled to 48 kHz.
// Sequence numbers are per kind, contiguous on the feed; a viewer adds its own offset.
//
// A new listener starts at once: the packets since the latest video keyframe (bounded) are
// replayed to it alone, flagged `replayed`, so that its sender squeezes their timestamps and
// the browser catches up to live instead of playing the GOP at its natural pace. The same
// applies to the frames the stream itself replays when the feed (re)subscribes: everything
// drained before the first live frame is delivered as replayed.
//
// Keyframes that do not carry SPS/PPS in band (RTMP/SRT sources keep them in the avcC) get
// the track's parameter sets in front, packetized once per configuration.
//
// Threading: everything on the feed's shard; listeners are called there, synchronously.
// A listener may add or remove listeners (itself included) from inside a callback.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/buffer.hpp"
#include "media/media_frame.hpp"
#include "media/track_info.hpp"
#include "protocol/rtp/h264_packetizer.hpp"
#include "router/stream.hpp"
#include "runtime/shard.hpp"

namespace vela::egress {

// One RTP packet of a stream track, made once per shard and shared by every viewer on that
// shard. Immutable.
struct SharedRtpPacket {
  media::MediaKind kind = media::MediaKind::video;
  uint16_t sequence = 0;   // feed-level sequence per kind (contiguous)
  uint32_t timestamp = 0;  // feed-level RTP timestamp (90 kHz video / 48 kHz Opus)
  bool marker = false;
  bool keyframe_start = false;  // first packet of an IDR access unit
  base::Buffer payload;         // RTP payload (a slice of the frame where possible)
  int64_t frame_dts = 0;        // for diagnostics/latency
};
using SharedRtpPacketPtr = std::shared_ptr<const SharedRtpPacket>;

class RtpFeedListener {
 public:
  virtual ~RtpFeedListener() = default;
  // The packets of one frame (live), or a whole cached GOP / catch-up run (replayed = true:
  // squeeze their timestamps, see ViewerSender::write).
  virtual void on_rtp_packets(std::span<const SharedRtpPacketPtr> packets, bool replayed) = 0;
  // The stream ended; no packets follow.
  virtual void on_feed_ended() = 0;
};

struct RtpFeedOptions {
  size_t subscription_frames = 256;  // the stream subscription's queue bound
  size_t max_payload = protocol::rtp::kDefaultMaxRtpPayload;
  size_t video_history = 1024;  // packets kept for NACK (rounded up to a power of two)
  size_t audio_history = 128;
  size_t max_gop_packets = 3000;  // beyond this the GOP is not replayed (wait for the next)
};

// Which tracks a feed packetizes.
struct RtpFeedTracks {
  bool audio = true;
  // The video rendition's name: "" = the source's own H.264 track; nullopt = no video.
  std::optional<std::string> video = std::string();

  bool operator==(const RtpFeedTracks&) const = default;
};

struct RtpFeedStats {
  uint64_t frames = 0;          // frames packetized
  uint64_t packets = 0;         // packets made
  uint64_t ignored_frames = 0;  // frames of other tracks
  uint64_t bad_frames = 0;      // frames that could not be packetized
  uint64_t gaps = 0;            // times the subscription fell behind and skipped to a keyframe
};

class RtpFeed : public std::enable_shared_from_this<RtpFeed> {
 public:
  // `stream` may be null: then the feed is driven through set_tracks()/on_frame()/end()
  // (tests). `shard` is where the feed lives; it subscribes on the first listener.
  RtpFeed(std::shared_ptr<router::Stream> stream, runtime::Shard& shard,
          RtpFeedOptions options = {}, RtpFeedTracks tracks = {});
  ~RtpFeed();
  RtpFeed(const RtpFeed&) = delete;
  RtpFeed& operator=(const RtpFeed&) = delete;

  // Replays the cached GOP (video from the last keyframe; no old audio) to this listener
  // only, then delivers live packets. On an ended feed the listener hears on_feed_ended()
  // at once. The first listener subscribes to the stream; the last one to leave
  // unsubscribes. The feed does not own listeners: remove one before it goes away.
  void add_listener(RtpFeedListener* listener);
  void remove_listener(RtpFeedListener* listener);
  size_t listener_count() const { return listener_count_; }

  // NACK history: the packet with this feed sequence, or nullptr when gone.
  SharedRtpPacketPtr find(media::MediaKind kind, uint16_t sequence) const;
  const std::optional<media::TrackInfo>& video_track() const { return video_track_; }
  const std::optional<media::TrackInfo>& audio_track() const { return audio_track_; }
  bool ended() const { return ended_; }
  const std::shared_ptr<router::Stream>& stream() const { return stream_; }
  const RtpFeedTracks& tracks() const { return tracks_; }
  const RtpFeedStats& stats() const { return stats_; }

  // The frame path (the subscription drives it; public so tests can drive it directly).
  // Chooses the video and audio tracks (as far as tracks() asks for them) from the
  // stream's source and derived tracks.
  void set_tracks(const std::vector<media::TrackInfo>& tracks,
                  const std::vector<media::TrackInfo>& derived_tracks);
  // Packetizes one frame of a chosen track and delivers it (replayed: part of a catch-up).
  void on_frame(const media::MediaFrame& frame, bool replayed = false);
  void end();

 private:
  struct History {
    explicit History(size_t capacity);
    void put(const SharedRtpPacketPtr& packet);
    SharedRtpPacketPtr get(uint16_t sequence) const;
    std::vector<SharedRtpPacketPtr> slots;
  };

  void subscribe();
  void unsubscribe();
  void on_ready();
  void schedule_drain();
  void drain();
  void packetize_video(const media::MediaFrame& frame, std::vector<SharedRtpPacketPtr>& out);
  void packetize_audio(const media::MediaFrame& frame, std::vector<SharedRtpPacketPtr>& out);
  SharedRtpPacketPtr make_packet(media::MediaKind kind, uint32_t timestamp, bool marker,
                                 bool keyframe_start, base::Buffer payload, int64_t dts);
  void remember(const SharedRtpPacketPtr& packet);
  void deliver(std::span<const SharedRtpPacketPtr> packets, bool replayed);
  void compact_listeners();

  std::shared_ptr<router::Stream> stream_;
  runtime::Shard& shard_;
  RtpFeedOptions options_;
  RtpFeedTracks tracks_;
  std::shared_ptr<router::Subscription> subscription_;
  bool subscribing_ = false;  // inside Stream::subscribe(): on_ready must wait
  bool catching_up_ = false;  // the stream's GOP replay has not been drained yet
  bool drain_posted_ = false;
  uint64_t seen_dropped_ = 0;  // subscription drops already counted as gaps

  std::optional<media::TrackInfo> video_track_;
  std::optional<media::TrackInfo> audio_track_;
  std::vector<protocol::rtp::RtpPayload> parameter_sets_;  // SPS/PPS of the video track

  uint16_t video_sequence_ = 0;
  uint16_t audio_sequence_ = 0;
  History video_history_;
  History audio_history_;
  std::vector<SharedRtpPacketPtr> gop_;  // video packets since the latest keyframe
  bool gop_valid_ = false;               // gop_ starts at a keyframe and did not overflow

  // Removal during delivery leaves a null entry; compacted when no delivery runs.
  std::vector<RtpFeedListener*> listeners_;
  size_t listener_count_ = 0;
  int delivering_ = 0;
  bool ended_ = false;
  RtpFeedStats stats_;
};

}  // namespace vela::egress
