// One viewer's ICE, DTLS, SRTP and RTCP behaviour (see whep_load_peer.hpp).
#include "bench/whep_load_peer.hpp"

#include <random>

#include "protocol/dtls/packet_kind.hpp"
#include "protocol/rtp/rtcp.hpp"
#include "protocol/rtp/rtp_packet.hpp"
#include "protocol/stun/stun_builder.hpp"

namespace vela::bench {

namespace dtls = protocol::dtls;
namespace rtp = protocol::rtp;
namespace stun = protocol::stun;

namespace {

constexpr int64_t kCheckIntervalUs = 100'000;
constexpr int64_t kConsentIntervalUs = 5'000'000;
constexpr int64_t kIceTimeoutUs = 10'000'000;
constexpr int64_t kDtlsTimeoutUs = 10'000'000;
constexpr int64_t kReportIntervalUs = 1'000'000;
constexpr int64_t kTwccIntervalUs = 100'000;
constexpr int64_t kPliIntervalUs = 1'000'000;
// A peer-reflexive local candidate's priority (RFC 8445 5.1.2.1: type preference 110).
constexpr uint32_t kPrflxPriority = (110u << 24) | (65535u << 8) | 255u;

uint16_t read16(std::span<const uint8_t> bytes) { return static_cast<uint16_t>((bytes[0] << 8) | bytes[1]); }

}  // namespace

void PeerCounters::merge(const PeerCounters& o) {
  rtp_packets += o.rtp_packets;
  rtp_bytes += o.rtp_bytes;
  audio_packets += o.audio_packets;
  video_packets += o.video_packets;
  rtx_packets += o.rtx_packets;
  frames += o.frames;
  keyframes += o.keyframes;
  video_expected += o.video_expected;
  video_gaps += o.video_gaps;
  video_lost += o.video_lost;
  audio_expected += o.audio_expected;
  audio_lost += o.audio_lost;
  nack_recovered += o.nack_recovered;
  nack_packets += o.nack_packets;
  nack_requested += o.nack_requested;
  plis += o.plis;
  receiver_reports += o.receiver_reports;
  twcc_feedbacks += o.twcc_feedbacks;
  sender_reports += o.sender_reports;
  stun_requests += o.stun_requests;
  stun_answered += o.stun_answered;
  srtp_errors += o.srtp_errors;
  other_drops += o.other_drops;
  jitter_samples += o.jitter_samples;
  audio_jitter_ms_sum += o.audio_jitter_ms_sum;
  video_jitter_ms_sum += o.video_jitter_ms_sum;
}

WhepPeer::WhepPeer(PeerConfig config, int64_t now_us)
    : config_(std::move(config)), next_check_us_(now_us), ice_deadline_us_(now_us + kIceTimeoutUs) {}

PeerCounters WhepPeer::counters() const {
  PeerCounters c = counters_;
  c.frames = frames_.frames();
  c.keyframes = frames_.keyframes();
  c.video_expected = video_.expected();
  c.video_gaps = video_.gaps();
  c.video_lost = video_.lost();
  c.audio_expected = audio_.expected();
  c.audio_lost = audio_.lost();
  c.nack_recovered = video_.recovered();
  return c;
}

void WhepPeer::fail(std::string reason) {
  if (state_ == State::failed || state_ == State::closed) return;
  state_ = State::failed;
  failure_ = std::move(reason);
}

void WhepPeer::send_binding_request(int64_t now_us, Datagrams& out) {
  // Transaction ids need only be unique per peer; mix the seed with a counter.
  std::mt19937_64 random(config_.seed ^ (++transaction_counter_ * 0x9E3779B97F4A7C15ull));
  for (auto& byte : pending_) byte = static_cast<uint8_t>(random());
  stun::MessageBuilder b(stun::kMethodBinding, stun::MessageClass::request, pending_);
  b.add_username(config_.remote.ice_ufrag + ":" + config_.local_ufrag);
  b.add_priority(kPrflxPriority);
  if (config_.controlling) {
    b.add_ice_controlling(config_.tie_breaker);
    if (state_ == State::ice) b.add_use_candidate();
  } else {
    b.add_ice_controlled(config_.tie_breaker);
  }
  if (!b.add_message_integrity(config_.remote.ice_pwd)) return fail("STUN integrity failed");
  b.add_fingerprint();
  out.push_back(std::move(b).finish());
  request_pending_ = true;
  ++counters_.stun_requests;
  next_check_us_ = now_us + (state_ == State::ice ? kCheckIntervalUs : kConsentIntervalUs);
}

void WhepPeer::on_tick(int64_t now_us, Datagrams& out) {
  if (state_ == State::failed || state_ == State::closed) return;
  if (state_ == State::ice && now_us >= ice_deadline_us_) return fail("ICE: no answer to binding requests");
  if (state_ == State::dtls && now_us >= dtls_deadline_us_) return fail("DTLS handshake timed out");
  if (now_us >= next_check_us_) send_binding_request(now_us, out);
  if (dtls_ && dtls_timer_due_us_ && now_us >= *dtls_timer_due_us_) take_dtls(dtls_->on_timer(), now_us, out);
  if (state_ != State::connected) return;
  if (now_us >= next_rr_us_ && (audio_.started() || video_.started())) {
    send_receiver_report(now_us, out);
    next_rr_us_ = now_us + kReportIntervalUs;
  }
  if (now_us >= next_twcc_us_) {
    send_transport_feedback(out);
    next_twcc_us_ = now_us + kTwccIntervalUs;
  }
  send_nacks(now_us, out);
  bool want_keyframe = nack_.take_keyframe_request() || !frames_.decodable();
  if (config_.remote.video_pt && want_keyframe && now_us >= next_pli_us_) {
    rtp::Pli pli{config_.local_ssrc, video_ssrc_};
    std::vector<uint8_t> plain;
    if (video_ssrc_ && rtp::write_rtcp(pli, plain)) {
      send_rtcp(std::move(plain), out);
      ++counters_.plis;
    }
    next_pli_us_ = now_us + kPliIntervalUs;
  }
}

void WhepPeer::on_datagram(std::span<uint8_t> datagram, const stun::SocketAddress& from, int64_t now_us,
                           Datagrams& out) {
  if (state_ == State::failed || state_ == State::closed) return;
  switch (dtls::classify_packet(datagram)) {
    case dtls::PacketKind::stun:
      return on_stun(datagram, from, now_us, out);
    case dtls::PacketKind::dtls:
      return on_dtls(datagram, now_us, out);
    case dtls::PacketKind::rtp:
      return on_rtp(datagram, now_us);
    case dtls::PacketKind::rtcp:
      return on_rtcp(datagram, now_us);
    case dtls::PacketKind::unknown:
      ++counters_.other_drops;
      return;
  }
}

void WhepPeer::on_stun(std::span<const uint8_t> datagram, const stun::SocketAddress& from, int64_t now_us,
                       Datagrams& out) {
  auto message = stun::parse_message(datagram);
  if (!message || message->method != stun::kMethodBinding) {
    ++counters_.other_drops;
    return;
  }
  if (message->message_class == stun::MessageClass::request) {
    // A full-ICE server checks us too: answer with our password.
    if (!stun::verify_integrity(datagram, *message, config_.local_pwd)) {
      ++counters_.other_drops;
      return;
    }
    stun::MessageBuilder b(stun::kMethodBinding, stun::MessageClass::success, message->transaction_id);
    b.add_xor_mapped_address(from);
    if (!b.add_message_integrity(config_.local_pwd)) return;
    b.add_fingerprint();
    out.push_back(std::move(b).finish());
    ++counters_.stun_answered;
    return;
  }
  if (!request_pending_ || message->transaction_id != pending_) return;  // stale or foreign
  if (message->message_class == stun::MessageClass::error) {
    return fail("ICE: binding error " + std::to_string(message->error ? message->error->code : 0));
  }
  if (message->message_class != stun::MessageClass::success) return;
  if (!stun::verify_integrity(datagram, *message, config_.remote.ice_pwd)) {
    ++counters_.other_drops;
    return;
  }
  request_pending_ = false;
  if (state_ != State::ice) return;  // a consent answer
  state_ = State::dtls;
  next_check_us_ = now_us + kConsentIntervalUs;
  dtls_deadline_us_ = now_us + kDtlsTimeoutUs;
  dtls_.emplace(config_.certificate, config_.remote.our_role, config_.remote.fingerprint);
  take_dtls(dtls_->start(), now_us, out);
}

void WhepPeer::on_dtls(std::span<const uint8_t> datagram, int64_t now_us, Datagrams& out) {
  if (!dtls_) {
    // A DTLS client server may send its ClientHello before our check is answered.
    if (state_ != State::ice || config_.remote.our_role != dtls::DtlsTransportRole::server) return;
    dtls_.emplace(config_.certificate, config_.remote.our_role, config_.remote.fingerprint);
    take_dtls(dtls_->start(), now_us, out);
    if (!dtls_) return;
  }
  take_dtls(dtls_->on_datagram(datagram), now_us, out);
}

void WhepPeer::take_dtls(dtls::DtlsTransport::Output output, int64_t now_us, Datagrams& out) {
  for (auto& d : output.datagrams) out.push_back(std::move(d));
  if (output.failed) return fail("DTLS: " + *output.failed);
  if (output.closed_by_peer) {
    state_ = State::closed;
    return;
  }
  auto timeout = dtls_->next_timeout();
  dtls_timer_due_us_ = timeout ? std::optional<int64_t>(now_us + timeout->count() * 1000) : std::nullopt;
  if (!output.connected_now) return;
  auto session = dtls::SrtpSession::create(*dtls_->keys());
  if (!session) return fail("SRTP: " + session.error().message);
  srtp_ = std::move(*session);
  state_ = State::connected;
  connected_us_ = now_us - config_.signalling_start_us;
  next_rr_us_ = now_us + kReportIntervalUs;
  next_twcc_us_ = now_us + kTwccIntervalUs;
  next_pli_us_ = now_us + kPliIntervalUs;  // the server sends a keyframe first; ask if it does not
}

void WhepPeer::on_rtp(std::span<uint8_t> datagram, int64_t now_us) {
  if (!srtp_) return;
  auto plain = srtp_->unprotect_rtp(datagram);
  if (!plain) {
    ++counters_.srtp_errors;
    return;
  }
  auto packet = rtp::parse_rtp(datagram.first(*plain));
  if (!packet) {
    ++counters_.other_drops;
    return;
  }
  ++counters_.rtp_packets;
  counters_.rtp_bytes += datagram.size();
  if (config_.remote.transport_cc_id) {
    if (auto ext = packet->extension(config_.remote.transport_cc_id); ext && ext->size() >= 2) {
      twcc_.push_back({read16(*ext), now_us});
    }
  }
  const RemoteDescription& r = config_.remote;
  if (packet->payload_type == r.video_pt && r.video_pt) {
    ++counters_.video_packets;
    video_ssrc_ = packet->ssrc;
    video_.on_packet(packet->sequence, packet->timestamp, now_us);
    nack_.on_packet(packet->sequence, now_us);
    bool first = frames_.on_packet(packet->marker, h264_starts_keyframe(packet->payload));
    if (first) ttff_us_ = now_us - config_.signalling_start_us;
  } else if (packet->payload_type == r.video_rtx_pt && r.video_rtx_pt) {
    ++counters_.rtx_packets;
    if (packet->payload.size() < 2) return;  // padding-only probe
    uint64_t before = nack_.stats().recovered;
    nack_.on_packet(read16(packet->payload), now_us);
    if (nack_.stats().recovered > before) video_.on_recovered();
  } else if (packet->payload_type == r.audio_pt && r.audio_pt) {
    ++counters_.audio_packets;
    audio_ssrc_ = packet->ssrc;
    audio_.on_packet(packet->sequence, packet->timestamp, now_us);
  } else {
    ++counters_.other_drops;
  }
}

void WhepPeer::on_rtcp(std::span<uint8_t> datagram, int64_t now_us) {
  if (!srtp_) return;
  auto plain = srtp_->unprotect_rtcp(datagram);
  if (!plain) {
    ++counters_.srtp_errors;
    return;
  }
  auto compound = rtp::parse_rtcp(datagram.first(*plain));
  for (const auto& message : compound.messages) {
    const auto* sr = std::get_if<rtp::SenderReport>(&message);
    if (!sr) continue;
    ++counters_.sender_reports;
    SenderReportSeen seen{sr->ssrc, static_cast<uint32_t>(sr->ntp_time >> 16), now_us};
    bool replaced = false;
    for (auto& s : sender_reports_) {
      if (s.ssrc == sr->ssrc) {
        s = seen;
        replaced = true;
      }
    }
    if (!replaced && sender_reports_.size() < 4) sender_reports_.push_back(seen);
  }
}

void WhepPeer::send_rtcp(std::vector<uint8_t> plain, Datagrams& out) {
  if (!srtp_ || !srtp_->protect_rtcp(plain)) return;
  out.push_back(std::move(plain));
}

void WhepPeer::send_receiver_report(int64_t now_us, Datagrams& out) {
  rtp::ReceiverReport rr{config_.local_ssrc, {}};
  auto block = [&](StreamReceiveCounter& counter, uint32_t ssrc) {
    if (!counter.started()) return;
    rtp::ReportBlock b = counter.make_report_block(ssrc);
    for (const auto& s : sender_reports_) {
      if (s.ssrc != ssrc) continue;
      b.last_sr = s.middle_ntp;
      b.delay_since_last_sr = static_cast<uint32_t>((now_us - s.received_us) * 65536 / 1'000'000);
    }
    rr.reports.push_back(b);
  };
  block(audio_, audio_ssrc_);
  block(video_, video_ssrc_);
  if (audio_.started() && video_.started()) {
    counters_.jitter_samples++;
    counters_.audio_jitter_ms_sum += audio_.jitter() / 48.0;
    counters_.video_jitter_ms_sum += video_.jitter() / 90.0;
  }
  std::vector<uint8_t> plain;
  if (!rtp::write_rtcp(rr, plain)) return;
  rtp::Sdes sdes{{rtp::SdesChunk{config_.local_ssrc, config_.local_ufrag}}};
  if (!rtp::write_rtcp(sdes, plain)) return;
  send_rtcp(std::move(plain), out);
  ++counters_.receiver_reports;
}

void WhepPeer::send_transport_feedback(Datagrams& out) {
  if (twcc_.empty()) return;
  uint32_t media = video_ssrc_ ? video_ssrc_ : audio_ssrc_;
  auto feedback = rtp::make_transport_feedback(config_.local_ssrc, media, twcc_count_, twcc_);
  twcc_.clear();
  if (!feedback) return;
  std::vector<uint8_t> plain;
  if (!rtp::write_rtcp(*feedback, plain)) return;
  ++twcc_count_;
  send_rtcp(std::move(plain), out);
  ++counters_.twcc_feedbacks;
}

void WhepPeer::send_nacks(int64_t now_us, Datagrams& out) {
  if (!nack_.missing_count() || !video_ssrc_) return;
  std::vector<uint16_t> due = nack_.due(now_us);
  if (due.empty()) return;
  counters_.nack_requested += due.size();
  rtp::Nack nack{config_.local_ssrc, video_ssrc_, std::move(due)};
  std::vector<uint8_t> plain;
  if (!rtp::write_rtcp(nack, plain)) return;
  send_rtcp(std::move(plain), out);
  ++counters_.nack_packets;
}

void WhepPeer::close(Datagrams& out) {
  if (dtls_ && state_ != State::failed) {
    auto output = dtls_->close();
    for (auto& d : output.datagrams) out.push_back(std::move(d));
  }
  if (state_ != State::failed) state_ = State::closed;
}

}  // namespace vela::bench
