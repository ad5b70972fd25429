#pragma once
// A pure MPEG-TS multiplexer for one live program (what SRT playback and SRT push send):
// H.264 and AAC tracks in, whole 188-byte transport packets out.
//
// - PAT and PMT at the start, before every video keyframe, and at least every
//   psi_interval of stream time (so audio-only streams repeat them too).
// - PCR in the first packet of every PES on the PCR PID (the video track, else the first
//   audio track). The PCR is the stream's DTS; PTS and DTS are the stream's time plus
//   decoder_delay, the buffering a receiver gets before each frame is due.
// - Timestamps rescaled to 90 kHz and written modulo 2^33 (the wrap is a receiver's job).
// - H.264 as Annex B with an AUD, SPS/PPS from the avcC before every IDR; AAC in ADTS;
//   random_access_indicator on keyframes (every audio frame is one).
// - PIDs: PMT 0x1000, the i-th track 0x100 + i. A track change bumps the PMT version and
//   keeps every PID's continuity counter.
// One owner; never throws.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "format/mpegts/adts.hpp"
#include "format/mpegts/muxer_es.hpp"
#include "media/media_frame.hpp"
#include "media/track_info.hpp"

namespace vela::format::mpegts {

struct TsMuxerOptions {
  int64_t psi_interval = 9000;    // 90 kHz ticks (100 ms)
  int64_t decoder_delay = 45000;  // 90 kHz ticks (500 ms) between PCR and DTS
};

class TsMuxer {
 public:
  static constexpr size_t kMaxTracks = 16;
  static constexpr uint16_t kPmtPid = 0x1000;
  static constexpr uint16_t kFirstTrackPid = 0x100;
  static constexpr uint16_t kProgramNumber = 1;

  explicit TsMuxer(TsMuxerOptions options = {}) : options_(options) {}

  // Sets (or changes) the program's tracks. An error for no tracks, too many, or a codec
  // configuration that cannot be carried; the muxer then keeps its previous tracks.
  base::Status set_tracks(const std::vector<media::TrackInfo>& tracks);
  const std::vector<media::TrackInfo>& tracks() const { return tracks_; }

  // Appends the packets of one frame (and PSI before it when due) to `out`; on an error
  // (unknown track, broken frame, too large for ADTS) nothing is appended.
  base::Status write(const media::MediaFrame& frame, std::vector<uint8_t>& out);

 private:
  struct TrackState {
    uint16_t pid = 0;
    bool video = false;
    int64_t timescale = 1;
    AnnexBParameters annex_b;  // video
    AdtsHeader adts;           // audio
  };

  void write_psi(std::vector<uint8_t>& out);
  uint8_t& continuity(uint16_t pid);

  TsMuxerOptions options_;
  std::vector<media::TrackInfo> tracks_;
  std::vector<TrackState> states_;  // parallel to tracks_
  uint16_t pcr_pid_ = 0;
  uint8_t pmt_version_ = 0;
  bool configured_ = false;
  bool psi_due_ = true;
  int64_t newest_dts_ = 0;     // 90 kHz, any track
  int64_t last_psi_time_ = 0;  // newest_dts_ at the last PAT/PMT
  uint8_t pat_cc_ = 0;
  uint8_t pmt_cc_ = 0;
  std::array<uint8_t, kMaxTracks> track_cc_{};
  std::vector<uint8_t> scratch_;  // one PES being built, reused
};

}  // namespace vela::format::mpegts
