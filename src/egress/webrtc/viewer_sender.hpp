#pragma once
// One WHEP viewer's RTP/RTCP sender: turns the shared feed packets (RtpFeed) into this
// viewer's plain RTP and answers its RTCP. Only what must differ per viewer happens here:
// the header (SSRC, payload type, sequence and timestamp offsets, header extensions with
// the viewer's negotiated ids). SRTP and the socket write are the session's.
//
// Sequence numbers: viewer seq = feed seq + an offset fixed when the kind starts, so a
// packet the session did not send shows as a gap the browser NACKs, and a NACK maps back to
// the feed by subtracting the offset. Video starts at a keyframe_start packet.
// Timestamps: viewer ts = feed ts + an offset from the configured base. A replayed GOP is
// squeezed instead: its frames get timestamps `replay_frame_spacing` apart from the base,
// and the live offset is then chosen so that the first live frame follows the last
// replayed one at its natural distance. The browser decodes the GOP at once and plays live.
// Retransmissions of replayed packets reuse their squeezed timestamps.
//
// Sources (rendition switches): every packet is written with the id of the feed it came
// from. When video packets start coming from another source (the session moved the viewer to
// another rendition), the sender starts a new segment at that source's keyframe_start
// packet (earlier packets of the new source are skipped): the same SSRC, the sequence offset
// rebased so that viewer sequence numbers stay contiguous, and the timestamp offset kept
// (renditions share PTS) unless that would not move forward (a rendition that lags, being
// transcoded) - then the keyframe follows the last frame sent by switch_frame_spacing. A
// NACK maps each viewer sequence back to the segment, and so the source, that sent it.
//
// RTCP in: NACK -> retransmissions (RTX when negotiated: the original sequence number in
// the first two payload bytes, the RTX SSRC/payload type and its own sequence), each packet
// at most once per min_resend_interval_us; PLI/FIR -> keyframe_wanted (the session asks
// the stream); RR -> loss, jitter, RTT (from LSR/DLSR); REMB and transport-wide feedback ->
// BandwidthEstimator. Malformed RTCP is counted; the packets read before the bad one count.
// RTCP out: SR + SDES (CNAME) per media SSRC every report_interval_us.
//
// Pure: time is passed in (now_us, microseconds, monotonic; now_us + wall_clock_offset_us
// is the Unix time used for SR NTP timestamps). Single owner: the viewer session's shard.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "egress/webrtc/bandwidth_estimator.hpp"
#include "egress/webrtc/rtp_feed.hpp"
#include "protocol/rtp/rtcp.hpp"
#include "protocol/sdp/sdp_answer.hpp"

namespace vela::egress {

struct ViewerMediaConfig {
  bool enabled = false;  // negotiated (and we send it)
  uint8_t payload_type = 0;
  uint32_t ssrc = 0;
  uint32_t clock_rate = 0;  // 48000 (Opus) / 90000 (H.264)
  std::string mid;
  uint16_t sequence_base = 0;   // the viewer's first sequence number
  uint32_t timestamp_base = 0;  // the viewer's first timestamp
};

struct ViewerSenderConfig {
  ViewerMediaConfig audio;
  ViewerMediaConfig video;
  std::optional<uint8_t> video_rtx_payload_type;  // RTX (RFC 4588) when negotiated
  uint32_t video_rtx_ssrc = 0;
  uint16_t rtx_sequence_base = 0;
  // RFC 8285 ids (0 = not negotiated): mid, abs-send-time, transport-wide-cc.
  uint8_t mid_extension_id = 0;
  uint8_t abs_send_time_extension_id = 0;
  uint8_t transport_cc_extension_id = 0;
  std::string cname = "vela";
  int64_t wall_clock_offset_us = 0;  // now_us + this = Unix time in microseconds
  int64_t report_interval_us = 1'000'000;
  int64_t min_resend_interval_us = 10'000;
  size_t max_retransmissions_per_rtcp = 256;  // bounds what one compound can make us send
  uint32_t replay_frame_spacing = 90;         // video ticks between squeezed frames (1 ms)
  uint32_t switch_frame_spacing = 3000;       // see "Sources" above (one frame at 30 fps)
};

class ViewerSender {
 public:
  explicit ViewerSender(ViewerSenderConfig config);
  // The sendonly audio/video sections of a WHEP answer, with the session's SSRCs. Sequence
  // and timestamp bases are derived from the SSRCs (random per session, so random here).
  static ViewerSenderConfig config_from(const protocol::sdp::Negotiated& negotiated,
                                        uint32_t audio_ssrc, uint32_t video_ssrc,
                                        uint32_t video_rtx_ssrc);

  // Writes this viewer's plain RTP packet for `packet` into `out` (cleared first). False
  // when the viewer skips it (video before its first keyframe, or a kind not negotiated).
  // replayed: part of a GOP replay (see above). source: the feed it came from (see
  // "Sources" above).
  bool write(const SharedRtpPacket& packet, bool replayed, int64_t now_us,
             std::vector<uint8_t>& out, uint32_t source = 0);

  struct RtcpActions {
    std::vector<std::vector<uint8_t>> retransmissions;  // plain RTP (or RTX) packets to send now
    bool keyframe_wanted = false;
  };
  using Lookup = std::function<SharedRtpPacketPtr(media::MediaKind, uint32_t source,
                                                  uint16_t feed_sequence)>;
  // A decrypted RTCP compound from the viewer; lookup fetches feed packets for NACKed
  // sequences from the source that sent them (RtpFeed::find).
  RtcpActions on_rtcp(std::span<const uint8_t> compound, int64_t now_us, const Lookup& lookup);
  // Appends one compound (SR + SDES) per media SSRC that has sent, when a report is due.
  void take_reports(int64_t now_us, std::vector<std::vector<uint8_t>>& out);

  // True until video (when negotiated) has started: the session may ask for a keyframe.
  bool waiting_for_keyframe() const { return config_.video.enabled && !video_.started; }
  // The source of the video sent last (nullopt before the first video packet).
  std::optional<uint32_t> video_source() const;
  // The loss fraction of the bandwidth estimator's last interval (0..1).
  double estimated_loss() const { return estimator_.loss_fraction(); }
  // The receiver's own limit (REMB), 0 when it sent none.
  uint64_t receiver_limit_bps() const { return estimator_.remb_bps(); }

  struct Stats {
    uint64_t packets = 0, bytes = 0;  // RTP sent (retransmissions included)
    uint64_t retransmitted = 0;
    uint64_t nacks = 0;        // sequence numbers NACKed
    uint64_t nack_misses = 0;  // NACKed packets no longer (or never) available
    uint64_t plis = 0, firs = 0;
    uint64_t skipped = 0;  // video packets before the first keyframe (of a new source too)
    uint64_t switches = 0;  // video source changes
    uint64_t malformed_rtcp = 0;
    double loss_fraction = 0;  // last RR (video, else audio)
    uint32_t jitter = 0;       // last RR, in that kind's timestamp units
    int64_t rtt_us = 0;        // 0 until measured
    uint64_t bandwidth_estimate_bps = 0;
  };
  const Stats& stats() const { return stats_; }
  const ViewerSenderConfig& config() const { return config_; }

 private:
  // A run of viewer sequence numbers sent from one source, with the offsets it used.
  struct Segment {
    uint16_t first_sequence = 0;  // viewer sequence
    uint32_t source = 0;
    uint16_t sequence_offset = 0;
    uint32_t timestamp_offset = 0;
  };
  struct Track {
    bool started = false;
    bool live = false;  // video: the first non-replayed packet was sent
    uint16_t sequence_offset = 0;
    uint32_t timestamp_offset = 0;
    uint16_t last_sequence = 0;   // newest viewer sequence sent
    uint32_t last_timestamp = 0;  // newest viewer timestamp sent (video: in sending order)
    // Oldest first; the newest is the current source (its offsets are the ones above).
    std::vector<Segment> segments;
    uint32_t packets = 0, octets = 0;  // for the SR
    bool has_reference = false;        // newest live timestamp sent, when, and its media time
    uint32_t reference_timestamp = 0;
    int64_t reference_us = 0;
    int64_t reference_media_us = 0;
  };
  struct Resent {
    uint32_t key = 0;  // kind << 16 | viewer sequence
    int64_t at_us = -1;
  };

  Track& track(media::MediaKind kind) { return kind == media::MediaKind::video ? video_ : audio_; }
  const ViewerMediaConfig& media(media::MediaKind kind) const {
    return kind == media::MediaKind::video ? config_.video : config_.audio;
  }
  uint32_t video_timestamp(const SharedRtpPacket& packet, bool replayed);
  // Starts a segment for a new source at `packet` (video: a keyframe_start).
  void switch_source(Track& t, const SharedRtpPacket& packet, uint32_t source);
  // The segment that sent this viewer sequence (not sent, or forgotten: nullopt).
  std::optional<Segment> segment_of(const Track& t, uint16_t sequence) const;
  // The timestamp this viewer got for a feed packet sent in `segment`.
  uint32_t timestamp_of(const SharedRtpPacket& packet, const Segment& segment) const;
  // Header + extensions + prefix + payload into `out`; counts the packet.
  void emit(uint8_t payload_type, uint32_t ssrc, uint16_t sequence, uint32_t timestamp, bool marker,
            const std::string& mid, std::span<const uint8_t> prefix,
            std::span<const uint8_t> payload, int64_t now_us, std::vector<uint8_t>& out);
  void on_nack(const protocol::rtp::Nack& nack, int64_t now_us, const Lookup& lookup,
               RtcpActions& actions);
  void on_report_blocks(const std::vector<protocol::rtp::ReportBlock>& blocks, int64_t now_us);
  bool may_resend(media::MediaKind kind, uint16_t sequence, int64_t now_us);
  uint64_t ntp_now(int64_t now_us) const;

  ViewerSenderConfig config_;
  Track audio_;
  Track video_;
  // Squeezed replay: (feed ts, viewer ts) per replayed frame and its feed sequence range.
  std::vector<std::pair<uint32_t, uint32_t>> replay_timestamps_;
  uint16_t replay_first_sequence_ = 0;
  uint16_t replay_last_sequence_ = 0;
  uint32_t replay_source_ = 0;
  uint32_t replay_timestamp_ = 0;
  uint16_t rtx_sequence_;
  uint16_t transport_sequence_ = 0;
  std::vector<Resent> resent_;
  std::optional<int64_t> last_report_us_;
  // One media-time <-> send-time anchor for both kinds (the first live packet), so the SRs of
  // audio and video describe the source's own A/V alignment rather than send-time jitter.
  std::optional<std::pair<int64_t, int64_t>> media_anchor_;  // media µs, now µs
  std::optional<uint8_t> last_fir_sequence_;
  BandwidthEstimator estimator_;
  Stats stats_;
};

}  // namespace vela::egress
