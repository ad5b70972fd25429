// WebRtcIngestReceiver fed arbitrary packets (input: records of a 2-byte length and a
// datagram, given as RTP and RTCP in turn; time advances 3 ms per record). The negotiation
// has audio and video with RTX, NACK, PLI and transport-cc, SSRCs learned from the packets.
// Must never crash; dts strictly increases per track; every video frame is well-formed
// AVCC whose keyframe flag matches its NAL units; every feedback compound parses back;
// frames queued between polls stay bounded.
#include "ingest/webrtc/webrtc_ingest_receiver.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "media/codec/h264.hpp"
#include "protocol/rtp/rtcp.hpp"

using namespace vela;

namespace {

protocol::sdp::Negotiated negotiation() {
  protocol::sdp::Negotiated n;
  n.extensions.transport_cc = 3;
  protocol::sdp::NegotiatedMedia audio;
  audio.kind = protocol::sdp::MediaKind::audio;
  audio.payload_type = 111;
  audio.encoding = "opus";
  audio.clock_rate = 48'000;
  audio.transport_cc = true;
  n.media.push_back(audio);
  protocol::sdp::NegotiatedMedia video;
  video.kind = protocol::sdp::MediaKind::video;
  video.payload_type = 102;
  video.encoding = "H264";
  video.clock_rate = 90'000;
  video.rtx_payload_type = 103;
  video.nack = video.pli = video.transport_cc = true;
  n.media.push_back(video);
  return n;
}

void check(const ingest::WebRtcIngestOutput& out, std::map<uint32_t, int64_t>& last_dts) {
  for (const auto& frame : out.frames) {
    auto [it, fresh] = last_dts.emplace(frame->track_id, frame->dts);
    if (!fresh) {
      if (frame->dts <= it->second) __builtin_trap();
      it->second = frame->dts;
    }
    if (frame->track_id == ingest::kWebRtcVideoTrackId) {
      auto idr = media::codec::contains_idr(frame->payload.span());
      if (!idr || *idr != frame->keyframe) __builtin_trap();
    } else if (frame->track_id != ingest::kWebRtcAudioTrackId) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ingest::WebRtcIngestOptions options;
  options.max_pending_frames = 64;
  options.depacketizer.reorder_window = 64;
  options.depacketizer.max_access_unit = 1 << 16;
  ingest::WebRtcIngestReceiver receiver(negotiation(), options);
  ingest::WebRtcIngestOutput out;
  std::vector<std::vector<uint8_t>> feedback;
  std::map<uint32_t, int64_t> last_dts;
  std::span<const uint8_t> in(data, size);
  int64_t now_us = 1'000'000;
  bool rtp = true;
  size_t records = 0;
  while (in.size() >= 2) {
    size_t length = (size_t{in[0]} << 8 | in[1]) % 2048;
    in = in.subspan(2);
    length = std::min(length, in.size());
    auto packet = in.first(length);
    in = in.subspan(length);
    now_us += 3000;
    if (rtp) {
      receiver.on_rtp(packet, now_us);
    } else {
      receiver.on_rtcp(packet, now_us);
    }
    rtp = !rtp;
    if (++records % 4 == 0) receiver.request_keyframe(now_us);
    receiver.poll(now_us, out);
    check(out, last_dts);
    receiver.take_feedback(now_us, feedback);
  }
  receiver.poll(now_us + 10'000'000, out);
  check(out, last_dts);
  receiver.take_feedback(now_us + 10'000'000, feedback);
  for (const auto& compound : feedback) {
    if (compound.empty() || compound.size() > 1500) __builtin_trap();
    auto parsed = protocol::rtp::parse_rtcp(compound);
    if (parsed.error || parsed.messages.empty()) __builtin_trap();
  }
  return 0;
}
