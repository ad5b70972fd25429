#include "record/recorder.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "record/recording_index.hpp"

namespace vela::record {
namespace {

namespace fs = std::filesystem;

base::Buffer media(size_t size, uint8_t seed) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(seed * 7 + i);
  return base::Buffer::copy_of(bytes);
}

IndexScan scan_of(const fs::path& directory) {
  auto bytes = read_whole_file(directory / kIndexFile);
  EXPECT_TRUE(bytes.ok());
  return scan_index(bytes.ok() ? *bytes : std::vector<uint8_t>{});
}

class RecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("vela-recorder-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  RecorderOptions options(size_t max_queued_bytes = size_t{64} << 20) {
    return {root_, std::chrono::milliseconds(20), max_queued_bytes};
  }

  // One rendition, an init and `parts` parts of 1,000 bytes in segments of 4.
  static void record_parts(Recorder& recorder, const std::string& id, int parts) {
    recorder.add_rendition(id, {"video", "avc1.64001f,mp4a.40.2", 2'000'000, 1280, 720});
    recorder.append_init(id, 0, media(500, 1));
    for (int i = 0; i < parts; ++i) {
      PartInfo part{static_cast<uint64_t>(i / 4), static_cast<uint32_t>(i % 4), 250'000,
                    static_cast<uint8_t>(i % 4 == 0 ? kIndependent : 0), i * 250'000, 0};
      recorder.append_part(id, 0, part, media(1000, static_cast<uint8_t>(i)));
      if (i % 4 == 3) recorder.end_segment(id, 0, static_cast<uint64_t>(i / 4), 1'000'000, 0);
    }
  }

  fs::path root_;
  base::MetricsRegistry metrics_;
};

TEST_F(RecorderTest, RecordsAStreamToAFinishedRecording) {
  Recorder recorder(options(), metrics_);
  auto started = recorder.start();
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_EQ(started->recordings, 0u);
  std::string id = recorder.begin("demo", 1'796'000'000'000);
  EXPECT_TRUE(id.starts_with("20261130T")) << id;
  record_parts(recorder, id, 10);
  recorder.finish(id);
  recorder.stop();

  auto scan = scan_of(root_ / id);
  EXPECT_TRUE(scan.ended);
  EXPECT_EQ(fs::file_size(root_ / id / "rendition-0.mp4"), 500u + 10 * 1000);
  EXPECT_NE(metrics_.render().find("vela_record_written_bytes_total "), std::string::npos);
  EXPECT_NE(metrics_.render().find("vela_record_recordings_open 0"), std::string::npos);
}

TEST_F(RecorderTest, TheCatalogFollowsRecordingsAndRemovalDeletesFinishedOnesOnly) {
  Recorder recorder(options(), metrics_);
  ASSERT_TRUE(recorder.start().ok());
  std::string id = recorder.begin("demo", 1'796'000'000'000);
  record_parts(recorder, id, 10);
  // Until the recorder's thread has begun it, the recording may not be listed yet.
  for (int i = 0; i < 500 && !recorder.catalog().find(id); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(recorder.catalog().find(id).has_value());
  EXPECT_EQ(recorder.remove(id), Recorder::RemoveResult::recording);
  recorder.finish(id);
  for (int i = 0; i < 500 && !recorder.catalog().find(id)->finished; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto summary = recorder.catalog().find(id);
  ASSERT_TRUE(summary && summary->finished);
  EXPECT_EQ(summary->stream, "demo");
  EXPECT_EQ(summary->duration_us, 10u * 250'000);
  EXPECT_GT(summary->bytes, 500u + 10 * 1000);
  ASSERT_EQ(summary->renditions.size(), 1u);
  EXPECT_EQ(recorder.remove("nosuch"), Recorder::RemoveResult::not_found);
  EXPECT_EQ(recorder.remove(id), Recorder::RemoveResult::removed);
  EXPECT_FALSE(recorder.catalog().find(id).has_value());
  recorder.stop();
  EXPECT_FALSE(fs::exists(root_ / id)) << "files deleted by the recorder's thread";
}

TEST(RecordingId, OnlySafeDirectoryNames) {
  EXPECT_TRUE(is_valid_recording_id("20261207T223000Z-1a2b3c4d"));
  for (const char* bad : {"", ".", "..", "../x", "a/b", ".hidden", "a b", "a%2F"}) {
    EXPECT_FALSE(is_valid_recording_id(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_recording_id(std::string(65, 'a')));
}

TEST_F(RecorderTest, StopFinishesWhatIsStillOpen) {
  Recorder recorder(options(), metrics_);
  ASSERT_TRUE(recorder.start().ok());
  std::string id = recorder.begin("demo", 1'796'000'000'000);
  record_parts(recorder, id, 6);  // segment 1 open
  recorder.stop();
  auto scan = scan_of(root_ / id);
  EXPECT_TRUE(scan.ended);
  EXPECT_EQ(scan.records[scan.records.size() - 2].kind, RecordKind::segment_end);
  EXPECT_EQ(scan.records[scan.records.size() - 2].msn, 1u);
}

TEST_F(RecorderTest, ARecordingTheDiskCannotKeepUpWithStopsAloneAndStaysPlayable) {
  // Room for 10,000 bytes of media in flight: everything before the big part fits even if
  // nothing was written yet, and a 12,000-byte part never fits, however fast the disk drains
  // the queue, so the recording falls behind exactly at that part.
  Recorder recorder(options(10'000), metrics_);
  ASSERT_TRUE(recorder.start().ok());
  std::string slow = recorder.begin("slow", 1'796'000'000'000);
  std::string other = recorder.begin("other", 1'796'000'000'000);
  record_parts(recorder, slow, 4);
  record_parts(recorder, other, 2);
  recorder.append_part(slow, 0, {1, 0, 250'000, kIndependent, 1'000'000, 0}, media(12'000, 9));
  recorder.append_part(other, 0, {0, 2, 250'000, 0, 500'000, 0}, media(1'000, 3));  // the other goes on
  recorder.append_part(slow, 0, {1, 1, 250'000, 0, 1'250'000, 0}, media(100, 9));  // dropped: stopped
  recorder.finish(slow);
  recorder.finish(other);
  recorder.stop();
  auto scan = scan_of(root_ / slow);
  EXPECT_TRUE(scan.ended) << "stopped recordings are finalized";
  EXPECT_EQ(fs::file_size(root_ / slow / "rendition-0.mp4"), 500u + 4 * 1000) << "everything before the stop";
  EXPECT_TRUE(scan_of(root_ / other).ended);
  EXPECT_EQ(fs::file_size(root_ / other / "rendition-0.mp4"), 500u + 3 * 1000);
  EXPECT_NE(metrics_.render().find("vela_record_failures_total{reason=\"behind\"} 1"), std::string::npos)
      << metrics_.render();
}

TEST_F(RecorderTest, StartRepairsRecordingsLeftUnfinished) {
  fs::create_directories(root_);
  {
    auto writer = RecordingWriter::create(root_ / "crashed", {"crashed", "demo", 0, {}});
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->add_rendition({"video", "avc1", 1, 2, 2}).ok());
    ASSERT_TRUE((*writer)->append_init(0, media(100, 1).span()).ok());
    ASSERT_TRUE((*writer)->append_part(0, {1, 0, 200'000, kIndependent, 0, 0}, media(300, 2).span()).ok());
    ASSERT_TRUE((*writer)->sync().ok());
  }  // no finish: the process died
  fs::create_directories(root_ / "not-a-recording");
  Recorder recorder(options(), metrics_);
  auto started = recorder.start();
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(started->recordings, 1u);
  EXPECT_EQ(started->repaired, 1u);
  EXPECT_TRUE(scan_of(root_ / "crashed").ended);
  auto listed = recorder.catalog().find("crashed");
  ASSERT_TRUE(listed.has_value()) << "recordings on disk are listed after start-up";
  EXPECT_TRUE(listed->finished);
  EXPECT_EQ(listed->duration_us, 200'000u);
  EXPECT_NE(metrics_.render().find("vela_record_repairs_total{result=\"repaired\"} 1"), std::string::npos);
  recorder.stop();
}

TEST_F(RecorderTest, CallsBeforeStartOrAfterStopAreIgnored) {
  Recorder recorder(options(), metrics_);
  std::string early = recorder.begin("demo", 0);
  recorder.finish(early);
  ASSERT_TRUE(recorder.start().ok());
  recorder.stop();
  recorder.finish(recorder.begin("demo", 0));
  recorder.stop();
  EXPECT_TRUE(fs::is_empty(root_));
}

}  // namespace
}  // namespace vela::record
