// RtpFeed: frames packetized once and shared by every listener, GOP replay to a late
// listener, NACK history, track choice, the end; RtpFeedDirectory over a real stream.
#include <gtest/gtest.h>

#include <future>

#include "egress/webrtc/rtp_feed.hpp"
#include "egress/webrtc/rtp_feed_directory.hpp"
#include "format/mpegts/annex_b.hpp"
#include "media/codec/h264.hpp"
#include "protocol/rtp/h264_depacketizer.hpp"

namespace vela::egress {
namespace {

using Bytes = std::vector<uint8_t>;

const Bytes kSps = {0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb, 0x01, 0x10, 0x00,
                    0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x83, 0x19, 0x60};
const Bytes kPps = {0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0};

media::TrackInfo video_track() {
  auto avcc = format::mpegts::build_avcc({kSps}, {kPps});
  auto video = media::codec::make_h264_track(1, base::Buffer::copy_of(*avcc));
  EXPECT_TRUE(video.ok());
  return *video;
}

media::TrackInfo audio_track(uint32_t id, media::Codec codec) {
  media::TrackInfo t;
  t.id = id;
  t.kind = media::MediaKind::audio;
  t.codec = codec;
  t.timescale = 48'000;
  t.sample_rate = 48'000;
  t.channels = 2;
  return t;
}

media::FramePtr video(int64_t dts, bool key, size_t size = 3000, int32_t cts = 0) {
  auto f = std::make_shared<media::MediaFrame>();
  f->track_id = 1;
  f->dts = dts;
  f->cts = cts;
  f->keyframe = key;
  Bytes avcc = {uint8_t(size >> 24), uint8_t(size >> 16), uint8_t(size >> 8), uint8_t(size)};
  avcc.resize(4 + size, 0x11);
  avcc[4] = key ? 0x65 : 0x41;
  f->payload = base::Buffer::copy_of(avcc);
  return f;
}

media::FramePtr audio(uint32_t track, int64_t dts) {
  auto f = std::make_shared<media::MediaFrame>();
  f->track_id = track;
  f->dts = dts;
  f->keyframe = true;
  f->payload = base::Buffer::copy_of(Bytes(120, 0x21));
  return f;
}

struct Recorder : RtpFeedListener {
  struct Batch {
    std::vector<SharedRtpPacketPtr> packets;
    bool replayed = false;
  };
  std::vector<Batch> batches;
  int ended = 0;
  void on_rtp_packets(std::span<const SharedRtpPacketPtr> packets, bool replayed) override {
    batches.push_back({{packets.begin(), packets.end()}, replayed});
  }
  void on_feed_ended() override { ++ended; }
  std::vector<SharedRtpPacketPtr> all() const {
    std::vector<SharedRtpPacketPtr> out;
    for (const auto& b : batches) out.insert(out.end(), b.packets.begin(), b.packets.end());
    return out;
  }
};

class RtpFeedTest : public ::testing::Test {
 protected:
  RtpFeedTest() : feed_(std::make_shared<RtpFeed>(nullptr, shard_)) {
    feed_->set_tracks({video_track(), audio_track(2, media::Codec::opus)}, {});
  }
  runtime::Shard shard_{0};  // never started: a feed without a stream posts nothing
  std::shared_ptr<RtpFeed> feed_;
};

TEST_F(RtpFeedTest, PacketizesOnceAndSharesPacketsBetweenListeners) {
  Recorder a, b;
  feed_->add_listener(&a);
  feed_->add_listener(&b);
  auto key = video(9000, true, 3000, 1800);
  feed_->on_frame(*key);
  ASSERT_EQ(a.batches.size(), 1u);
  ASSERT_EQ(b.batches.size(), 1u);
  const auto& pa = a.batches[0].packets;
  const auto& pb = b.batches[0].packets;
  ASSERT_EQ(pa.size(), pb.size());
  // SPS/PPS (not in the frame) as one STAP-A, then 3 FU-A fragments of the IDR slice.
  ASSERT_EQ(pa.size(), 4u);
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pa[i].get(), pb[i].get());  // the very same packet object
    EXPECT_EQ(pa[i]->kind, media::MediaKind::video);
    EXPECT_EQ(pa[i]->sequence, i);
    EXPECT_EQ(pa[i]->timestamp, 10'800u);  // pts, 90 kHz
    EXPECT_EQ(pa[i]->keyframe_start, i == 0);
    EXPECT_EQ(pa[i]->marker, i + 1 == pa.size());
    EXPECT_FALSE(a.batches[0].replayed);
  }
  EXPECT_EQ(pa[0]->payload.span()[0] & 0x1f, 24);  // STAP-A
  EXPECT_EQ(pa[1]->payload.span()[0] & 0x1f, 28);  // FU-A

  // The packets depacketize back into SPS, PPS and the frame's IDR slice.
  protocol::rtp::H264Depacketizer depacketizer;
  std::vector<protocol::rtp::H264AccessUnit> units;
  for (const auto& p : pa)
    depacketizer.push(p->sequence, p->timestamp, p->marker, p->payload.span(), 0, units);
  depacketizer.poll(1'000'000, units);
  ASSERT_EQ(units.size(), 1u);
  EXPECT_TRUE(units[0].keyframe);
  media::codec::AvccNalIterator nals(units[0].avcc.span());
  std::vector<size_t> sizes;
  while (auto nal = nals.next()) sizes.push_back(nal->size());
  EXPECT_EQ(sizes, (std::vector<size_t>{kSps.size(), kPps.size(), 3000}));

  auto sound = audio(2, 96'000);
  feed_->on_frame(*sound);
  ASSERT_EQ(a.batches.size(), 2u);
  const auto& ap = a.batches[1].packets;
  ASSERT_EQ(ap.size(), 1u);
  EXPECT_EQ(ap[0]->kind, media::MediaKind::audio);
  EXPECT_EQ(ap[0]->sequence, 0);
  EXPECT_EQ(ap[0]->timestamp, 96'000u);
  EXPECT_EQ(ap[0]->payload.data(), sound->payload.data());  // a slice, not a copy
  EXPECT_EQ(b.batches[1].packets[0].get(), ap[0].get());
}

TEST_F(RtpFeedTest, SmallNalUnitIsASliceOfTheFrame) {
  Recorder a;
  feed_->add_listener(&a);
  auto delta = video(0, false, 500);
  feed_->on_frame(*delta);
  ASSERT_EQ(a.all().size(), 1u);
  EXPECT_EQ(a.all()[0]->payload.data(), delta->payload.data() + 4);
  EXPECT_TRUE(a.all()[0]->marker);
  EXPECT_FALSE(a.all()[0]->keyframe_start);
}

TEST_F(RtpFeedTest, LateListenerGetsTheGopReplayedFromItsKeyframe) {
  Recorder early, late;
  feed_->add_listener(&early);
  feed_->on_frame(*video(0, false, 500));  // before any keyframe: never replayed
  feed_->on_frame(*video(3000, true, 500));
  feed_->on_frame(*audio(2, 100));
  feed_->on_frame(*video(6000, false, 2500));
  feed_->on_frame(*video(9000, false, 500));
  feed_->add_listener(&late);
  ASSERT_EQ(late.batches.size(), 1u);
  const auto replay = late.batches[0];
  EXPECT_TRUE(replay.replayed);
  ASSERT_EQ(replay.packets.size(), 1u + 1u + 3u + 1u);  // STAP-A + IDR, 3 FU-A, 1
  EXPECT_TRUE(replay.packets.front()->keyframe_start);
  EXPECT_EQ(replay.packets.front()->timestamp, 3000u);
  for (const auto& p : replay.packets) EXPECT_EQ(p->kind, media::MediaKind::video);  // no old audio
  EXPECT_EQ(replay.packets.back()->timestamp, 9000u);
  // Replayed packets are the ones the early listener got.
  EXPECT_EQ(replay.packets.front().get(), early.batches[1].packets.front().get());

  feed_->on_frame(*video(12000, false, 500));
  ASSERT_EQ(late.batches.size(), 2u);
  EXPECT_FALSE(late.batches[1].replayed);
  EXPECT_EQ(late.batches[1].packets[0]->sequence, replay.packets.back()->sequence + 1);
}

TEST(RtpFeed, OverlongGopIsNotReplayed) {
  runtime::Shard shard(0);
  RtpFeedOptions options;
  options.max_gop_packets = 3;
  auto feed = std::make_shared<RtpFeed>(nullptr, shard, options);
  feed->set_tracks({video_track()}, {});
  feed->on_frame(*video(0, true, 500));      // 2 packets
  feed->on_frame(*video(3000, false, 500));  // 3
  feed->on_frame(*video(6000, false, 500));  // 4: over the bound
  Recorder late;
  feed->add_listener(&late);
  EXPECT_TRUE(late.batches.empty());  // waits for the next keyframe
  feed->on_frame(*video(9000, true, 500));
  ASSERT_EQ(late.batches.size(), 1u);
  EXPECT_TRUE(late.batches[0].packets[0]->keyframe_start);
  Recorder later;
  feed->add_listener(&later);
  ASSERT_EQ(later.batches.size(), 1u);
  EXPECT_EQ(later.batches[0].packets.size(), 2u);
}

TEST_F(RtpFeedTest, HistoryFindsRecentPacketsByKindAndSequence) {
  for (int i = 0; i < 1100; ++i) feed_->on_frame(*video(i * 3000, i == 0, 500));
  for (int i = 0; i < 200; ++i) feed_->on_frame(*audio(2, i * 960));
  // 1101 packets: the keyframe is a STAP-A (SPS/PPS) and its slice, then one per frame.
  auto newest = feed_->find(media::MediaKind::video, 1100);
  ASSERT_NE(newest, nullptr);
  EXPECT_EQ(newest->sequence, 1100);
  EXPECT_EQ(newest->timestamp, 1099u * 3000);
  EXPECT_NE(feed_->find(media::MediaKind::video, 1100 - 1023), nullptr);
  EXPECT_EQ(feed_->find(media::MediaKind::video, 1100 - 1024), nullptr);  // beyond the history
  EXPECT_EQ(feed_->find(media::MediaKind::video, 1101), nullptr);         // not made yet
  auto sound = feed_->find(media::MediaKind::audio, 199);
  ASSERT_NE(sound, nullptr);
  EXPECT_EQ(sound->timestamp, 199u * 960);
  EXPECT_EQ(feed_->find(media::MediaKind::audio, 10), nullptr);  // 128 audio packets kept
}

TEST(RtpFeed, ChoosesOpusFromDerivedTracksAndIgnoresOthers) {
  runtime::Shard shard(0);
  auto feed = std::make_shared<RtpFeed>(nullptr, shard);
  auto derived = audio_track(1000, media::Codec::opus);
  derived.timescale = 44'100;  // rescaled to 48 kHz
  feed->set_tracks({video_track(), audio_track(2, media::Codec::aac)}, {derived});
  ASSERT_TRUE(feed->audio_track());
  EXPECT_EQ(feed->audio_track()->id, 1000u);
  ASSERT_TRUE(feed->video_track());
  EXPECT_EQ(feed->video_track()->id, 1u);
  Recorder r;
  feed->add_listener(&r);
  feed->on_frame(*audio(2, 0));  // AAC source audio: ignored
  EXPECT_TRUE(r.batches.empty());
  EXPECT_EQ(feed->stats().ignored_frames, 1u);
  feed->on_frame(*audio(1000, 44'100));
  ASSERT_EQ(r.all().size(), 1u);
  EXPECT_EQ(r.all()[0]->timestamp, 48'000u);
  // Malformed AVCC: counted, nothing sent.
  auto bad = video(0, true, 500);
  auto broken = std::make_shared<media::MediaFrame>(*bad);
  broken->payload = bad->payload.slice(0, 100);
  feed->on_frame(*broken);
  EXPECT_EQ(feed->stats().bad_frames, 1u);
  EXPECT_EQ(r.all().size(), 1u);
}

TEST_F(RtpFeedTest, EndTellsListenersAndLateComers) {
  Recorder a, b;
  feed_->add_listener(&a);
  feed_->on_frame(*video(0, true, 500));
  feed_->end();
  EXPECT_EQ(a.ended, 1);
  EXPECT_TRUE(feed_->ended());
  feed_->on_frame(*video(3000, false, 500));
  EXPECT_EQ(a.batches.size(), 1u);
  feed_->add_listener(&b);
  EXPECT_EQ(b.ended, 1);
  EXPECT_TRUE(b.batches.empty());
}

// A listener that leaves from inside its callback, and one that brings in another.
struct Leaver : Recorder {
  RtpFeed* feed = nullptr;
  RtpFeedListener* bring = nullptr;
  void on_rtp_packets(std::span<const SharedRtpPacketPtr> packets, bool replayed) override {
    Recorder::on_rtp_packets(packets, replayed);
    if (bring)
      feed->add_listener(std::exchange(bring, nullptr));
    else
      feed->remove_listener(this);
  }
};

TEST_F(RtpFeedTest, ListenersMayChangeTheSetDuringDelivery) {
  Leaver leaver, bringer;
  Recorder brought, stays;
  leaver.feed = bringer.feed = feed_.get();
  bringer.bring = &brought;
  feed_->add_listener(&leaver);
  feed_->add_listener(&bringer);
  feed_->add_listener(&stays);
  feed_->on_frame(*video(0, true, 500));
  // `brought` joined during delivery: it got the frame once, as the GOP replay.
  ASSERT_EQ(brought.batches.size(), 1u);
  EXPECT_TRUE(brought.batches[0].replayed);
  EXPECT_EQ(stays.batches.size(), 1u);
  feed_->on_frame(*video(3000, false, 500));
  EXPECT_EQ(leaver.batches.size(), 1u);  // left after the first
  EXPECT_EQ(stays.batches.size(), 2u);
  EXPECT_EQ(brought.batches.size(), 2u);
  // The leaver left on the first frame, the bringer (done bringing) on the second.
  EXPECT_EQ(feed_->listener_count(), 2u);
  feed_->on_frame(*video(6000, false, 500));
  EXPECT_EQ(bringer.batches.size(), 2u);
  EXPECT_EQ(stays.batches.size(), 3u);
}

// Runs fn on shard i and waits for it and for what it posted to the shard (the wake-up is
// posted from the shard itself, so it queues behind those).
template <class Fn>
void on_shard(runtime::ShardSet& shards, size_t i, Fn fn) {
  std::promise<void> done;
  shards.at(i).post([&] {
    fn();
    shards.at(i).post([&] { done.set_value(); });
  });
  done.get_future().wait();
}

TEST(RtpFeedDirectory, SharesOneFeedPerStreamCatchesUpAndForgets) {
  runtime::ShardSet shards(1);
  shards.start();
  auto stream = std::make_shared<router::Stream>("demo", shards, 0, router::StreamOptions{});
  RtpFeedDirectory directory(shards.at(0));
  Recorder first, second;
  std::shared_ptr<RtpFeed> feed;
  on_shard(shards, 0, [&] {
    stream->set_tracks({video_track(), audio_track(2, media::Codec::opus)});
    stream->publish(video(0, true, 500));
    stream->publish(audio(2, 10));
    stream->publish(video(3000, false, 500));
    feed = directory.acquire(stream);
    EXPECT_EQ(directory.acquire(stream), feed);
    feed->add_listener(&first);  // subscribes; the stream's GOP is drained in one go, later
    EXPECT_TRUE(first.batches.empty());
  });
  on_shard(shards, 0, [&] {
    // Catch-up: everything the stream replayed arrives flagged as replayed.
    ASSERT_EQ(first.batches.size(), 3u);
    for (const auto& b : first.batches) EXPECT_TRUE(b.replayed);
    EXPECT_TRUE(first.batches[0].packets[0]->keyframe_start);
    stream->publish(video(6000, false, 500));
  });
  on_shard(shards, 0, [&] {
    ASSERT_EQ(first.batches.size(), 4u);
    EXPECT_FALSE(first.batches[3].replayed);
    feed->add_listener(&second);  // the feed's own GOP cache: STAP-A, IDR, 2 P frames
    ASSERT_EQ(second.batches.size(), 1u);
    EXPECT_EQ(second.batches[0].packets.size(), 4u);
    EXPECT_TRUE(second.batches[0].replayed);
    feed->remove_listener(&first);
    feed->remove_listener(&second);  // the last: unsubscribes
    stream->publish(video(9000, false, 500));
    EXPECT_EQ(feed->stats().frames, 4u);
    feed.reset();
    EXPECT_EQ(directory.size(), 0u);
    // A new feed for the same stream, then the stream ends.
    feed = directory.acquire(stream);
    feed->add_listener(&first);
    stream->end();
  });
  on_shard(shards, 0, [&] {
    EXPECT_EQ(first.ended, 1);
    EXPECT_TRUE(feed->ended());
    auto next = directory.acquire(stream);
    EXPECT_NE(next, feed);  // an ended feed is not handed out again
    feed->remove_listener(&first);
    feed.reset();
  });
  shards.stop();
  shards.join();
}

TEST(RtpFeed, VideoOfOneRenditionOrAudioAlone) {
  runtime::Shard shard(0);
  auto rung = [](uint32_t id, const char* name) {
    auto t = video_track();
    t.id = id;
    t.rendition = name;
    return t;
  };
  const std::vector<media::TrackInfo> source = {video_track(), audio_track(2, media::Codec::opus)};
  const std::vector<media::TrackInfo> derived = {rung(1000, "720p"), rung(1001, "480p")};

  auto low = std::make_shared<RtpFeed>(nullptr, shard, RtpFeedOptions{},
                                       RtpFeedTracks{false, std::string("480p")});
  low->set_tracks(source, derived);
  ASSERT_TRUE(low->video_track());
  EXPECT_EQ(low->video_track()->id, 1001u);
  EXPECT_FALSE(low->audio_track());
  Recorder r;
  low->add_listener(&r);
  auto frame = [](uint32_t track, int64_t dts) {
    auto f = std::make_shared<media::MediaFrame>(*video(dts, true, 500));
    f->track_id = track;
    return f;
  };
  low->on_frame(*frame(1, 0));     // the source's video
  low->on_frame(*frame(1000, 0));  // another rendition
  low->on_frame(*audio(2, 0));
  EXPECT_TRUE(r.batches.empty());
  EXPECT_EQ(low->stats().ignored_frames, 3u);
  low->on_frame(*frame(1001, 3000));
  ASSERT_FALSE(r.all().empty());
  EXPECT_TRUE(r.all()[0]->keyframe_start);
  EXPECT_EQ(r.all()[0]->timestamp, 3000u);
  low->remove_listener(&r);

  // A rendition the stream does not have: no video; audio alone: no video either.
  auto missing = std::make_shared<RtpFeed>(nullptr, shard, RtpFeedOptions{},
                                           RtpFeedTracks{false, std::string("1080p")});
  missing->set_tracks(source, derived);
  EXPECT_FALSE(missing->video_track());
  auto sound = std::make_shared<RtpFeed>(nullptr, shard, RtpFeedOptions{},
                                         RtpFeedTracks{true, std::nullopt});
  sound->set_tracks(source, derived);
  EXPECT_FALSE(sound->video_track());
  ASSERT_TRUE(sound->audio_track());
  EXPECT_EQ(sound->audio_track()->id, 2u);
}

TEST(RtpFeedDirectory, OneFeedPerStreamAndTracks) {
  runtime::ShardSet shards(1);
  auto stream = std::make_shared<router::Stream>("demo", shards, 0, router::StreamOptions{});
  RtpFeedDirectory directory(shards.at(0));
  const RtpFeedTracks sound{true, std::nullopt};
  const RtpFeedTracks low{false, std::string("480p")};
  const RtpFeedTracks source{false, std::string()};
  auto a = directory.acquire(stream, sound);
  auto b = directory.acquire(stream, low);
  auto c = directory.acquire(stream, source);
  auto d = directory.acquire(stream);  // audio + the source's video
  EXPECT_NE(a, b);
  EXPECT_NE(b, c);
  EXPECT_NE(c, d);
  EXPECT_NE(a, d);
  EXPECT_EQ(directory.acquire(stream, low), b);
  EXPECT_EQ(b->tracks(), low);
  EXPECT_EQ(directory.size(), 4u);
}

}  // namespace
}  // namespace vela::egress
