# MPEG-TS ingest (SRT carries it): the demuxer on raw bytes, and the assembler behind it.
vela_fuzz_target(mpegts_demuxer format)
vela_fuzz_target(ts_media_assembler ingest)
# SCTE-35 cues carried in that stream.
vela_fuzz_target(scte35 format)
# Opus access units inside an Opus PES.
vela_fuzz_target(opus_access_units format)
