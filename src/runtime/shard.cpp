#include "runtime/shard.hpp"

#include <string>

#include <pthread.h>

namespace vela::runtime {

Shard::Shard(size_t index) : index_(index), guard_(boost::asio::make_work_guard(io_)) {}

Shard::~Shard() {
  abort();
  join();
}

void Shard::start() {
  thread_ = std::thread([this] {
    std::string name = "vela-shard-" + std::to_string(index_);
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    io_.run();
    ran_out_.set_value();
  });
}

void Shard::stop() { guard_.reset(); }

bool Shard::wait_stopped_until(std::chrono::steady_clock::time_point deadline) {
  return ran_out_future_.wait_until(deadline) == std::future_status::ready;
}

void Shard::abort() {
  guard_.reset();
  io_.stop();
}

void Shard::join() {
  if (thread_.joinable()) thread_.join();
}

ShardSet::ShardSet(size_t count) {
  if (count == 0) count = 1;
  for (size_t i = 0; i < count; ++i) shards_.push_back(std::make_unique<Shard>(i));
}

void ShardSet::start() {
  for (auto& s : shards_) s->start();
}
void ShardSet::stop() {
  for (auto& s : shards_) s->stop();
}
bool ShardSet::stop_and_wait_until(std::chrono::steady_clock::time_point deadline, std::vector<size_t>& busy) {
  stop();
  busy.clear();
  for (auto& s : shards_) {
    if (!s->wait_stopped_until(deadline)) busy.push_back(s->index());
  }
  return busy.empty();
}
void ShardSet::abort() {
  for (auto& s : shards_) s->abort();
}
void ShardSet::join() {
  for (auto& s : shards_) s->join();
}

}  // namespace vela::runtime
