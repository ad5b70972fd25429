#pragma once
// One viewer of `vela bench whep-load` after signalling: the ICE, DTLS, SRTP and RTCP
// behaviour of a browser's receive-only peer connection, without decoding.
//
//   ICE    binding requests to the server's first UDP candidate (USERNAME, PRIORITY,
//          ICE-CONTROLLING or -CONTROLLED, USE-CANDIDATE when controlling,
//          MESSAGE-INTEGRITY, FINGERPRINT), every 100 ms until answered, then a consent
//          check every 5 s; binding requests from a full-ICE server are answered.
//   DTLS   once ICE has an answer, in the role the SDP gave; then SRTP with its keys.
//   RTCP   receiver report (+ SDES CNAME) every second, transport-cc feedback every
//          100 ms, generic NACK for sequence gaps in the video (checked every tick), PLI
//          when no keyframe arrived within a second (and again every second until one).
//   Counts RTP packets and bytes, video frames (marker bit), keyframes, gaps and what RTX
//   recovered, and the time from signalling start to the first decodable frame.
//
// Pure: datagrams and the time are passed in; datagrams to send are appended to `out`.
// Single owner, not thread-safe.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bench/whep_load_receive.hpp"
#include "bench/whep_load_sdp.hpp"
#include "protocol/dtls/dtls_transport.hpp"
#include "protocol/dtls/srtp_session.hpp"
#include "protocol/rtp/nack.hpp"
#include "protocol/rtp/transport_feedback.hpp"
#include "protocol/stun/socket_address.hpp"
#include "protocol/stun/stun_message.hpp"

namespace vela::bench {

using Datagrams = std::vector<std::vector<uint8_t>>;

struct PeerConfig {
  std::shared_ptr<const protocol::dtls::DtlsCertificate> certificate;
  std::string local_ufrag;
  std::string local_pwd;
  RemoteDescription remote;
  bool controlling = true;  // ICE role: false when the server is a full agent that offered
  uint64_t tie_breaker = 0;
  uint32_t local_ssrc = 1;  // RTCP sender SSRC
  uint64_t seed = 1;        // transaction ids
  int64_t signalling_start_us = 0;  // time to first frame counts from here
};

struct PeerCounters {
  uint64_t rtp_packets = 0;
  uint64_t rtp_bytes = 0;  // SRTP bytes on the wire (video, audio, RTX)
  uint64_t audio_packets = 0;
  uint64_t video_packets = 0;
  uint64_t rtx_packets = 0;
  uint64_t frames = 0;
  uint64_t keyframes = 0;
  uint64_t video_expected = 0;
  uint64_t video_gaps = 0;
  uint64_t video_lost = 0;
  uint64_t audio_expected = 0;
  uint64_t audio_lost = 0;
  uint64_t nack_recovered = 0;
  uint64_t nack_packets = 0;    // RTCP NACK messages sent
  uint64_t nack_requested = 0;  // sequence numbers in them
  uint64_t plis = 0;
  uint64_t receiver_reports = 0;
  uint64_t twcc_feedbacks = 0;
  uint64_t sender_reports = 0;  // received
  uint64_t stun_requests = 0;   // sent
  uint64_t stun_answered = 0;   // requests from the server we answered
  uint64_t srtp_errors = 0;
  uint64_t other_drops = 0;  // unparsable or unexpected datagrams
  // RFC 3550 interarrival jitter, sampled at each receiver report (for the mean over time).
  uint64_t jitter_samples = 0;
  double audio_jitter_ms_sum = 0;
  double video_jitter_ms_sum = 0;

  void merge(const PeerCounters& other);
};

class WhepPeer {
 public:
  enum class State { ice, dtls, connected, failed, closed };

  WhepPeer(PeerConfig config, int64_t now_us);

  // A datagram from the server (it is decrypted in place). `from` answers its checks.
  void on_datagram(std::span<uint8_t> datagram, const protocol::stun::SocketAddress& from, int64_t now_us,
                   Datagrams& out);
  // Call often (every 10-20 ms): retransmissions, timers, feedback.
  void on_tick(int64_t now_us, Datagrams& out);
  // DTLS close_notify; the peer is then closed.
  void close(Datagrams& out);

  State state() const { return state_; }
  const std::string& failure() const { return failure_; }
  std::optional<int64_t> time_to_first_frame_us() const { return ttff_us_; }
  std::optional<int64_t> connected_after_us() const { return connected_us_; }
  PeerCounters counters() const;

 private:
  void send_binding_request(int64_t now_us, Datagrams& out);
  void on_stun(std::span<const uint8_t> datagram, const protocol::stun::SocketAddress& from, int64_t now_us,
               Datagrams& out);
  void on_dtls(std::span<const uint8_t> datagram, int64_t now_us, Datagrams& out);
  void on_rtp(std::span<uint8_t> datagram, int64_t now_us);
  void on_rtcp(std::span<uint8_t> datagram, int64_t now_us);
  void take_dtls(protocol::dtls::DtlsTransport::Output output, int64_t now_us, Datagrams& out);
  void send_rtcp(std::vector<uint8_t> plain, Datagrams& out);
  void send_receiver_report(int64_t now_us, Datagrams& out);
  void send_transport_feedback(Datagrams& out);
  void send_nacks(int64_t now_us, Datagrams& out);
  void fail(std::string reason);

  struct SenderReportSeen {
    uint32_t ssrc = 0;
    uint32_t middle_ntp = 0;
    int64_t received_us = 0;
  };

  PeerConfig config_;
  State state_ = State::ice;
  std::string failure_;
  uint64_t transaction_counter_ = 0;
  protocol::stun::TransactionId pending_{};
  bool request_pending_ = false;
  int64_t next_check_us_ = 0;
  int64_t ice_deadline_us_ = 0;
  int64_t dtls_deadline_us_ = 0;
  std::optional<protocol::dtls::DtlsTransport> dtls_;
  std::optional<int64_t> dtls_timer_due_us_;
  std::unique_ptr<protocol::dtls::SrtpSession> srtp_;
  int64_t next_rr_us_ = 0;
  int64_t next_twcc_us_ = 0;
  int64_t next_pli_us_ = 0;
  std::optional<int64_t> ttff_us_;
  std::optional<int64_t> connected_us_;

  uint32_t audio_ssrc_ = 0;
  uint32_t video_ssrc_ = 0;
  StreamReceiveCounter audio_{48000};
  StreamReceiveCounter video_{90000};
  FrameCounter frames_;
  protocol::rtp::NackGenerator nack_;
  std::vector<protocol::rtp::TwccArrival> twcc_;
  uint8_t twcc_count_ = 0;
  std::vector<SenderReportSeen> sender_reports_;
  PeerCounters counters_;
};

}  // namespace vela::bench
