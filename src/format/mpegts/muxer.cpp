#include "format/mpegts/muxer.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "base/time.hpp"
#include "format/mpegts/muxer_packets.hpp"
#include "format/mpegts/stream_type.hpp"
#include "format/mpegts/ts_packet.hpp"

namespace vela::format::mpegts {
namespace {

constexpr int64_t kTsClock = 90'000;
constexpr uint8_t kVideoStreamId = 0xE0;
constexpr uint8_t kAudioStreamId = 0xC0;
constexpr uint16_t kTransportStreamId = 1;

base::Error track_error(const media::TrackInfo& track, const std::string& what) {
  return base::make_error("MPEG-TS track " + std::to_string(track.id) + ": " + what);
}

}  // namespace

base::Status TsMuxer::set_tracks(const std::vector<media::TrackInfo>& tracks) {
  if (tracks.empty()) return base::make_error("MPEG-TS: no tracks");
  if (tracks.size() > kMaxTracks) {
    return base::make_error("MPEG-TS: more than " + std::to_string(kMaxTracks) + " tracks");
  }
  std::vector<TrackState> states;
  std::optional<uint16_t> video_pid;
  for (size_t i = 0; i < tracks.size(); ++i) {
    const media::TrackInfo& track = tracks[i];
    for (size_t j = 0; j < i; ++j) {
      if (tracks[j].id == track.id) return track_error(track, "track id given twice");
    }
    if (track.timescale <= 0) return track_error(track, "no timescale");
    TrackState state;
    state.pid = static_cast<uint16_t>(kFirstTrackPid + i);
    state.timescale = track.timescale;
    if (track.codec == media::Codec::h264) {
      auto params = annex_b_parameters(track.codec_config.span());
      if (!params) return track_error(track, params.error().message);
      state.video = true;
      state.annex_b = std::move(*params);
      if (!video_pid) video_pid = state.pid;
    } else {
      auto adts = adts_header_for(track.codec_config.span());
      if (!adts) return track_error(track, adts.error().message);
      state.adts = *adts;
    }
    states.push_back(std::move(state));
  }
  if (configured_) pmt_version_ = (pmt_version_ + 1) & 0x1F;
  configured_ = true;
  psi_due_ = true;
  pcr_pid_ = video_pid.value_or(states.front().pid);
  tracks_ = tracks;
  states_ = std::move(states);
  return {};
}

uint8_t& TsMuxer::continuity(uint16_t pid) {
  if (pid == kPatPid) return pat_cc_;
  if (pid == kPmtPid) return pmt_cc_;
  return track_cc_[pid - kFirstTrackPid];
}

void TsMuxer::write_psi(std::vector<uint8_t>& out) {
  std::vector<PmtEntry> streams;
  for (const auto& state : states_) {
    streams.push_back({state.video ? kStreamTypeH264 : kStreamTypeAacAdts, state.pid});
  }
  append_section_packet(kPatPid, continuity(kPatPid),
                        make_pat_section(kTransportStreamId, kProgramNumber, kPmtPid, 0), out);
  append_section_packet(kPmtPid, continuity(kPmtPid),
                        make_pmt_section(kProgramNumber, pcr_pid_, pmt_version_, streams), out);
}

base::Status TsMuxer::write(const media::MediaFrame& frame, std::vector<uint8_t>& out) {
  auto it = std::find_if(tracks_.begin(), tracks_.end(),
                         [&](const media::TrackInfo& t) { return t.id == frame.track_id; });
  if (it == tracks_.end()) {
    return base::make_error("MPEG-TS: frame of unknown track " + std::to_string(frame.track_id));
  }
  const TrackState& state = states_[static_cast<size_t>(it - tracks_.begin())];

  // The PES is built after room for the longest header, which is written in place once
  // the payload size is known: the payload is copied once, into the packets.
  scratch_.assign(kMaxPesHeaderSize, 0);
  base::Status converted = state.video
                               ? append_annex_b(frame.payload.span(), state.annex_b, scratch_)
                               : append_adts(state.adts, frame.payload.span(), scratch_);
  if (!converted) return track_error(*it, converted.error().message);

  const int64_t dts = base::rescale(frame.dts, state.timescale, kTsClock);
  const int64_t pts = base::rescale(frame.pts(), state.timescale, kTsClock);
  // Tracks interleave with some skew, so the PSI clock is the newest DTS of any track.
  newest_dts_ = psi_due_ ? dts : std::max(newest_dts_, dts);
  const bool video_key = state.video && frame.keyframe;
  if (psi_due_ || video_key || newest_dts_ - last_psi_time_ >= options_.psi_interval) {
    write_psi(out);
    psi_due_ = false;
    last_psi_time_ = newest_dts_;
  }

  const bool with_dts = pts != dts;
  const size_t header_size = pes_header_size(with_dts);
  const size_t payload_size = scratch_.size() - kMaxPesHeaderSize;
  auto pes = std::span<uint8_t>(scratch_).subspan(kMaxPesHeaderSize - header_size);
  const auto delayed = [&](int64_t t) { return static_cast<uint64_t>(t + options_.decoder_delay); };
  write_pes_header(pes.first(header_size), state.video ? kVideoStreamId : kAudioStreamId,
                   delayed(pts), with_dts ? std::optional<uint64_t>(delayed(dts)) : std::nullopt,
                   payload_size);
  PacketStart start;
  start.random_access = frame.keyframe;
  if (state.pid == pcr_pid_) start.pcr_base = static_cast<uint64_t>(dts);
  append_ts_packets(state.pid, continuity(state.pid), pes, start, out);
  return {};
}

}  // namespace vela::format::mpegts
