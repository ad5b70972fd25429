#pragma once
// Restreaming to an SRT listener: one caller-mode connection attempt (PushSession) that
// sends the stream as MPEG-TS, for srt://host:port?streamid=...&passphrase=...&latency=...
// (protocol/srt/srt_url.hpp says which options are understood).
//
// Threads and sockets: everything runs on the stream's home shard, as PushSession requires.
// The session alone creates, connects, sends on and closes its socket, all from that shard;
// it never touches the SRT listener's sockets or thread. No libsrt call here blocks: connect
// and send are non-blocking, closing lingers (up to 1 s, for the last bytes) in libsrt's
// background, and the host name is resolved with Asio's asynchronous resolver. libsrt
// sockets cannot be waited on by the shard's io_context, so a shard timer polls the socket
// state: every 20 ms while connecting, every 250 ms once live (a failed send is seen at
// once).
#include <memory>
#include <string>

#include "egress/push_session.hpp"
#include "egress/restream_target.hpp"

namespace vela::egress {

std::unique_ptr<PushSession> make_srt_push_session(const std::string& url,
                                                   std::shared_ptr<router::Stream> stream,
                                                   runtime::Shard& shard);

// The restream supervisor's entry for srt:// destinations: these sessions, URL validation
// (protocol/srt/srt_url) and redaction of passphrase and stream id.
PushTarget srt_push_target();

}  // namespace vela::egress
