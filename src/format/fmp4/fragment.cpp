#include "format/fmp4/fragment.hpp"

#include <vector>

#include "base/byte_writer.hpp"
#include "format/fmp4/box.hpp"

namespace vela::format::fmp4 {
namespace {

// tfhd: data offsets count from the start of the moof (required by CMAF).
constexpr uint32_t kTfhdDefaultBaseIsMoof = 0x020000;
// trun: which per-run and per-sample fields are present.
constexpr uint32_t kTrunDataOffset = 0x000001;
constexpr uint32_t kTrunDuration = 0x000100;
constexpr uint32_t kTrunSize = 0x000200;
constexpr uint32_t kTrunFlags = 0x000400;
constexpr uint32_t kTrunCompositionOffset = 0x000800;
// sample_flags: sample_depends_on (2 = independent, 1 = depends on others) and
// sample_is_non_sync_sample.
constexpr uint32_t kSyncSampleFlags = 0x02000000;
constexpr uint32_t kNonSyncSampleFlags = 0x01010000;

constexpr size_t kBoxHeader = 8;
constexpr size_t kFullBoxHeader = 12;
constexpr size_t kMfhdSize = kFullBoxHeader + 4;
constexpr size_t kTfhdSize = kFullBoxHeader + 4;
constexpr size_t kTfdtSize = kFullBoxHeader + 8;

bool has_composition_offsets(std::span<const Sample> samples) {
  for (const auto& s : samples) {
    if (s.composition_offset != 0) return true;
  }
  return false;
}

size_t trun_size(const TrackRun& run) {
  size_t per_sample = has_composition_offsets(run.samples) ? 16 : 12;
  return kFullBoxHeader + 8 + per_sample * run.samples.size();
}

size_t moof_size(std::span<const TrackRun> runs) {
  size_t size = kBoxHeader + kMfhdSize;
  for (const auto& run : runs) {
    if (!run.samples.empty()) size += kBoxHeader + kTfhdSize + kTfdtSize + trun_size(run);
  }
  return size;
}

void write_traf(base::ByteWriter& w, const TrackRun& run, uint32_t data_offset) {
  Box traf(w, "traf");
  {
    Box tfhd(w, "tfhd", 0, kTfhdDefaultBaseIsMoof);
    w.u32be(run.track_id);
  }
  {
    Box tfdt(w, "tfdt", 1, 0);
    w.u64be(run.base_decode_time);
  }
  bool offsets = has_composition_offsets(run.samples);
  uint32_t flags = kTrunDataOffset | kTrunDuration | kTrunSize | kTrunFlags |
                   (offsets ? kTrunCompositionOffset : 0);
  // Version 1: signed composition offsets.
  Box trun(w, "trun", 1, flags);
  w.u32be(static_cast<uint32_t>(run.samples.size()));
  w.u32be(data_offset);
  for (const auto& s : run.samples) {
    w.u32be(s.duration);
    w.u32be(static_cast<uint32_t>(s.data.size()));
    w.u32be(s.sync ? kSyncSampleFlags : kNonSyncSampleFlags);
    if (offsets) w.u32be(static_cast<uint32_t>(s.composition_offset));
  }
}

}  // namespace

base::Buffer write_fragment(uint32_t sequence_number, std::span<const TrackRun> runs) {
  size_t moof = moof_size(runs);
  size_t payload = 0;
  for (const auto& run : runs) {
    for (const auto& s : run.samples) payload += s.data.size();
  }
  std::vector<uint8_t> bytes;
  bytes.reserve(moof + kBoxHeader + payload);
  base::ByteWriter w(bytes);
  {
    Box moof_box(w, "moof");
    {
      Box mfhd(w, "mfhd", 0, 0);
      w.u32be(sequence_number);
    }
    // Each run's samples start where the previous run's end inside the mdat.
    size_t data_offset = moof + kBoxHeader;
    for (const auto& run : runs) {
      if (run.samples.empty()) continue;
      write_traf(w, run, static_cast<uint32_t>(data_offset));
      for (const auto& s : run.samples) data_offset += s.data.size();
    }
  }
  {
    Box mdat(w, "mdat");
    for (const auto& run : runs) {
      for (const auto& s : run.samples) w.bytes(s.data);
    }
  }
  return base::Buffer::adopt(std::move(bytes));
}

}  // namespace vela::format::fmp4
