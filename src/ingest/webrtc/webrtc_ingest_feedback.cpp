// WebRtcIngestReceiver: the RTCP it sends back to the publisher.
#include <algorithm>

#include "ingest/webrtc/webrtc_ingest_receiver.hpp"

namespace vela::ingest {
namespace {

// Sequence numbers per NACK packet: at most 4 bytes each, so one packet stays under an MTU.
constexpr size_t kMaxNackSequences = 256;

}  // namespace

void WebRtcIngestReceiver::take_feedback(int64_t now_us, std::vector<std::vector<uint8_t>>& out) {
  send_receiver_report(now_us, out);
  send_nacks(now_us, out);
  send_keyframe_request(now_us, out);
  send_transport_feedback(now_us, out);
  update_loss();
}

void WebRtcIngestReceiver::request_keyframe(int64_t /*now_us*/) {
  want_keyframe();
}

void WebRtcIngestReceiver::send(const protocol::rtp::RtcpMessage& message,
                                std::vector<std::vector<uint8_t>>& out) {
  std::vector<uint8_t> compound;
  if (!options_.reduced_size_rtcp) {
    // RFC 3550 compound: a report first (empty here, so the RR interval is not disturbed).
    if (!protocol::rtp::write_rtcp(protocol::rtp::ReceiverReport{options_.feedback_ssrc, {}},
                                   compound))
      return;
  }
  if (!protocol::rtp::write_rtcp(message, compound)) return;
  out.push_back(std::move(compound));
}

void WebRtcIngestReceiver::send_receiver_report(int64_t now_us,
                                                std::vector<std::vector<uint8_t>>& out) {
  if (last_report_us_ && now_us - *last_report_us_ < options_.receiver_report_interval_us) return;
  protocol::rtp::ReceiverReport report{options_.feedback_ssrc, {}};
  if (video_ && video_->ssrc && video_->statistics.has_packets()) {
    report.reports.push_back(video_->statistics.report(*video_->ssrc, now_us));
  }
  if (audio_ && audio_->ssrc && audio_->statistics.has_packets()) {
    report.reports.push_back(audio_->statistics.report(*audio_->ssrc, now_us));
  }
  if (report.reports.empty()) return;
  last_report_us_ = now_us;
  std::vector<uint8_t> compound;
  if (!protocol::rtp::write_rtcp(report, compound)) return;
  protocol::rtp::Sdes sdes{{protocol::rtp::SdesChunk{options_.feedback_ssrc, options_.cname}}};
  (void)protocol::rtp::write_rtcp(sdes, compound);  // a CNAME over 255 bytes is left out
  out.push_back(std::move(compound));
  ++stats_.receiver_reports_sent;
}

void WebRtcIngestReceiver::send_nacks(int64_t now_us, std::vector<std::vector<uint8_t>>& out) {
  if (!video_ || !video_->nack || !video_->ssrc) return;
  const std::vector<uint16_t> due = video_->nack_generator.due(now_us);
  if (video_->nack_generator.take_keyframe_request()) want_keyframe();
  for (size_t i = 0; i < due.size(); i += kMaxNackSequences) {
    const size_t end = std::min(due.size(), i + kMaxNackSequences);
    protocol::rtp::Nack nack{
        options_.feedback_ssrc, *video_->ssrc, {due.begin() + i, due.begin() + end}};
    send(nack, out);
  }
  stats_.nacks_sent += due.size();
}

void WebRtcIngestReceiver::send_keyframe_request(int64_t now_us,
                                                 std::vector<std::vector<uint8_t>>& out) {
  if (!keyframe_wanted_ || !video_ || !video_->ssrc) return;
  if (!video_->pli && !video_->fir) {
    keyframe_wanted_ = false;  // the publisher takes no requests
    return;
  }
  if (last_keyframe_request_us_ &&
      now_us - *last_keyframe_request_us_ < options_.keyframe_request_interval_us) {
    return;
  }
  last_keyframe_request_us_ = now_us;
  // keyframe_wanted_ stays set: the request repeats (a PLI can be lost) until a keyframe comes.
  if (video_->pli) {
    send(protocol::rtp::Pli{options_.feedback_ssrc, *video_->ssrc}, out);
  } else {
    send(protocol::rtp::Fir{options_.feedback_ssrc, {{*video_->ssrc, ++video_->fir_sequence}}},
         out);
  }
  ++stats_.plis_sent;
}

void WebRtcIngestReceiver::send_transport_feedback(int64_t now_us,
                                                   std::vector<std::vector<uint8_t>>& out) {
  if (transport_cc_id_ == 0 || twcc_.empty()) return;
  if (last_transport_feedback_us_ &&
      now_us - *last_transport_feedback_us_ < options_.transport_feedback_interval_us) {
    return;
  }
  last_transport_feedback_us_ = now_us;
  const uint32_t media_ssrc = video_ && video_->ssrc   ? *video_->ssrc
                              : audio_ && audio_->ssrc ? *audio_->ssrc
                                                       : 0;
  for (const auto& feedback : twcc_.take(options_.feedback_ssrc, media_ssrc)) {
    send(feedback, out);
    ++stats_.transport_feedback_sent;
  }
}

}  // namespace vela::ingest
