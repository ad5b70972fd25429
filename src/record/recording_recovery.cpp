#include "record/recording_recovery.hpp"

#include <map>

namespace vela::record {

RecoveryPlan plan_recovery(const IndexScan& scan, std::span<const uint64_t> data_file_sizes,
                           const ObjectReader& read) {
  RecoveryPlan plan;
  plan.data_sizes.assign(data_file_sizes.size(), 0);  // the end of each rendition's last kept object
  size_t kept = 0;
  for (; kept < scan.records.size(); ++kept) {
    const IndexRecord& record = scan.records[kept];
    if (record.kind == RecordKind::end) break;  // recovery writes its own
    if (!record.names_object()) continue;
    if (record.rendition >= data_file_sizes.size()) break;
    uint64_t& end = plan.data_sizes[record.rendition];
    if (record.offset != end || record.size > data_file_sizes[record.rendition] - end) break;
    if (kept >= scan.synced_records) {
      auto bytes = read(record.rendition, record.offset, record.size);
      if (!bytes || bytes->size() != record.size || crc32(*bytes) != record.data_crc) break;
    }
    end += record.size;
  }
  // Checkpoints among the kept records stay; ones after the cut go with the rest.
  plan.keep_records = kept;
  for (size_t i = kept; i < scan.records.size(); ++i) {
    if (scan.records[i].kind != RecordKind::checkpoint && scan.records[i].kind != RecordKind::end)
      ++plan.dropped_records;
  }
  plan.finalize = finalize_records(std::span(scan.records).first(kept));
  return plan;
}

void OpenSegments::add(const IndexRecord& record) {
  if (record.kind == RecordKind::part) {
    Open& segment = open_[record.rendition];
    if (!segment.open || segment.msn != record.msn) {
      segment = {record.msn, record.media_time_us, record.wall_clock_us, 0,
                 static_cast<uint8_t>(record.flags & kDiscontinuity), true};
    }
    segment.duration_us += record.duration_us;
  } else if (record.kind == RecordKind::segment_end) {
    Open& segment = open_[record.rendition];
    if (segment.msn == record.msn) segment.open = false;
  }
}

std::vector<IndexRecord> OpenSegments::closing_records() const {
  std::vector<IndexRecord> out;
  for (const auto& [rendition, segment] : open_) {
    if (!segment.open) continue;
    IndexRecord end;
    end.kind = RecordKind::segment_end;
    end.rendition = rendition;
    end.msn = segment.msn;
    end.flags = segment.flags;
    end.media_time_us = segment.media_time_us;
    end.wall_clock_us = segment.wall_clock_us;
    end.duration_us = static_cast<uint32_t>(std::min<uint64_t>(segment.duration_us, UINT32_MAX));
    out.push_back(end);
  }
  return out;
}

std::vector<IndexRecord> finalize_records(std::span<const IndexRecord> records) {
  OpenSegments open;
  for (const IndexRecord& record : records) open.add(record);
  std::vector<IndexRecord> out = open.closing_records();
  IndexRecord final_record;
  final_record.kind = RecordKind::end;
  final_record.count = static_cast<uint32_t>(records.size() + out.size());
  out.push_back(final_record);
  return out;
}

}  // namespace vela::record
