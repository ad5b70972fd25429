#include "record/recording_writer.hpp"

#include <system_error>

namespace vela::record {

namespace {

std::span<const uint8_t> as_bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace

std::string rendition_file_name(size_t rendition) {
  return "rendition-" + std::to_string(rendition) + ".mp4";
}

base::Result<std::unique_ptr<RecordingWriter>> RecordingWriter::create(const std::filesystem::path& directory,
                                                                       RecordingMeta meta) {
  std::error_code error;
  if (!std::filesystem::create_directory(directory, error)) {
    return base::make_error("cannot create recording directory " + directory.string() + ": " +
                            (error ? error.message() : "it exists"));
  }
  if (auto parent = sync_directory(directory.parent_path()); !parent) return parent.error();
  if (auto written = write_file_atomically(directory / kMetaFile, as_bytes(encode_recording_meta(meta))); !written)
    return written.error();
  auto journal = DurableFile::open_append(directory / kIndexFile);
  if (!journal) return journal.error();
  if (auto synced = sync_directory(directory); !synced) return synced.error();
  return std::unique_ptr<RecordingWriter>(new RecordingWriter(directory, std::move(meta), std::move(*journal)));
}

base::Status RecordingWriter::usable() const {
  if (failure_) return base::make_error("recording failed earlier: " + *failure_);
  if (finished_) return base::make_error("recording already finished");
  return {};
}

base::Status RecordingWriter::fail(base::Error error) {
  failure_ = error.message;
  return error;
}

base::Result<uint16_t> RecordingWriter::add_rendition(RenditionMeta rendition) {
  if (auto ok = usable(); !ok) return ok.error();
  if (data_.size() >= UINT16_MAX) return base::make_error("too many renditions");
  auto file = DurableFile::open_append(directory_ / rendition_file_name(data_.size()));
  if (!file) return fail(file.error()).error();
  RecordingMeta next = meta_;
  next.renditions.push_back(std::move(rendition));
  // The data file's entry first, then the metadata naming it (which syncs the directory).
  if (auto written = write_file_atomically(directory_ / kMetaFile, as_bytes(encode_recording_meta(next))); !written)
    return fail(written.error()).error();
  meta_ = std::move(next);
  data_.push_back(std::move(*file));
  return static_cast<uint16_t>(data_.size() - 1);
}

base::Status RecordingWriter::append_init(uint16_t rendition, std::span<const uint8_t> bytes) {
  IndexRecord record;
  record.kind = RecordKind::init;
  record.rendition = rendition;
  return append_object(record, bytes);
}

base::Status RecordingWriter::append_part(uint16_t rendition, const PartInfo& part, std::span<const uint8_t> bytes) {
  IndexRecord record;
  record.kind = RecordKind::part;
  record.rendition = rendition;
  record.msn = part.msn;
  record.part_index = part.index;
  record.duration_us = part.duration_us;
  record.flags = part.flags;
  record.media_time_us = part.media_time_us;
  record.wall_clock_us = part.wall_clock_us;
  return append_object(record, bytes);
}

base::Status RecordingWriter::end_segment(uint16_t rendition, uint64_t msn, uint32_t duration_us, uint8_t flags) {
  if (auto ok = usable(); !ok) return ok;
  if (rendition >= data_.size()) return base::make_error("no rendition " + std::to_string(rendition));
  IndexRecord record;
  record.kind = RecordKind::segment_end;
  record.rendition = rendition;
  record.msn = msn;
  record.duration_us = duration_us;
  record.flags = flags;
  return append_record(record);
}

base::Status RecordingWriter::append_object(IndexRecord record, std::span<const uint8_t> bytes) {
  if (auto ok = usable(); !ok) return ok;
  if (record.rendition >= data_.size()) return base::make_error("no rendition " + std::to_string(record.rendition));
  if (bytes.empty() || bytes.size() > UINT32_MAX) return base::make_error("an object of " + std::to_string(bytes.size()) + " bytes");
  DurableFile& data = data_[record.rendition];
  record.offset = data.size();
  record.size = static_cast<uint32_t>(bytes.size());
  record.data_crc = crc32(bytes);
  // The bytes first: a record must never name bytes that were not written before it.
  if (auto written = data.append(bytes); !written) return fail(written.error());
  bytes_written_ += bytes.size();
  return append_record(record);
}

base::Status RecordingWriter::append_record(const IndexRecord& record) {
  std::vector<uint8_t> encoded;
  encode_index_record(record, encoded);
  if (auto written = journal_.append(encoded); !written) return fail(written.error());
  ++record_count_;
  open_segments_.add(record);
  bytes_written_ += encoded.size();
  return {};
}

base::Status RecordingWriter::sync() {
  if (failure_) return base::make_error("recording failed earlier: " + *failure_);
  if (record_count_ == records_at_last_checkpoint_ && !journal_.dirty()) return {};
  for (DurableFile& data : data_) {
    if (!data.dirty()) continue;
    if (auto synced = data.sync(); !synced) return fail(synced.error());
  }
  if (!finished_ && record_count_ > records_at_last_checkpoint_) {
    IndexRecord checkpoint;
    checkpoint.kind = RecordKind::checkpoint;
    checkpoint.count = record_count_;
    if (auto appended = append_record(checkpoint); !appended) return appended;
    records_at_last_checkpoint_ = record_count_;
  }
  if (auto synced = journal_.sync(); !synced) return fail(synced.error());
  return {};
}

base::Status RecordingWriter::finish() {
  if (auto ok = usable(); !ok) return ok;
  for (const IndexRecord& record : open_segments_.closing_records()) {
    if (auto appended = append_record(record); !appended) return appended;
  }
  IndexRecord end;
  end.kind = RecordKind::end;
  end.count = record_count_;
  if (auto appended = append_record(end); !appended) return appended;
  finished_ = true;
  return sync();
}

}  // namespace vela::record
