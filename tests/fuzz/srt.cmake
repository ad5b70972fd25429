# SRT: the stream id a caller sends before it is accepted.
vela_fuzz_target(srt_stream_id protocol)
