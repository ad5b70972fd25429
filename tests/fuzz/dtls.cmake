# DTLS-SRTP (WebRTC): SRTP/SRTCP from the peer, and the DTLS transport in the server role.
vela_fuzz_target(srtp_unprotect protocol)
vela_fuzz_target(dtls_transport protocol)
