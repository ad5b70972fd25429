#pragma once
// A Beast body made of shared Buffers: a segment is written as its parts' buffers in
// order, scatter-gather, so serving packaged media never copies the payload.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <utility>
#include <vector>

#include "base/buffer.hpp"

namespace vela::http {

struct BuffersBody {
  using value_type = std::vector<base::Buffer>;

  static std::uint64_t size(const value_type& body) {
    std::uint64_t n = 0;
    for (const auto& b : body) n += b.size();
    return n;
  }

  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;

    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& body)
        : body_(body) {}

    void init(boost::system::error_code& ec) { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::system::error_code& ec) {
      ec = {};
      while (next_ < body_.size() && body_[next_].empty()) ++next_;
      if (next_ >= body_.size()) return boost::none;
      const base::Buffer& b = body_[next_++];
      bool more = next_ < body_.size();
      return std::make_pair(const_buffers_type(b.data(), b.size()), more);
    }

   private:
    const value_type& body_;
    size_t next_ = 0;
  };
};

}  // namespace vela::http
