// ViewerSender::on_rtcp with RTCP from a viewer: must never crash, and whatever it sends
// back (retransmissions) must be well-formed RTP of this viewer's sources.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "egress/webrtc/viewer_sender.hpp"
#include "protocol/rtp/rtp_packet.hpp"

using namespace vela;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  egress::ViewerSenderConfig config;
  config.audio = {true, 111, 0x11111111, 48'000, "0", 1000, 10'000};
  config.video = {true, 96, 0x22222222, 90'000, "1", 5000, 900'000};
  // The first input byte picks RTX or plain retransmission.
  if (size > 0 && (data[0] & 1)) {
    config.video_rtx_payload_type = 97;
    config.video_rtx_ssrc = 0x33333333;
  }
  config.mid_extension_id = 1;
  config.abs_send_time_extension_id = 2;
  config.transport_cc_extension_id = 3;
  egress::ViewerSender sender(config);

  auto fixed = std::make_shared<egress::SharedRtpPacket>();
  fixed->payload = base::Buffer::copy_of(std::vector<uint8_t>{0x65, 1, 2, 3});
  fixed->keyframe_start = true;
  std::vector<uint8_t> out;
  for (uint16_t i = 0; i < 8; ++i) {
    fixed->kind = i % 2 ? media::MediaKind::audio : media::MediaKind::video;
    fixed->sequence = i;
    sender.write(*fixed, i < 4, i * 1000, out);
  }
  auto lookup = [&](media::MediaKind kind, uint32_t /*source*/, uint16_t sequence) {
    auto p = std::make_shared<egress::SharedRtpPacket>(*fixed);
    p->kind = kind;
    p->sequence = sequence;
    return egress::SharedRtpPacketPtr(p);
  };
  auto actions = sender.on_rtcp(std::span<const uint8_t>(data, size), 10'000, lookup);
  for (const auto& packet : actions.retransmissions) {
    auto view = protocol::rtp::parse_rtp(packet);
    if (!view) __builtin_trap();
    if (view->ssrc != 0x11111111 && view->ssrc != 0x22222222 && view->ssrc != 0x33333333)
      __builtin_trap();
  }
  if (actions.retransmissions.size() > config.max_retransmissions_per_rtcp) __builtin_trap();
  std::vector<std::vector<uint8_t>> reports;
  sender.take_reports(20'000, reports);
  return 0;
}
