# RTMP: the chunk reader alone, and the whole server session behind a fixed handshake.
vela_fuzz_target(rtmp_chunk_reader protocol)
vela_fuzz_target(rtmp_session protocol)
