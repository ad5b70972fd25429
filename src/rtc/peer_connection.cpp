#include "rtc/peer_connection.hpp"

#include <spdlog/spdlog.h>

#include "protocol/dtls/packet_kind.hpp"

namespace vela::rtc {

namespace dtls = protocol::dtls;

namespace {
constexpr int64_t kDtlsHandshakeTimeoutUs = 10'000'000;
// From the offer to keyed media, whatever the stage: ICE may pass while DTLS never starts (the
// peer keeps sending checks but no ClientHello), and the session must not hold its stream name.
constexpr int64_t kSetupTimeoutUs = 20'000'000;
}  // namespace

PeerConnection::PeerConnection(PeerConnectionParams params, DatagramSender& sender, int64_t now_us)
    : params_(std::move(params)),
      sender_(sender),
      ice_(params_.local_ice, params_.remote_ice, now_us / 1000, params_.ice),
      dtls_(params_.certificate, params_.dtls_role, params_.remote_fingerprint),
      created_us_(now_us) {}

bool PeerConnection::on_stun(std::span<const uint8_t> message, const RtcPath& from, int64_t now_us) {
  if (closed_) return false;
  auto outcome = ice_.on_binding_request(message, from.remote, now_us / 1000);
  if (!outcome) return false;
  sender_.send_datagram(outcome->response, from);
  if (!outcome->authenticated) return false;
  // ICE-lite: media follows the nominated path; before any nomination the first path that
  // authenticated is as good as any (Chromium nominates at once with aggressive nomination).
  if (outcome->nominated || !selected_) selected_ = from;
  // We are the DTLS client only when the offer said a=setup:passive; then we speak first,
  // once there is a path to speak on.
  if (!dtls_started_ && params_.dtls_role == dtls::DtlsTransportRole::client) {
    dtls_started_ = true;
    dtls_started_us_ = now_us;
    handle_dtls_output(dtls_.start(), now_us);
  }
  return true;
}

void PeerConnection::on_packet(std::span<uint8_t> datagram, const RtcPath& from, int64_t now_us) {
  if (closed_) return;
  stats_.packets_in++;
  stats_.bytes_in += datagram.size();
  switch (dtls::classify_packet(datagram)) {
    case dtls::PacketKind::dtls:
      if (!selected_) selected_ = from;
      if (!dtls_started_) dtls_started_us_ = now_us;
      dtls_started_ = true;
      handle_dtls_output(dtls_.on_datagram(datagram), now_us);
      return;
    case dtls::PacketKind::rtp: {
      if (!srtp_) {
        stats_.dropped_before_connect++;
        return;
      }
      auto size = srtp_->unprotect_rtp(datagram);
      if (!size) {
        stats_.srtp_errors++;
        return;
      }
      if (observer_) observer_->on_rtp(datagram.first(*size), now_us);
      return;
    }
    case dtls::PacketKind::rtcp: {
      if (!srtp_) {
        stats_.dropped_before_connect++;
        return;
      }
      auto size = srtp_->unprotect_rtcp(datagram);
      if (!size) {
        stats_.srtp_errors++;
        return;
      }
      if (observer_) observer_->on_rtcp(datagram.first(*size), now_us);
      return;
    }
    default:
      return;  // STUN comes through on_stun; anything else is not ours
  }
}

void PeerConnection::on_tick(int64_t now_us) {
  if (closed_) return;
  if (ice_.expired(now_us / 1000)) {
    close(ice_.connected() ? "ICE consent expired (no checks for 30 s)" : "ICE did not connect in time");
    return;
  }
  if (!srtp_ && now_us - created_us_ > kSetupTimeoutUs) {
    close("not connected within 20 s of the offer (ICE passed, DTLS did not finish)");
    return;
  }
  if (dtls_started_ && !dtls_.connected()) {
    // OpenSSL's own retransmission timer would keep a stuck handshake alive for minutes.
    if (now_us - dtls_started_us_ > kDtlsHandshakeTimeoutUs) {
      close("DTLS handshake did not finish within 10 s");
      return;
    }
    if (dtls_timer_deadline_us_ < 0) {
      if (auto timeout = dtls_.next_timeout()) dtls_timer_deadline_us_ = now_us + timeout->count() * 1000;
    } else if (now_us >= dtls_timer_deadline_us_) {
      dtls_timer_deadline_us_ = -1;
      handle_dtls_output(dtls_.on_timer(), now_us);
    }
  }
  if (srtp_ && observer_) observer_->on_tick(now_us);
}

void PeerConnection::handle_dtls_output(dtls::DtlsTransport::Output output, int64_t now_us) {
  send_datagrams(output.datagrams);
  dtls_timer_deadline_us_ = -1;  // re-armed from next_timeout() on the next tick
  if (output.failed) {
    close(*output.failed);
    return;
  }
  if (output.closed_by_peer) {
    close("peer closed DTLS (close_notify)");
    return;
  }
  if (output.connected_now) {
    auto srtp = dtls::SrtpSession::create(*dtls_.keys());
    if (!srtp) {
      close(srtp.error().message);
      return;
    }
    srtp_ = std::move(*srtp);
    spdlog::info("webrtc session={} connected via {}{}", params_.id, selected_ ? selected_->remote.to_string() : "?",
                 selected_ && selected_->is_tcp() ? " (ICE-TCP)" : "");
    if (observer_) observer_->on_connected(now_us);
  }
}

void PeerConnection::send_datagrams(const std::vector<std::vector<uint8_t>>& datagrams) {
  if (!selected_) return;
  for (const auto& datagram : datagrams) {
    stats_.packets_out++;
    stats_.bytes_out += datagram.size();
    sender_.send_datagram(datagram, *selected_);
  }
}

bool PeerConnection::send_rtp(std::vector<uint8_t>& packet) {
  if (closed_ || !srtp_ || !selected_) return false;
  if (!srtp_->protect_rtp(packet)) return false;
  return send_protected(packet);
}

bool PeerConnection::send_rtcp(std::vector<uint8_t>& packet) {
  if (closed_ || !srtp_ || !selected_) return false;
  if (!srtp_->protect_rtcp(packet)) return false;
  return send_protected(packet);
}

bool PeerConnection::send_protected(std::vector<uint8_t>& packet) {
  stats_.packets_out++;
  stats_.bytes_out += packet.size();
  sender_.send_datagram(packet, *selected_);
  return true;
}

void PeerConnection::close(const std::string& reason) {
  if (closed_) return;
  if (dtls_.connected()) send_datagrams(dtls_.close().datagrams);
  closed_ = true;
  spdlog::info("webrtc session={} closed: {} (packets in {} out {}, srtp errors {})", params_.id, reason,
               stats_.packets_in, stats_.packets_out, stats_.srtp_errors);
  if (auto observer = std::move(observer_)) observer->on_closed(reason);
}

}  // namespace vela::rtc
