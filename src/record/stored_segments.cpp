#include "record/stored_segments.hpp"

#include <optional>

namespace vela::record {

std::vector<StoredSegment> stored_segments(std::span<const IndexRecord> records, uint16_t rendition) {
  std::vector<StoredSegment> segments;
  std::optional<StoredSegment> open;
  std::optional<ByteRange> init;
  bool init_changed = false;  // a later init: the next segment starts after a discontinuity
  auto close = [&] {
    if (open) segments.push_back(*open);
    open.reset();
  };
  for (const IndexRecord& record : records) {
    if (record.rendition != rendition) continue;
    switch (record.kind) {
      case RecordKind::init:
        close();
        init_changed = init.has_value();
        init = ByteRange{record.offset, record.size};
        break;
      case RecordKind::part:
        if (!init) break;  // media without an init cannot be played; the writer never does this
        // A part of another segment, or not contiguous with the open one, starts a new one.
        if (open && (open->msn != record.msn || open->bytes.offset + open->bytes.size != record.offset)) close();
        if (!open) {
          open = StoredSegment{record.msn, {record.offset, 0}, 0, record.wall_clock_us, record.media_time_us,
                               (record.flags & kIndependent) != 0,
                               (record.flags & kDiscontinuity) != 0 || init_changed, *init};
          init_changed = false;
        }
        open->bytes.size += record.size;
        open->duration_us += record.duration_us;
        break;
      case RecordKind::segment_end:
        if (open && open->msn == record.msn) close();
        break;
      case RecordKind::checkpoint:
      case RecordKind::end:
        break;
    }
  }
  close();
  return segments;
}

}  // namespace vela::record
