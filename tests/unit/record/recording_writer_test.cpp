#include "record/recording_writer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "record/recording_repair.hpp"

namespace vela::record {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> bytes_of(size_t size, uint8_t seed) {
  std::vector<uint8_t> out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(seed + i * 13);
  return out;
}

std::vector<uint8_t> file_bytes(const fs::path& path) {
  auto bytes = read_whole_file(path);
  EXPECT_TRUE(bytes.ok()) << path;
  return bytes.ok() ? *bytes : std::vector<uint8_t>{};
}

class RecordingWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("vela-record-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    dir_ = root_ / "rec1";
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<RecordingWriter> start() {
    auto writer = RecordingWriter::create(dir_, {"rec1", "demo", 1'796'000'000'000, {}});
    EXPECT_TRUE(writer.ok()) << (writer.ok() ? "" : writer.error().message);
    return writer.ok() ? std::move(*writer) : nullptr;
  }

  // Init, then `segments` segments of 3 parts on rendition r; returns the data file's bytes.
  std::vector<uint8_t> write_rendition(RecordingWriter& writer, uint16_t r, int segments, bool end_last = true) {
    std::vector<uint8_t> expected = bytes_of(300, static_cast<uint8_t>(r));
    EXPECT_TRUE(writer.append_init(r, expected).ok());
    for (int s = 0; s < segments; ++s) {
      for (uint32_t p = 0; p < 3; ++p) {
        auto part = bytes_of(1000 + 10 * p, static_cast<uint8_t>(s * 3 + p));
        PartInfo info{static_cast<uint64_t>(s + 1), p, 200'000, static_cast<uint8_t>(p == 0 ? kIndependent : 0),
                      (s * 3 + p) * 200'000, 1'796'000'000'000'000 + (s * 3 + p) * 200'000};
        EXPECT_TRUE(writer.append_part(r, info, part).ok());
        expected.insert(expected.end(), part.begin(), part.end());
      }
      if (s + 1 < segments || end_last) {
        EXPECT_TRUE(writer.end_segment(r, s + 1, 600'000, 0).ok());
      }
    }
    return expected;
  }

  fs::path root_;
  fs::path dir_;
};

TEST_F(RecordingWriterTest, ACleanRecordingHoldsThePackagersBytesAndEndsItsJournal) {
  auto writer = start();
  ASSERT_TRUE(writer);
  auto video = writer->add_rendition({"video", "avc1.64001f,mp4a.40.2", 3'000'000, 1280, 720});
  auto low = writer->add_rendition({"360p", "avc1.42c01e,mp4a.40.2", 800'000, 640, 360});
  ASSERT_TRUE(video.ok() && low.ok());
  EXPECT_EQ(*video, 0);
  EXPECT_EQ(*low, 1);
  auto expected_video = write_rendition(*writer, 0, 2);
  ASSERT_TRUE(writer->sync().ok());
  auto expected_low = write_rendition(*writer, 1, 2, /*end_last=*/false);
  ASSERT_TRUE(writer->finish().ok());
  EXPECT_TRUE(writer->finished());
  EXPECT_FALSE(writer->append_init(0, bytes_of(10, 1)).ok()) << "no writes after the end";

  EXPECT_EQ(file_bytes(dir_ / "rendition-0.mp4"), expected_video) << "unchanged, in order";
  EXPECT_EQ(file_bytes(dir_ / "rendition-1.mp4"), expected_low);
  auto meta_bytes = file_bytes(dir_ / kMetaFile);
  auto meta = decode_recording_meta(std::string(meta_bytes.begin(), meta_bytes.end()));
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->stream, "demo");
  ASSERT_EQ(meta->renditions.size(), 2u);
  EXPECT_EQ(meta->renditions[1].name, "360p");

  auto scan = scan_index(file_bytes(dir_ / kIndexFile));
  EXPECT_TRUE(scan.ended);
  EXPECT_FALSE(scan.torn);
  // The open last segment of the 360p rendition was closed by finish().
  const IndexRecord& closing = scan.records[scan.records.size() - 2];
  EXPECT_EQ(closing.kind, RecordKind::segment_end);
  EXPECT_EQ(closing.rendition, 1);
  EXPECT_EQ(closing.msn, 2u);

  auto repaired = repair_recording(dir_);
  ASSERT_TRUE(repaired.ok());
  EXPECT_TRUE(repaired->was_finished);
  EXPECT_EQ(repaired->cut_bytes, 0u);
}

TEST_F(RecordingWriterTest, AKilledWriterIsRepairedToItsLastWholePart) {
  auto writer = start();
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->add_rendition({"video", "avc1.64001f", 1, 2, 2}).ok());
  auto expected = write_rendition(*writer, 0, 2, /*end_last=*/false);
  ASSERT_TRUE(writer->sync().ok());
  writer.reset();  // killed: no finish()

  // The last part was torn: its last 100 bytes never reached the file.
  const fs::path data = dir_ / "rendition-0.mp4";
  fs::resize_file(data, expected.size() - 100);
  // And half a record was being written to the journal.
  { std::ofstream(dir_ / kIndexFile, std::ios::app | std::ios::binary) << std::string(30, '\x7f'); }

  auto repaired = repair_recording(dir_);
  ASSERT_TRUE(repaired.ok()) << repaired.error().message;
  EXPECT_FALSE(repaired->was_finished);
  EXPECT_EQ(repaired->dropped_records, 1u) << "the torn part";
  const size_t last_part = 1000 + 10 * 2;
  EXPECT_EQ(fs::file_size(data), expected.size() - last_part);
  auto scan = scan_index(file_bytes(dir_ / kIndexFile));
  EXPECT_TRUE(scan.ended);
  EXPECT_FALSE(scan.torn);
  // Segment 2 closes with the two parts that were whole.
  const IndexRecord& closing = scan.records[scan.records.size() - 2];
  EXPECT_EQ(closing.kind, RecordKind::segment_end);
  EXPECT_EQ(closing.msn, 2u);
  EXPECT_EQ(closing.duration_us, 400'000u);

  auto again = repair_recording(dir_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->was_finished) << "repair is done once";
}

TEST_F(RecordingWriterTest, UnsyncedPartsWithLostBytesAreDropped) {
  auto writer = start();
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->add_rendition({"video", "avc1.64001f", 1, 2, 2}).ok());
  write_rendition(*writer, 0, 1);
  ASSERT_TRUE(writer->sync().ok());
  const uint64_t synced_size = fs::file_size(dir_ / "rendition-0.mp4");
  write_rendition(*writer, 0, 1);  // a second init and segment, never synced
  writer.reset();
  // Power loss: the file kept its length but the unsynced pages read back as zeros.
  {
    std::fstream file(dir_ / "rendition-0.mp4", std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(synced_size));
    std::string zeros(fs::file_size(dir_ / "rendition-0.mp4") - synced_size, '\0');
    file.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  auto repaired = repair_recording(dir_);
  ASSERT_TRUE(repaired.ok());
  EXPECT_GT(repaired->dropped_records, 0u);
  EXPECT_EQ(fs::file_size(dir_ / "rendition-0.mp4"), synced_size);
  EXPECT_TRUE(scan_index(file_bytes(dir_ / kIndexFile)).ended);
}

TEST_F(RecordingWriterTest, RefusesBadCalls) {
  auto writer = start();
  ASSERT_TRUE(writer);
  EXPECT_FALSE(writer->append_init(0, bytes_of(10, 1)).ok()) << "no rendition yet";
  ASSERT_TRUE(writer->add_rendition({"video", "avc1.64001f", 1, 2, 2}).ok());
  EXPECT_FALSE(writer->append_init(0, {}).ok()) << "empty object";
  EXPECT_FALSE(writer->failure().has_value()) << "bad calls do not fail the recording";
  EXPECT_FALSE(RecordingWriter::create(dir_, {"rec1", "demo", 0, {}}).ok()) << "the directory exists";
}

TEST(RecordingMeta, RoundTripsAndRefusesWhatItDidNotWrite) {
  RecordingMeta meta{"r-1", "demo", 1'796'000'000'000, {{"video", "avc1.64001f,mp4a.40.2", 3'000'000, 1280, 720}}};
  auto decoded = decode_recording_meta(encode_recording_meta(meta));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, meta);
  for (const char* bad : {"", "[]", "{}", R"({"version":2,"id":"a","stream":"b","started_unix_ms":1,"renditions":[]})",
                          R"({"version":1,"id":"a","stream":"b","started_unix_ms":"1","renditions":[]})",
                          R"({"version":1,"id":"a","stream":"b","started_unix_ms":1,"renditions":[{"name":"v"}]})",
                          R"({"version":1,"id":"a","stream":"b","started_unix_ms":1,"renditions":[{"name":"v","codecs":"x","bandwidth":-1,"width":1,"height":1}]})"}) {
    EXPECT_FALSE(decode_recording_meta(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace vela::record
