#include "record/recorder.hpp"

#include <spdlog/spdlog.h>

#include <ctime>
#include <random>
#include <system_error>

#include "record/recording_repair.hpp"

namespace vela::record {

namespace {

using Clock = std::chrono::steady_clock;

// "20261207T223000Z-1a2b3c4d": when it began, then 32 random bits; sortable and unguessable
// enough that ids are not enumerable by counting.
std::string make_recording_id(int64_t started_unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(started_unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char when[32];
  std::strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &utc);
  std::random_device random;
  char id[48];
  std::snprintf(id, sizeof id, "%s-%08x", when, static_cast<unsigned>(random()));
  return id;
}

}  // namespace

Recorder::Recorder(RecorderOptions options, base::MetricsRegistry& metrics)
    : options_(std::move(options)),
      metrics_(metrics),
      bytes_written_(metrics.counter("vela_record_written_bytes_total", "Bytes written to recordings (media and index)")),
      syncs_(metrics.counter("vela_record_syncs_total", "Syncs of recordings to disk")),
      sync_microseconds_(metrics.counter("vela_record_sync_microseconds_total", "Time spent syncing recordings")),
      open_recordings_(metrics.gauge("vela_record_recordings_open", "Recordings being written")),
      queued_bytes_gauge_(metrics.gauge("vela_record_queued_bytes", "Media waiting to be written to recordings")) {}

Recorder::~Recorder() {
  stop();
}

base::Result<RepairSummary> Recorder::start() {
  std::error_code error;
  std::filesystem::create_directories(options_.directory, error);
  if (error) return base::make_error("cannot create " + options_.directory.string() + ": " + error.message());
  RepairSummary summary;
  for (const auto& entry : std::filesystem::directory_iterator(options_.directory, error)) {
    if (!entry.is_directory() || !std::filesystem::exists(entry.path() / kMetaFile)) continue;
    ++summary.recordings;
    auto repaired = repair_recording(entry.path());
    if (!repaired) {
      ++summary.failed;
      spdlog::error("recording {}: cannot repair: {}", entry.path().filename().string(), repaired.error().message);
      metrics_.counter("vela_record_repairs_total", "Recordings found unfinished at start-up", "result=\"failed\"").add();
      continue;
    }
    if (auto listed = read_recording_summary(entry.path())) catalog_.put(std::move(*listed));
    if (repaired->was_finished) continue;
    ++summary.repaired;
    summary.dropped_records += repaired->dropped_records;
    metrics_.counter("vela_record_repairs_total", "Recordings found unfinished at start-up", "result=\"repaired\"").add();
    spdlog::warn("recording {} was not finished (the server stopped abruptly): finalized with {} records; {} "
                 "records of lost data dropped, {} bytes cut",
                 entry.path().filename().string(), repaired->kept_records, repaired->dropped_records,
                 repaired->cut_bytes);
  }
  if (error) return base::make_error("cannot list " + options_.directory.string() + ": " + error.message());
  {
    std::lock_guard lock(mutex_);
    started_ = true;
  }
  thread_ = std::thread([this] { run(); });
  return summary;
}

void Recorder::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string Recorder::begin(std::string_view stream, int64_t started_unix_ms) {
  std::string id = make_recording_id(started_unix_ms);
  push({id, Begin{RecordingMeta{id, std::string(stream), started_unix_ms, {}}}});
  return id;
}

void Recorder::add_rendition(const std::string& id, RenditionMeta rendition) {
  push({id, AddRendition{std::move(rendition)}});
}

void Recorder::append_init(const std::string& id, uint16_t rendition, base::Buffer bytes) {
  size_t size = bytes.size();
  push({id, Object{rendition, true, {}, std::move(bytes)}, size});
}

void Recorder::append_part(const std::string& id, uint16_t rendition, const PartInfo& part, base::Buffer bytes) {
  size_t size = bytes.size();
  push({id, Object{rendition, false, part, std::move(bytes)}, size});
}

void Recorder::end_segment(const std::string& id, uint16_t rendition, uint64_t msn, uint32_t duration_us,
                           uint8_t flags) {
  push({id, SegmentEnd{rendition, msn, duration_us, flags}});
}

void Recorder::finish(const std::string& id) {
  push({id, Finish{}});
}

Recorder::RemoveResult Recorder::remove(const std::string& id) {
  auto summary = catalog_.find(id);
  if (!summary) return RemoveResult::not_found;
  if (!summary->finished) return RemoveResult::recording;
  catalog_.erase(id);
  push({id, Remove{}});
  return RemoveResult::removed;
}

void Recorder::publish_summary(const std::string& id, const RecordingWriter& writer, bool finished) {
  const RecordingMeta& meta = writer.meta();
  catalog_.put({id, meta.stream, meta.started_unix_ms, durations_us_[id], writer.bytes_written(), meta.renditions,
                finished});
}

void Recorder::push(Command command) {
  {
    std::lock_guard lock(mutex_);
    if (!started_ || stopping_) return;
    if (behind_.contains(command.id)) {
      // Already stopped and finished by the writer thread; the recording's end forgets it.
      if (std::holds_alternative<Finish>(command.what)) behind_.erase(command.id);
      return;
    }
    if (command.bytes > 0 && queued_bytes_ + command.bytes > options_.max_queued_bytes) {
      behind_.insert(command.id);
      queue_.push_back({command.id, FallBehind{}});
    } else {
      queued_bytes_ += command.bytes;
      queued_bytes_gauge_.set(static_cast<int64_t>(queued_bytes_));
      queue_.push_back(std::move(command));
    }
  }
  wake_.notify_one();
}

void Recorder::run() {
  auto next_sync = Clock::now() + options_.sync_interval;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_) break;
      wake_.wait_until(lock, next_sync, [this] { return stopping_ || !queue_.empty(); });
    }
    std::deque<Command> batch;
    batch.swap(queue_);
    lock.unlock();
    size_t batch_bytes = 0;
    for (Command& command : batch) {
      batch_bytes += command.bytes;
      execute(command);
    }
    batch.clear();  // releases the buffers before the bytes are counted as gone
    if (Clock::now() >= next_sync) {
      sync_all();
      next_sync = Clock::now() + options_.sync_interval;
    }
    lock.lock();
    queued_bytes_ -= batch_bytes;
    queued_bytes_gauge_.set(static_cast<int64_t>(queued_bytes_));
  }
  lock.unlock();
  // Stopping: what is still open ends as it would at its stream's end.
  for (auto& [id, writer] : writers_) {
    if (auto finished = writer->finish(); !finished)
      spdlog::error("recording {}: cannot finish at shutdown: {}", id, finished.error().message);
    publish_summary(id, *writer, true);
  }
  open_recordings_.add(-static_cast<int64_t>(writers_.size()));
  writers_.clear();
}

void Recorder::execute(Command& command) {
  if (auto* begin = std::get_if<Begin>(&command.what)) {
    auto writer = RecordingWriter::create(options_.directory / command.id, std::move(begin->meta));
    if (!writer) {
      spdlog::error("recording {}: cannot start: {}", command.id, writer.error().message);
      metrics_.counter("vela_record_failures_total", "Recordings stopped early", "reason=\"disk\"").add();
      return;
    }
    spdlog::info("recording {} of stream {} started", command.id, (*writer)->meta().stream);
    durations_us_[command.id] = 0;
    publish_summary(command.id, **writer, false);
    writers_.emplace(command.id, std::move(*writer));
    open_recordings_.add(1);
    return;
  }
  if (std::holds_alternative<Remove>(command.what)) {
    std::error_code error;
    std::filesystem::remove_all(options_.directory / command.id, error);
    if (error) spdlog::error("recording {}: cannot delete: {}", command.id, error.message());
    else spdlog::info("recording {} deleted", command.id);
    return;
  }
  auto found = writers_.find(command.id);
  if (found == writers_.end()) return;  // it could not start, or it failed and was closed
  RecordingWriter* writer = found->second.get();
  base::Status status;
  if (auto* add = std::get_if<AddRendition>(&command.what)) {
    auto added = writer->add_rendition(std::move(add->rendition));
    if (!added) status = added.error();
    else publish_summary(command.id, *writer, false);
  } else if (auto* object = std::get_if<Object>(&command.what)) {
    uint64_t before = writer->bytes_written();
    status = object->init ? writer->append_init(object->rendition, object->bytes.span())
                          : writer->append_part(object->rendition, object->part, object->bytes.span());
    bytes_written_.add(writer->bytes_written() - before);
    if (status && !object->init && object->rendition == 0) durations_us_[command.id] += object->part.duration_us;
  } else if (auto* end = std::get_if<SegmentEnd>(&command.what)) {
    status = writer->end_segment(end->rendition, end->msn, end->duration_us, end->flags);
  } else if (std::holds_alternative<FallBehind>(command.what)) {
    fail(command.id, writer, "the disk does not keep up (over " + std::to_string(options_.max_queued_bytes >> 20) +
                                 " MiB waiting); what was written is kept",
         "behind");
    return;
  } else if (std::holds_alternative<Finish>(command.what)) {
    status = writer->finish();
    if (status) {
      spdlog::info("recording {} of stream {} finished: {} bytes", command.id, writer->meta().stream,
                   writer->bytes_written());
      publish_summary(command.id, *writer, true);
      durations_us_.erase(command.id);
      writers_.erase(found);
      open_recordings_.add(-1);
      return;
    }
  }
  if (!status) fail(command.id, writer, status.error().message, writer->failure() ? "disk" : "invalid");
}

void Recorder::sync_all() {
  std::vector<std::string> failed;
  for (auto& [id, writer] : writers_) {
    auto started = Clock::now();
    auto synced = writer->sync();
    sync_microseconds_.add(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count()));
    syncs_.add();
    if (!synced) failed.push_back(id);
    else publish_summary(id, *writer, false);
  }
  for (const std::string& id : failed) {
    auto found = writers_.find(id);
    fail(id, found->second.get(), found->second->failure().value_or("sync failed"), "disk");
  }
}

void Recorder::fail(const std::string& id, RecordingWriter* writer, const std::string& reason, const char* kind) {
  spdlog::warn("recording {} of stream {} stopped: {}", id, writer->meta().stream, reason);
  metrics_.counter("vela_record_failures_total", "Recordings stopped early", std::string("reason=\"") + kind + "\"")
      .add();
  // Ends it cleanly when the disk allows; otherwise the next start-up repairs it. Either way it
  // is no longer being written.
  if (!writer->failure()) (void)writer->finish();
  publish_summary(id, *writer, true);
  durations_us_.erase(id);
  writers_.erase(id);
  open_recordings_.add(-1);
}

}  // namespace vela::record
