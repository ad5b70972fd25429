#pragma once
// The media path of a WHIP publisher: decrypted RTP/RTCP in, the stream's tracks and frames
// out, and the RTCP feedback a browser expects back (NACK, PLI, transport-cc, RR). Pure:
// no sockets, no clock (every call takes the time); the WHIP session owns the transport.
//
// Streams: the first H.264 video and the first Opus audio section of the negotiation. A
// packet is matched by payload type (BUNDLE keeps them distinct), then by SSRC: the one
// announced in the offer (a=ssrc, FID for RTX), else the first one seen with that payload
// type. Anything else (unknown payload type, a second SSRC, garbage) is dropped and
// counted. RTX packets are unwrapped (original sequence number in the first two payload
// bytes); padding-only packets (bandwidth probes) carry no media.
//
// Tracks: video id 1 (H.264, AVCC frames with the in-band SPS/PPS left in place;
// codec_config an avcC from the latest SPS/PPS; cts 0, browsers send no B-frames), audio
// id 2 (Opus, one RTP payload per frame; see opus_track.hpp). With video negotiated the
// tracks are declared at the first keyframe whose SPS/PPS make a valid avcC (audio frames
// before that are dropped: the stream starts with both); if no video has come
// audio_only_after_us after the first audio packet, audio alone is declared and the video
// track joins when it comes. Audio-only sessions declare at once. A new SPS/PPS that
// changes the avcC (Chrome changes resolution under load) declares the tracks again.
//
// Timestamps: see rtp_timeline.hpp. The receiver's zero is the arrival of its first media
// packet; each track starts at its own first packet's arrival, then follows its RTP clock.
// dts strictly increases per track; a frame that would go back is dropped and counted.
// wall_clock_us is set only when wall_clock_offset_us says how now_us maps to the wall
// clock. Video frames the receiver drops itself (going back, queue full) make it wait for
// the next keyframe, as the depacketizer does after unrecovered loss.
//
// Feedback: RR every receiver_report_interval_us (with SDES CNAME); NACK for missing video
// sequence numbers (when negotiated); PLI (or FIR when only that was negotiated) while a
// keyframe is wanted, at most every keyframe_request_interval_us, until one arrives;
// transport-cc feedback every transport_feedback_interval_us (when negotiated). Feedback
// goes alone, as reduced-size RTCP (RFC 5506; Chrome and Firefox accept it), unless
// reduced_size_rtcp is false: then each starts with an empty RR.
//
// Bounded: the depacketizer's reorder window, the NACK list, TWCC arrivals between
// feedbacks, max_pending_frames frames between polls.
//
// Threading: single owner (the WHIP session's shard); no method blocks.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "ingest/webrtc/h264_track_builder.hpp"
#include "ingest/webrtc/receive_statistics.hpp"
#include "ingest/webrtc/rtp_timeline.hpp"
#include "ingest/webrtc/twcc_recorder.hpp"
#include "media/media_frame.hpp"
#include "media/track_info.hpp"
#include "protocol/rtp/h264_depacketizer.hpp"
#include "protocol/rtp/nack.hpp"
#include "protocol/rtp/rtcp.hpp"
#include "protocol/sdp/sdp_answer.hpp"

namespace vela::ingest {

inline constexpr uint32_t kWebRtcVideoTrackId = 1;
inline constexpr uint32_t kWebRtcAudioTrackId = 2;

struct WebRtcIngestOptions {
  uint32_t feedback_ssrc = 1;  // SSRC we put in RTCP we send (RR sender, NACK/PLI/TWCC sender)
  int64_t keyframe_request_interval_us = 500'000;  // PLI rate limit
  int64_t transport_feedback_interval_us = 50'000;
  int64_t receiver_report_interval_us = 1'000'000;
  int64_t audio_only_after_us = 2'000'000;    // 0: audio waits for video forever
  int64_t max_timestamp_jump_us = 5'000'000;  // re-anchor a track beyond this (rtp_timeline.hpp)
  size_t max_pending_frames = 1024;           // between two polls; beyond, frames are dropped
  bool reduced_size_rtcp = true;
  std::string cname = "vela";
  // Wall clock = now_us + this, when set (e.g. system clock minus the monotonic clock the
  // session passes as now_us, or 0 when now_us is the wall clock itself).
  std::optional<int64_t> wall_clock_offset_us;
  protocol::rtp::H264DepacketizerOptions depacketizer;
  // A retransmission is useless once the depacketizer gave up on the gap (max_wait_us).
  protocol::rtp::NackOptions nack{.max_age_us = 150'000};
};

struct WebRtcIngestOutput {
  bool tracks_changed = false;           // `tracks` is (re)declared: first time, or a new avcC
  std::vector<media::TrackInfo> tracks;  // valid when tracks_changed
  std::vector<media::FramePtr> frames;   // dts order per track
};

struct WebRtcIngestStats {
  uint64_t packets = 0;     // RTP packets accepted (media, RTX, padding)
  uint64_t bytes = 0;       // their size
  uint64_t lost = 0;        // never recovered: video sequence numbers given up, audio missing
  uint64_t nacks_sent = 0;  // sequence numbers requested
  uint64_t plis_sent = 0;   // PLI or FIR
  uint64_t frames = 0;      // handed out by poll
  uint64_t keyframes = 0;
  uint64_t rtx_packets = 0;
  uint64_t padding = 0;    // packets without media (probes)
  uint64_t malformed = 0;  // RTP that did not parse, RTX too short
  uint64_t unknown_payload_type = 0;
  uint64_t unknown_ssrc = 0;
  uint64_t dropped_frames = 0;  // before the tracks, waiting for a keyframe, going back, queue full
  uint64_t discontinuities = 0;
  uint64_t track_changes = 0;  // declarations after the first
  uint64_t rejected_parameter_sets = 0;
  uint64_t rtcp_packets = 0;
  uint64_t rtcp_malformed = 0;
  uint64_t sender_reports = 0;
  uint64_t byes = 0;
  uint64_t receiver_reports_sent = 0;
  uint64_t transport_feedback_sent = 0;
};

class WebRtcIngestReceiver {
 public:
  WebRtcIngestReceiver(const protocol::sdp::Negotiated& negotiated,
                       WebRtcIngestOptions options = {});

  // One decrypted RTP packet (media or RTX).
  void on_rtp(std::span<const uint8_t> packet, int64_t now_us);
  // One decrypted RTCP compound: sender reports give LSR/DLSR for our RRs.
  void on_rtcp(std::span<const uint8_t> packet, int64_t now_us);
  // Overwrites `out` with the frames completed since the last poll (also by reorder
  // timeouts: call it from a timer, ~20 ms) and the tracks when they change. A poll stops
  // before a track change that follows frames, so frames never reach the stream under the
  // wrong tracks; the next poll starts with the change.
  void poll(int64_t now_us, WebRtcIngestOutput& out);
  // Appends complete RTCP compounds to send to the publisher now (call from the same timer).
  void take_feedback(int64_t now_us, std::vector<std::vector<uint8_t>>& out);
  // A viewer needs a keyframe: PLI until one arrives (rate limited).
  void request_keyframe(int64_t now_us);

  const WebRtcIngestStats& stats() const { return stats_; }

 private:
  struct Video {
    Video(const protocol::sdp::NegotiatedMedia& media, const WebRtcIngestOptions& options);
    uint8_t payload_type = 0;
    std::optional<uint8_t> rtx_payload_type;
    std::optional<uint32_t> ssrc;
    std::optional<uint32_t> rtx_ssrc;
    bool nack = false, pli = false, fir = false;
    protocol::rtp::H264Depacketizer depacketizer;
    protocol::rtp::NackGenerator nack_generator;
    ReceiveStatistics statistics;
    RtpTimeline timeline;
    H264TrackBuilder builder{kWebRtcVideoTrackId};
    bool awaiting_keyframe = true;  // our own drops broke the decoding chain
    uint8_t fir_sequence = 0;
  };
  struct Audio {
    Audio(const protocol::sdp::NegotiatedMedia& media, const WebRtcIngestOptions& options);
    uint8_t payload_type = 0;
    std::optional<uint32_t> ssrc;
    ReceiveStatistics statistics;
    RtpTimeline timeline;
    std::optional<int64_t> first_arrival_us;
  };
  using Pending = std::variant<std::vector<media::TrackInfo>, media::FramePtr>;

  bool accept_ssrc(std::optional<uint32_t>& bound, uint32_t ssrc);
  int64_t since_origin(int64_t now_us) const { return now_us - origin_us_.value_or(now_us); }
  void on_video(const protocol::rtp::RtpPacketView& packet, int64_t now_us);
  void on_rtx(const protocol::rtp::RtpPacketView& packet, int64_t now_us);
  void on_audio(const protocol::rtp::RtpPacketView& packet, int64_t now_us);
  void depacketize(uint16_t sequence, uint32_t timestamp, bool marker,
                   std::span<const uint8_t> payload, int64_t now_us);
  void take_units(int64_t now_us);
  void declare_tracks();
  void push_frame(uint32_t track_id, const TimelinePoint& point, bool keyframe,
                  base::Buffer payload, int64_t timescale);
  void want_keyframe() { keyframe_wanted_ = true; }
  void update_loss();
  void send(const protocol::rtp::RtcpMessage& message, std::vector<std::vector<uint8_t>>& out);
  void send_receiver_report(int64_t now_us, std::vector<std::vector<uint8_t>>& out);
  void send_nacks(int64_t now_us, std::vector<std::vector<uint8_t>>& out);
  void send_keyframe_request(int64_t now_us, std::vector<std::vector<uint8_t>>& out);
  void send_transport_feedback(int64_t now_us, std::vector<std::vector<uint8_t>>& out);

  WebRtcIngestOptions options_;
  WebRtcIngestStats stats_;
  std::optional<Video> video_;
  std::optional<Audio> audio_;
  uint8_t transport_cc_id_ = 0;  // 0: transport-cc not negotiated
  TwccRecorder twcc_;
  std::optional<int64_t> origin_us_;  // arrival of the first media packet: the timeline's zero

  bool declared_ = false;
  std::deque<Pending> pending_;
  size_t pending_frames_ = 0;
  std::vector<protocol::rtp::H264AccessUnit> units_;  // scratch

  bool keyframe_wanted_ = false;
  std::optional<int64_t> last_keyframe_request_us_;
  std::optional<int64_t> last_report_us_;
  std::optional<int64_t> last_transport_feedback_us_;
};

}  // namespace vela::ingest
