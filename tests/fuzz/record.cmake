# Recording journals read back from disk at start-up (torn or corrupted by a crash).
vela_fuzz_target(recording_index record)
