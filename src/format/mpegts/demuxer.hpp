#pragma once
// A pure MPEG-TS demultiplexer for one publisher's byte stream (as SRT carries it): finds
// packet sync (and finds it again after damage), follows the PAT to the first program's
// PMT (versions may change mid-stream), reassembles each elementary stream's PES packets
// and collects SCTE-35 sections as cue events. Damage (continuity errors, malformed
// packets, PES or sections) is counted and skipped; only input that never looks like a
// transport stream is an error. Memory is bounded: PES size, streams, sync search.
// One owner; never throws.
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "base/buffer.hpp"
#include "base/result.hpp"
#include "format/mpegts/psi.hpp"
#include "format/mpegts/stream_type.hpp"
#include "format/mpegts/ts_packet.hpp"

namespace vela::format::mpegts {

struct ElementaryStream {
  uint16_t pid = 0;
  uint8_t stream_type = 0;
  StreamCodec codec = StreamCodec::other;
};

// The program's streams, at the first PMT and whenever they change.
struct ProgramChanged {
  uint16_t program_number = 0;
  uint8_t version = 0;
  uint16_t pcr_pid = 0;
  std::vector<ElementaryStream> streams;
};

// One complete PES packet of an audio or video stream.
struct PesPacket {
  uint16_t pid = 0;
  uint8_t stream_type = 0;
  StreamCodec codec = StreamCodec::other;
  std::optional<uint64_t> pts;  // 33-bit, 90 kHz, as carried
  std::optional<uint64_t> dts;  // 33-bit, 90 kHz; when the header carries one (else = PTS)
  bool random_access = false;   // adaptation field random_access_indicator
  bool discontinuity = false;   // adaptation field discontinuity_indicator
  base::Buffer data;            // the elementary stream bytes after the PES header
};

// One SCTE-35 splice_info_section (CRC checked), kept whole.
struct Cue {
  uint16_t pid = 0;
  base::Buffer section;
};

using DemuxEvent = std::variant<ProgramChanged, PesPacket, Cue>;

struct DemuxStats {
  uint64_t packets = 0;
  uint64_t cc_errors = 0;          // continuity counter gaps (the PES in progress is dropped)
  uint64_t resyncs = 0;            // sync byte lost and found again
  uint64_t skipped_bytes = 0;      // bytes skipped while looking for sync
  uint64_t dropped_pes = 0;        // PES packets dropped: broken, truncated, malformed, too big
  uint64_t malformed_packets = 0;  // bad adaptation field or control
  uint64_t section_errors = 0;     // PSI/SCTE-35 sections with a bad CRC or layout
  uint64_t transport_errors = 0;   // transport_error_indicator set
  uint64_t scrambled_packets = 0;  // encrypted payloads (skipped)
  uint64_t ignored_streams = 0;    // PMT streams past kMaxStreams
};

class Demuxer {
 public:
  static constexpr size_t kMaxVideoPesSize = size_t{8} << 20;
  static constexpr size_t kMaxOtherPesSize = size_t{1} << 20;
  static constexpr size_t kMaxStreams = 16;
  // At the start the first sync byte must come within this many bytes.
  static constexpr size_t kMaxInitialSyncSearch = 10 * kPacketSize;
  // After losing sync, more garbage than this in a row is fatal.
  static constexpr size_t kMaxResyncSearch = size_t{1} << 20;

  // Any split of the byte stream is fine. Returns the events the bytes completed; an error
  // (sticky) when no sync can be found.
  base::Result<std::vector<DemuxEvent>> feed(std::span<const uint8_t> bytes);
  // End of input: completes the PES packets still open (those without a declared length).
  std::vector<DemuxEvent> flush();

  DemuxStats stats() const;
  std::optional<uint64_t> last_pcr() const { return last_pcr_; }  // 27 MHz
  const std::optional<ProgramChanged>& program() const { return program_; }

 private:
  enum class PidKind { pat, pmt, pes, section };
  struct PidState {
    uint16_t pid = 0;
    PidKind kind = PidKind::pes;
    uint8_t stream_type = 0;
    StreamCodec codec = StreamCodec::other;
    std::optional<uint8_t> last_cc;
    SectionAssembler sections;
    std::vector<uint8_t> pes;
    bool pes_active = false;
    bool random_access = false;
    bool discontinuity = false;
    bool pending_discontinuity = false;  // flagged by a packet without payload
  };

  base::Result<size_t> process(std::span<const uint8_t> data, std::vector<DemuxEvent>& events);
  void handle_packet(std::span<const uint8_t> bytes, std::vector<DemuxEvent>& events);
  bool continuity_ok(PidState& state, const TsPacket& packet);
  void handle_pes_packet(PidState& state, const TsPacket& packet, std::vector<DemuxEvent>& events);
  void finish_pes(PidState& state, std::vector<DemuxEvent>& events);
  void drop_pes(PidState& state);
  void handle_section(PidState& state, base::Buffer section, std::vector<DemuxEvent>& events);
  void apply_pat(std::span<const uint8_t> section);
  void apply_pmt(std::span<const uint8_t> section, std::vector<DemuxEvent>& events);
  void drop_partial_units();
  PidState* find(uint16_t pid);
  void remove_if_kind(PidKind kind, uint16_t keep_pid);
  size_t max_pes_size(const PidState& state) const;

  std::vector<PidState> pids_;  // the PAT, the PMT and the program's streams
  std::vector<uint8_t> carry_;  // bytes of a packet that straddles feeds
  bool synced_ = false;         // a packet was ever found
  bool searching_ = false;      // sync lost; a candidate needs the next sync byte too
  size_t search_skipped_ = 0;
  std::optional<base::Error> error_;
  std::optional<uint16_t> program_number_;
  std::optional<ProgramChanged> program_;
  std::optional<uint64_t> last_pcr_;
  DemuxStats stats_;
};

}  // namespace vela::format::mpegts
