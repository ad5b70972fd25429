#pragma once
// Records one publish session: turns the packager's events (on the stream's home shard)
// into Recorder calls, which only queue. Renditions are numbered in the order they begin;
// a rendition that begins again (a transcoded rung that stopped and came back) keeps its
// number and its data file. Media time in the index is the rendition's part durations
// summed from its first part.
#include <cstdint>
#include <string>
#include <unordered_map>

#include "packager/packaged_media_sink.hpp"
#include "record/recorder.hpp"

namespace vela::server {

class RecordingSink : public packager::PackagedMediaSink {
 public:
  RecordingSink(record::Recorder& recorder, std::string stream);
  ~RecordingSink() override;  // finishes the recording if the session did not

  void on_event(const std::string& rendition, const packager::HlsEvent& event) override;
  void on_stopped() override;

 private:
  struct Rendition {
    uint16_t number = 0;
    int64_t media_time_us = 0;  // where its next part starts
  };
  // The recording of this session, begun at the first event.
  const std::string& recording();

  record::Recorder& recorder_;
  std::string stream_;
  std::string id_;
  std::unordered_map<std::string, Rendition> renditions_;
  bool finished_ = false;
};

}  // namespace vela::server
