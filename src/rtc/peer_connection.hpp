#pragma once
// One WebRTC peer connection on Vela's side: ICE-lite answers the browser's checks, DTLS
// (usually as the server) agrees the SRTP keys, then SRTP/SRTCP protect the media. The
// media session (a WHIP publisher or a WHEP viewer) is the observer: it gets decrypted
// RTP and RTCP and sends plain packets, which are encrypted here.
//
// Threading: single-owner, the shard of the RtcPort that holds it. The port hands in
// every datagram for this connection and ticks it (about every 20 ms).
// Lifetime: the port owns it; the observer holds a weak_ptr back. After on_closed the
// observer is dropped and nothing is sent any more.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/dtls/dtls_certificate.hpp"
#include "protocol/dtls/dtls_transport.hpp"
#include "protocol/dtls/srtp_session.hpp"
#include "protocol/stun/ice_lite.hpp"
#include "rtc/rtc_path.hpp"

namespace vela::rtc {

class PeerConnectionObserver {
 public:
  virtual ~PeerConnectionObserver() = default;
  virtual void on_connected(int64_t now_us) = 0;  // SRTP is ready; media may flow
  virtual void on_rtp(std::span<uint8_t> packet, int64_t now_us) = 0;   // decrypted, in place
  virtual void on_rtcp(std::span<uint8_t> packet, int64_t now_us) = 0;  // decrypted compound
  virtual void on_tick(int64_t now_us) = 0;  // periodic, while connected (feedback, reports)
  virtual void on_closed(const std::string& reason) = 0;  // once; the connection is gone
};

struct PeerConnectionParams {
  std::string id;  // for logs and the session URL
  protocol::stun::IceCredentials local_ice;
  protocol::stun::IceCredentials remote_ice;
  std::shared_ptr<const protocol::dtls::DtlsCertificate> certificate;
  protocol::dtls::DtlsTransportRole dtls_role = protocol::dtls::DtlsTransportRole::server;
  std::string remote_fingerprint;  // sha-256, from the offer
  protocol::stun::IceLiteConfig ice;
};

struct PeerConnectionStats {
  uint64_t packets_in = 0, packets_out = 0, bytes_in = 0, bytes_out = 0;
  uint64_t srtp_errors = 0;  // packets that failed authentication or replay checks
  uint64_t dropped_before_connect = 0;
};

class PeerConnection : public std::enable_shared_from_this<PeerConnection> {
 public:
  PeerConnection(PeerConnectionParams params, DatagramSender& sender, int64_t now_us);

  void set_observer(std::shared_ptr<PeerConnectionObserver> observer) { observer_ = std::move(observer); }
  const std::string& id() const { return params_.id; }
  // What the session belongs to, e.g. "/whip/cam": requests on a session URL must name it.
  void set_resource(std::string resource) { resource_ = std::move(resource); }
  const std::string& resource() const { return resource_; }
  const std::string& local_ufrag() const { return params_.local_ice.ufrag; }

  // Port: a STUN message whose USERNAME names this connection. True when the check
  // authenticated, so the port may route the path's other packets here.
  bool on_stun(std::span<const uint8_t> message, const RtcPath& from, int64_t now_us);
  // Port: a DTLS, RTP or RTCP datagram from a path this connection authenticated.
  void on_packet(std::span<uint8_t> datagram, const RtcPath& from, int64_t now_us);
  void on_tick(int64_t now_us);

  // Observer: encrypt in place and send on the selected path. False before connected or
  // after close (the packet is dropped).
  bool send_rtp(std::vector<uint8_t>& packet);
  bool send_rtcp(std::vector<uint8_t>& packet);

  // Ends the connection (DTLS close_notify when connected); the observer hears on_closed.
  void close(const std::string& reason);
  bool closed() const { return closed_; }
  bool connected() const { return srtp_ != nullptr; }
  const std::optional<RtcPath>& selected_path() const { return selected_; }
  const PeerConnectionStats& stats() const { return stats_; }

 private:
  void handle_dtls_output(protocol::dtls::DtlsTransport::Output output, int64_t now_us);
  void send_datagrams(const std::vector<std::vector<uint8_t>>& datagrams);
  bool send_protected(std::vector<uint8_t>& packet);

  PeerConnectionParams params_;
  DatagramSender& sender_;
  protocol::stun::IceLiteAgent ice_;
  protocol::dtls::DtlsTransport dtls_;
  std::unique_ptr<protocol::dtls::SrtpSession> srtp_;
  std::shared_ptr<PeerConnectionObserver> observer_;
  std::optional<RtcPath> selected_;
  int64_t dtls_timer_deadline_us_ = -1;
  int64_t dtls_started_us_ = 0;
  int64_t created_us_;
  std::string resource_;
  bool dtls_started_ = false;
  bool closed_ = false;
  PeerConnectionStats stats_;
};

}  // namespace vela::rtc
