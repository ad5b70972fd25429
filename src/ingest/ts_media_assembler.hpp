#pragma once
// Turns one publisher's MPEG-TS byte stream (as SRT carries it) into the stream's tracks and
// frames, like RtmpMediaAssembler does for RTMP: H.264 (Annex B -> AVCC, SPS/PPS -> avcC)
// and AAC (ADTS -> raw frames + AudioSpecificConfig), 33-bit PTS/DTS unwrapped and
// normalized onto one stream timeline. Pure; one owner (the SRT session).
//
// Tracks are announced once every supported stream of the program has its configuration
// (SPS and PPS seen; first ADTS header seen), holding back the frames that arrive before
// (at most kMaxHeldFrames); a changed configuration or program re-announces the tracks.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "format/mpegts/demuxer.hpp"
#include "ingest/assembled_output.hpp"
#include "media/cue_event.hpp"
#include "media/timestamp_normalizer.hpp"
#include "media/track_info.hpp"

namespace vela::ingest {

constexpr uint32_t kTsVideoTrackId = 1;
constexpr uint32_t kTsAudioTrackId = 2;

struct TsAssemblerStats {
  uint64_t frames_without_config = 0;     // video before its first SPS/PPS (undecodable)
  uint64_t frames_without_timestamp = 0;  // PES without a PTS
  uint64_t bad_parameter_sets = 0;        // SPS/PPS that do not make a valid avcC
  uint64_t adts_errors = 0;               // malformed ADTS framing (rest of the PES skipped)
  uint64_t cues = 0;                      // SCTE-35 sections seen
  uint64_t bad_cues = 0;                  // SCTE-35 sections we could not read (skipped)
};

// One elementary stream the assembler follows (outside the class so that
// std::optional<TsStreamState> sees a complete type).
struct TsStreamState {
  uint16_t pid = 0;
  base::ClockUnwrapper clock{33};
  std::optional<media::TrackInfo> track;
};

class TsMediaAssembler {
 public:
  static constexpr size_t kMaxHeldFrames = 256;
  static constexpr size_t kMaxPendingCues = 64;
  // Packets without a PAT and PMT before the stream is taken for something else.
  static constexpr uint64_t kMaxPacketsWithoutProgram = 4096;

  // Any split of the byte stream is fine (188-byte packets may straddle calls). An error
  // (e.g. no sync byte found, an unsupported codec only) is fatal for the session; damaged
  // packets (continuity errors, bad PES) are counted and skipped, not fatal.
  base::Result<std::vector<AssembledOutput>> feed(std::span<const uint8_t> bytes,
                                                  int64_t now_wall_us);
  // End of the byte stream: the last video frame (its PES has no end marker but the next
  // one) and any held frames.
  base::Result<std::vector<AssembledOutput>> finish(int64_t now_wall_us);

  // SCTE-35 cues seen since the last call (the oldest dropped past kMaxPendingCues), their
  // splice times moved onto the stream timeline by way of the newest video frame.
  std::vector<media::CueEvent> take_cues();
  bool announced() const { return announced_; }
  const TsAssemblerStats& stats() const { return stats_; }
  format::mpegts::DemuxStats demux_stats() const { return demuxer_.stats(); }

 private:
  base::Result<std::vector<AssembledOutput>> process(
      std::vector<format::mpegts::DemuxEvent>& events, int64_t now_wall_us);
  base::Status on_program(const format::mpegts::ProgramChanged& program);
  base::Status on_video(const format::mpegts::PesPacket& pes, int64_t now_wall_us,
                        std::vector<AssembledOutput>& out);
  void on_audio(const format::mpegts::PesPacket& pes, int64_t now_wall_us,
                std::vector<AssembledOutput>& out);
  void update_video_config(std::vector<std::vector<uint8_t>> sps,
                           std::vector<std::vector<uint8_t>> pps);
  base::Status set_audio_config(std::span<const uint8_t> asc);
  // The 64-bit source DTS and the composition offset (90 kHz) of a PES; nullopt without PTS.
  std::optional<std::pair<int64_t, int32_t>> unwrap(TsStreamState& stream,
                                                    const format::mpegts::PesPacket& pes);
  void emit(media::FramePtr frame, std::vector<AssembledOutput>& out);
  bool expected_configs_present() const;
  void announce(std::vector<AssembledOutput>& out);

  format::mpegts::Demuxer demuxer_;
  std::optional<TsStreamState> video_;     // the program's H.264 stream, when it has one
  std::optional<TsStreamState> audio_;     // its AAC stream
  std::vector<std::vector<uint8_t>> sps_;  // last parameter sets seen in band
  std::vector<std::vector<uint8_t>> pps_;
  bool announced_ = false;
  bool tracks_dirty_ = false;  // a configuration or the program changed after announcing
  std::vector<media::FramePtr> held_;
  void on_cue(const format::mpegts::Cue& cue, int64_t now_wall_us);
  // Source PTS (64-bit) and stream PTS of the newest video frame: maps cue times.
  std::optional<std::pair<int64_t, int64_t>> last_video_pts_;
  std::vector<media::CueEvent> cues_;
  media::TimestampNormalizer normalizer_;
  std::optional<base::Error> error_;
  TsAssemblerStats stats_;
};

}  // namespace vela::ingest
