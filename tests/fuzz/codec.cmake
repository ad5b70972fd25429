# Codec configuration parsers fed by ingest (RTMP sequence headers).
vela_fuzz_target(h264_config media)
vela_fuzz_target(aac_config media)
