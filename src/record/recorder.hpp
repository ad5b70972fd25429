#pragma once
// The recorder: every recording being written, on one thread of its own. Packagers (on their
// streams' home shards) hand it init segments, parts and segment ends as shared buffers; it
// queues them and never blocks the caller on the disk. Its thread writes each recording with
// a RecordingWriter and, every sync_interval, syncs what was written (recording_index.hpp
// says why that order makes a crash lose at most the unsynced tail).
//
// Bounded: media waiting for the disk across all recordings is capped at max_queued_bytes.
// A recording whose media does not fit is stopped (logged, counted in
// vela_record_failures_total{reason="behind"}); what it wrote stays, finalized. A write error
// stops only its recording (reason="disk"). Live delivery never waits for either.
//
// Calls: start() and stop() from the owning thread; the recording calls from any thread,
// each recording's in one order (its stream's home shard).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "base/buffer.hpp"
#include "base/metrics.hpp"
#include "base/result.hpp"
#include "record/recording_catalog.hpp"
#include "record/recording_meta.hpp"
#include "record/recording_writer.hpp"

namespace vela::record {

struct RecorderOptions {
  std::filesystem::path directory;  // one subdirectory per recording
  std::chrono::milliseconds sync_interval{1000};
  size_t max_queued_bytes = size_t{64} << 20;
};

struct RepairSummary {
  size_t recordings = 0;  // found in the directory
  size_t repaired = 0;    // were unfinished and are now finalized
  size_t failed = 0;      // could not be read or repaired (left as they are, logged)
  size_t dropped_records = 0;
};

class Recorder {
 public:
  Recorder(RecorderOptions options, base::MetricsRegistry& metrics);
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;
  ~Recorder();

  // Creates the directory if needed, repairs every unfinished recording in it (blocking: at
  // start-up, before anything records), then starts the writer thread.
  base::Result<RepairSummary> start();
  // Writes everything queued, finishes recordings still open (as at a clean end), joins the
  // thread. Idempotent.
  void stop();

  // A new recording of `stream`; returns its id (also its directory's name).
  std::string begin(std::string_view stream, int64_t started_unix_ms);
  // Renditions are numbered in the order they are added to a recording, from 0.
  void add_rendition(const std::string& id, RenditionMeta rendition);
  void append_init(const std::string& id, uint16_t rendition, base::Buffer bytes);
  void append_part(const std::string& id, uint16_t rendition, const PartInfo& part, base::Buffer bytes);
  void end_segment(const std::string& id, uint16_t rendition, uint64_t msn, uint32_t duration_us, uint8_t flags);
  void finish(const std::string& id);

  // Every recording on disk, finished or being written. Any thread.
  const RecordingCatalog& catalog() const { return catalog_; }
  enum class RemoveResult { removed, not_found, recording };
  // Forgets a finished recording at once and deletes its files on the recorder's thread.
  // Any thread. A recording still being written is not removed.
  RemoveResult remove(const std::string& id);

 private:
  struct Begin {
    RecordingMeta meta;
  };
  struct AddRendition {
    RenditionMeta rendition;
  };
  struct Object {
    uint16_t rendition;
    bool init;
    PartInfo part;
    base::Buffer bytes;
  };
  struct SegmentEnd {
    uint16_t rendition;
    uint64_t msn;
    uint32_t duration_us;
    uint8_t flags;
  };
  struct Finish {};
  // The recording is stopped here: its media no longer fit in the queue.
  struct FallBehind {};
  struct Remove {};
  struct Command {
    std::string id;
    std::variant<Begin, AddRendition, Object, SegmentEnd, Finish, FallBehind, Remove> what;
    size_t bytes = 0;  // media bytes it holds (counted against max_queued_bytes)
  };

  void push(Command command);
  void run();
  void execute(Command& command);
  void sync_all();
  void fail(const std::string& id, RecordingWriter* writer, const std::string& reason, const char* kind);
  // The catalog's entry of an open recording, from what its writer has written.
  void publish_summary(const std::string& id, const RecordingWriter& writer, bool finished);

  RecorderOptions options_;
  base::MetricsRegistry& metrics_;
  std::thread thread_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Command> queue_;            // guarded by mutex_
  size_t queued_bytes_ = 0;              // guarded by mutex_
  std::unordered_set<std::string> behind_;  // guarded by mutex_: recordings stopped for lack of room
  bool stopping_ = false;                // guarded by mutex_
  bool started_ = false;

  RecordingCatalog catalog_;

  // Writer thread only.
  std::unordered_map<std::string, std::unique_ptr<RecordingWriter>> writers_;
  std::unordered_map<std::string, uint64_t> durations_us_;  // of each open recording's first rendition

  base::Counter& bytes_written_;
  base::Counter& syncs_;
  base::Counter& sync_microseconds_;
  base::Gauge& open_recordings_;
  base::Gauge& queued_bytes_gauge_;
};

}  // namespace vela::record
