# WHIP ingest media path: decrypted RTP/RTCP from a publisher.
vela_fuzz_target(webrtc_ingest_receiver ingest)
