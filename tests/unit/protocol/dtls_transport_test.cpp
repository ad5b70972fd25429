#include "protocol/dtls/dtls_transport.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <ctime>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "protocol/dtls/dtls_certificate.hpp"
#include "protocol/dtls/packet_kind.hpp"
#include "protocol/dtls/srtp_session.hpp"

namespace vela::protocol::dtls {
namespace {

using Bytes = std::vector<uint8_t>;
using Datagrams = std::vector<Bytes>;
using CertificatePtr = std::shared_ptr<const DtlsCertificate>;

CertificatePtr make_certificate() {
  auto cert = DtlsCertificate::generate();
  EXPECT_TRUE(cert.ok()) << (cert.ok() ? "" : cert.error().message);
  return cert.ok() ? *cert : nullptr;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One end of a connection in memory: what it sends lands in the other end's inbox.
struct Peer {
  Peer(CertificatePtr certificate, DtlsTransportRole role, std::string remote_fingerprint)
      : transport(std::move(certificate), role, std::move(remote_fingerprint)) {}

  void absorb(DtlsTransport::Output out, Peer& other) {
    for (Bytes& d : out.datagrams) {
      EXPECT_LE(d.size(), kDtlsMtu);
      EXPECT_EQ(classify_packet(d), PacketKind::dtls);
      other.inbox.push_back(std::move(d));
    }
    if (out.failed) failed = out.failed;
    if (out.connected_now) ++connected_events;
    if (out.closed_by_peer) closed_by_peer = true;
  }

  DtlsTransport transport;
  Datagrams inbox;
  std::optional<std::string> failed;
  int connected_events = 0;
  bool closed_by_peer = false;
};

// Delivers each side's inbox until both are quiet.
void run(Peer& a, Peer& b) {
  for (int round = 0; round < 20 && (!a.inbox.empty() || !b.inbox.empty()); ++round) {
    for (Peer* self : {&a, &b}) {
      Peer& other = self == &a ? b : a;
      Datagrams inbox = std::move(self->inbox);
      self->inbox.clear();
      for (const Bytes& d : inbox) self->absorb(self->transport.on_datagram(d), other);
    }
  }
}

struct Connection {
  CertificatePtr client_cert = make_certificate();
  CertificatePtr server_cert = make_certificate();
  Peer client{client_cert, DtlsTransportRole::client, server_cert->fingerprint_sha256()};
  Peer server{server_cert, DtlsTransportRole::server, client_cert->fingerprint_sha256()};

  void start() {
    server.absorb(server.transport.start(), client);
    client.absorb(client.transport.start(), server);
  }
  void handshake() {
    start();
    run(client, server);
  }
};

// --- certificate -------------------------------------------------------------------

TEST(DtlsCertificate, FingerprintIsUpperCaseColonHexOfTheDerSha256) {
  CertificatePtr cert = make_certificate();
  ASSERT_TRUE(cert);
  const std::string& fp = cert->fingerprint_sha256();
  ASSERT_EQ(fp.size(), 32u * 3 - 1);
  for (size_t i = 0; i < fp.size(); ++i) {
    if (i % 3 == 2) {
      EXPECT_EQ(fp[i], ':') << i;
    } else {
      EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(fp[i])) || (fp[i] >= 'A' && fp[i] <= 'F'))
          << i;
    }
  }
  // Independently: hash the DER ourselves.
  unsigned char* der = nullptr;
  const int der_size = i2d_X509(cert->x509(), &der);
  ASSERT_GT(der_size, 0);
  unsigned char digest[32];
  EVP_Digest(der, static_cast<size_t>(der_size), digest, nullptr, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  char first[3];
  std::snprintf(first, sizeof first, "%02X", digest[0]);
  EXPECT_EQ(fp.substr(0, 2), first);
  char last[3];
  std::snprintf(last, sizeof last, "%02X", digest[31]);
  EXPECT_EQ(fp.substr(fp.size() - 2), last);

  CertificatePtr other = make_certificate();
  ASSERT_TRUE(other);
  EXPECT_NE(other->fingerprint_sha256(), fp);
}

TEST(DtlsCertificate, EcdsaP256SelfSignedValidFromYesterdayForThirtyDays) {
  CertificatePtr cert = make_certificate();
  ASSERT_TRUE(cert);
  EXPECT_TRUE(EVP_PKEY_is_a(cert->private_key(), "EC"));
  char group[64] = {};
  size_t group_size = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(cert->private_key(), group, sizeof group, &group_size), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_check_private_key(cert->x509(), cert->private_key()), 1);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert->x509()), X509_get_issuer_name(cert->x509())),
            0);
  EXPECT_EQ(X509_verify(cert->x509(), cert->private_key()), 1);

  const time_t now = std::time(nullptr);
  time_t t = now - 23 * 3600;
  EXPECT_LT(X509_cmp_time(X509_get0_notBefore(cert->x509()), &t), 0);  // before now-23h
  t = now - 25 * 3600;
  EXPECT_GT(X509_cmp_time(X509_get0_notBefore(cert->x509()), &t), 0);  // after now-25h
  t = now + 29 * 24 * 3600;
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(cert->x509()), &t), 0);
  t = now + 31 * 24 * 3600;
  EXPECT_LT(X509_cmp_time(X509_get0_notAfter(cert->x509()), &t), 0);

  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert->x509());
  EXPECT_NE(ASN1_INTEGER_get(serial), 0);
  EXPECT_EQ(ASN1_STRING_type(serial), V_ASN1_INTEGER);  // not V_ASN1_NEG_INTEGER
}

TEST(DtlsCertificate, FingerprintsCompareIgnoringCase) {
  EXPECT_TRUE(fingerprints_equal("AB:CD:0F", "ab:cd:0f"));
  EXPECT_TRUE(fingerprints_equal("AB:CD:0F", "AB:CD:0F"));
  EXPECT_FALSE(fingerprints_equal("AB:CD:0F", "AB:CD:0E"));
  EXPECT_FALSE(fingerprints_equal("AB:CD:0F", "AB:CD:0F:"));
  EXPECT_FALSE(fingerprints_equal("", ""));
}

// --- handshake -----------------------------------------------------------------------

TEST(DtlsTransport, ClientSendsClientHelloServerWaits) {
  Connection c;
  const auto server_out = c.server.transport.start();
  EXPECT_TRUE(server_out.datagrams.empty());
  EXPECT_FALSE(server_out.failed);
  const auto client_out = c.client.transport.start();
  ASSERT_FALSE(client_out.failed) << *client_out.failed;
  ASSERT_EQ(client_out.datagrams.size(), 1u);
  const Bytes& hello = client_out.datagrams[0];
  ASSERT_GT(hello.size(), 25u);
  EXPECT_EQ(hello[0], 22);                                     // handshake record
  EXPECT_EQ(hello[13], 1);                                     // ClientHello
  EXPECT_TRUE(c.client.transport.next_timeout().has_value());  // waiting for the server
  EXPECT_FALSE(c.server.transport.next_timeout().has_value());
  EXPECT_FALSE(c.client.transport.connected());
  EXPECT_FALSE(c.client.transport.keys().has_value());
}

TEST(DtlsTransport, HandshakeConnectsBothWithCrosswiseGcmKeys) {
  Connection c;
  c.handshake();
  ASSERT_FALSE(c.client.failed) << *c.client.failed;
  ASSERT_FALSE(c.server.failed) << *c.server.failed;
  EXPECT_EQ(c.client.connected_events, 1);
  EXPECT_EQ(c.server.connected_events, 1);
  ASSERT_TRUE(c.client.transport.connected());
  ASSERT_TRUE(c.server.transport.connected());
  const auto& ck = c.client.transport.keys();
  const auto& sk = c.server.transport.keys();
  ASSERT_TRUE(ck && sk);
  EXPECT_EQ(ck->profile, SrtpProfile::aead_aes_128_gcm);
  EXPECT_EQ(sk->profile, SrtpProfile::aead_aes_128_gcm);
  EXPECT_EQ(ck->local_master.size(), 28u);
  EXPECT_EQ(ck->remote_master.size(), 28u);
  EXPECT_EQ(ck->local_master, sk->remote_master);
  EXPECT_EQ(ck->remote_master, sk->local_master);
  EXPECT_NE(ck->local_master, ck->remote_master);
}

TEST(DtlsTransport, FingerprintFromSdpMayBeLowerCase) {
  CertificatePtr client_cert = make_certificate(), server_cert = make_certificate();
  Peer client(client_cert, DtlsTransportRole::client, lower(server_cert->fingerprint_sha256()));
  Peer server(server_cert, DtlsTransportRole::server, lower(client_cert->fingerprint_sha256()));
  client.absorb(client.transport.start(), server);
  run(client, server);
  EXPECT_TRUE(client.transport.connected());
  EXPECT_TRUE(server.transport.connected());
}

TEST(DtlsTransport, ClientRefusesServerWithWrongFingerprint) {
  CertificatePtr client_cert = make_certificate(), server_cert = make_certificate(),
                 impostor = make_certificate();
  Peer client(client_cert, DtlsTransportRole::client, impostor->fingerprint_sha256());
  Peer server(server_cert, DtlsTransportRole::server, client_cert->fingerprint_sha256());
  client.absorb(client.transport.start(), server);
  run(client, server);
  ASSERT_TRUE(client.failed);
  EXPECT_NE(client.failed->find("fingerprint"), std::string::npos) << *client.failed;
  EXPECT_FALSE(client.transport.connected());
  EXPECT_FALSE(client.transport.keys().has_value());
  EXPECT_FALSE(server.transport.connected());
  ASSERT_TRUE(server.failed) << "the client's alert ends the server's handshake too";
  // Inert once failed.
  const auto after = client.transport.on_datagram(Bytes(20, 22));
  EXPECT_TRUE(after.datagrams.empty());
  EXPECT_FALSE(after.failed);
  EXPECT_FALSE(client.transport.next_timeout());
}

TEST(DtlsTransport, ServerRefusesClientWithWrongFingerprint) {
  CertificatePtr client_cert = make_certificate(), server_cert = make_certificate(),
                 impostor = make_certificate();
  Peer client(client_cert, DtlsTransportRole::client, server_cert->fingerprint_sha256());
  Peer server(server_cert, DtlsTransportRole::server, impostor->fingerprint_sha256());
  client.absorb(client.transport.start(), server);
  run(client, server);
  ASSERT_TRUE(server.failed);
  EXPECT_NE(server.failed->find("fingerprint"), std::string::npos) << *server.failed;
  EXPECT_FALSE(server.transport.connected());
  EXPECT_FALSE(client.transport.connected());
}

TEST(DtlsTransport, GarbageIsDroppedAndTheHandshakeStillCompletes) {
  Connection c;
  c.start();
  ASSERT_EQ(c.server.inbox.size(), 1u);
  const Bytes hello = c.server.inbox[0];

  std::mt19937 random(1234);
  Datagrams garbage;
  for (size_t size : {1u, 2u, 12u, 13u, 14u, 40u, 300u, 1500u}) {
    Bytes g(size);
    for (auto& b : g) b = static_cast<uint8_t>(random());
    g[0] = 22;  // looks like a DTLS handshake record
    garbage.push_back(g);
  }
  Bytes huge_length = hello;  // a record header claiming more than the datagram holds
  huge_length[11] = 0xff;
  huge_length[12] = 0xff;
  garbage.push_back(huge_length);
  for (size_t cut : {size_t{5}, size_t{13}, size_t{20}, hello.size() - 1}) {
    garbage.emplace_back(hello.begin(), hello.begin() + static_cast<long>(cut));
  }
  for (const Bytes& g : garbage) {
    const auto out = c.server.transport.on_datagram(g);
    EXPECT_FALSE(out.failed) << g.size() << ": " << *out.failed;
    EXPECT_TRUE(out.datagrams.empty()) << g.size();
  }
  run(c.client, c.server);  // the real ClientHello is still in the server's inbox
  ASSERT_FALSE(c.server.failed) << *c.server.failed;
  ASSERT_FALSE(c.client.failed) << *c.client.failed;
  EXPECT_TRUE(c.client.transport.connected());
  EXPECT_TRUE(c.server.transport.connected());

  // And after the handshake garbage is ignored as well.
  for (const Bytes& g : garbage) {
    const auto out = c.client.transport.on_datagram(g);
    EXPECT_FALSE(out.failed) << g.size() << ": " << *out.failed;
  }
  EXPECT_TRUE(c.client.transport.connected());
}

TEST(DtlsTransport, LostClientHelloIsRetransmittedOnTimer) {
  Connection c;
  c.start();
  ASSERT_EQ(c.server.inbox.size(), 1u);
  c.server.inbox.clear();  // lost
  auto timeout = c.client.transport.next_timeout();
  ASSERT_TRUE(timeout.has_value());
  EXPECT_GT(*timeout, std::chrono::milliseconds(0));
  EXPECT_LE(*timeout, std::chrono::milliseconds(1000));

  // Before it elapses the timer does nothing.
  auto early = c.client.transport.on_timer();
  EXPECT_TRUE(early.datagrams.empty());

  std::this_thread::sleep_for(*timeout + std::chrono::milliseconds(20));
  EXPECT_EQ(c.client.transport.next_timeout(), std::chrono::milliseconds(0));
  c.client.absorb(c.client.transport.on_timer(), c.server);
  ASSERT_EQ(c.server.inbox.size(), 1u);
  EXPECT_EQ(c.server.inbox[0][13], 1);  // the ClientHello again
  EXPECT_GT(*c.client.transport.next_timeout(), std::chrono::milliseconds(1000))
      << "the timer backs off";
  run(c.client, c.server);
  EXPECT_TRUE(c.client.transport.connected());
  EXPECT_TRUE(c.server.transport.connected());
}

TEST(DtlsTransport, CloseNotifyReachesThePeer) {
  Connection c;
  c.handshake();
  ASSERT_TRUE(c.client.transport.connected());
  c.client.absorb(c.client.transport.close(), c.server);
  ASSERT_EQ(c.server.inbox.size(), 1u);
  EXPECT_EQ(c.server.inbox[0][0], 21);  // alert record
  EXPECT_FALSE(c.client.transport.connected());
  run(c.client, c.server);
  EXPECT_TRUE(c.server.closed_by_peer);
  EXPECT_FALSE(c.server.failed);
  EXPECT_FALSE(c.server.transport.connected());
  EXPECT_TRUE(c.client.transport.close().datagrams.empty());  // once
}

TEST(DtlsTransport, MovedTransportKeepsWorking) {
  Connection c;
  c.start();
  DtlsTransport moved = std::move(c.server.transport);
  Datagrams to_server = std::move(c.server.inbox);
  for (int round = 0; round < 10 && !to_server.empty(); ++round) {
    Datagrams to_client;
    for (const Bytes& d : to_server) {
      auto out = moved.on_datagram(d);
      ASSERT_FALSE(out.failed) << *out.failed;
      for (auto& x : out.datagrams) to_client.push_back(std::move(x));
    }
    to_server.clear();
    for (const Bytes& d : to_client) {
      auto out = c.client.transport.on_datagram(d);
      ASSERT_FALSE(out.failed) << *out.failed;
      for (auto& x : out.datagrams) to_server.push_back(std::move(x));
    }
  }
  EXPECT_TRUE(moved.connected());
  EXPECT_TRUE(c.client.transport.connected());
}

// --- against a plain OpenSSL peer --------------------------------------------------------

// A DTLS client written straight on OpenSSL, independent of DtlsTransport, that offers
// only SRTP_AES128_CM_SHA1_80 (as some non-browser peers do).
class PlainOpenSslClient {
 public:
  explicit PlainOpenSslClient(const DtlsCertificate& identity) {
    ctx_.reset(SSL_CTX_new(DTLS_client_method()));
    EXPECT_EQ(SSL_CTX_use_certificate(ctx_.get(), identity.x509()), 1);
    EXPECT_EQ(SSL_CTX_use_PrivateKey(ctx_.get(), identity.private_key()), 1);
    EXPECT_EQ(SSL_CTX_set_tlsext_use_srtp(ctx_.get(), "SRTP_AES128_CM_SHA1_80"), 0);
    ssl_.reset(SSL_new(ctx_.get()));
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in_, -1);
    SSL_set_bio(ssl_.get(), in_, out_);
    SSL_set_connect_state(ssl_.get());
  }

  // Feeds datagrams one by one, advancing the handshake; returns what it sends.
  Datagrams step(const Datagrams& incoming) {
    Datagrams out;
    auto pump = [&] {
      SSL_do_handshake(ssl_.get());
      take(out);
    };
    if (incoming.empty()) pump();
    for (const Bytes& d : incoming) {
      BIO_write(in_, d.data(), static_cast<int>(d.size()));
      pump();
    }
    return out;
  }

  Datagrams write(const std::string& text) {
    Datagrams out;
    EXPECT_GT(SSL_write(ssl_.get(), text.data(), static_cast<int>(text.size())), 0);
    take(out);
    return out;
  }

  bool connected() const { return SSL_is_init_finished(ssl_.get()) == 1; }

  // The client's own view of the SRTP keys, straight from RFC 5764 4.2.
  SrtpKeys keys() const {
    Bytes m(60);
    EXPECT_EQ(SSL_export_keying_material(ssl_.get(), m.data(), m.size(), "EXTRACTOR-dtls_srtp", 19,
                                         nullptr, 0, 0),
              1);
    SrtpKeys k{SrtpProfile::aes128_cm_sha1_80, {}, {}};
    k.local_master.assign(m.begin(), m.begin() + 16);                             // client key
    k.local_master.insert(k.local_master.end(), m.begin() + 32, m.begin() + 46);  // salt
    k.remote_master.assign(m.begin() + 16, m.begin() + 32);                       // server key
    k.remote_master.insert(k.remote_master.end(), m.begin() + 46, m.begin() + 60);
    return k;
  }

 private:
  void take(Datagrams& out) {
    const size_t pending = BIO_ctrl_pending(out_);
    if (pending == 0) return;
    Bytes d(pending);
    BIO_read(out_, d.data(), static_cast<int>(pending));
    out.push_back(std::move(d));
  }

  struct Free {
    void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
    void operator()(SSL* p) const { SSL_free(p); }
  };
  std::unique_ptr<SSL_CTX, Free> ctx_;
  std::unique_ptr<SSL, Free> ssl_;
  BIO* in_ = nullptr;
  BIO* out_ = nullptr;
};

struct PlainPair {
  CertificatePtr client_cert = make_certificate();
  CertificatePtr server_cert = make_certificate();
  PlainOpenSslClient client{*client_cert};
  DtlsTransport server{server_cert, DtlsTransportRole::server, client_cert->fingerprint_sha256()};

  void handshake() {
    EXPECT_FALSE(server.start().failed);
    Datagrams to_server = client.step({});
    for (int round = 0; round < 10 && !to_server.empty(); ++round) {
      Datagrams to_client;
      for (const Bytes& d : to_server) {
        auto out = server.on_datagram(d);
        EXPECT_FALSE(out.failed) << *out.failed;
        for (auto& x : out.datagrams) to_client.push_back(std::move(x));
      }
      to_server = to_client.empty() ? Datagrams{} : client.step(to_client);
    }
  }
};

TEST(DtlsTransport, ServerAcceptsCmOnlyPeerAndKeysMatchItsExport) {
  PlainPair p;
  p.handshake();
  ASSERT_TRUE(p.client.connected());
  ASSERT_TRUE(p.server.connected());
  const auto& keys = p.server.keys();
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->profile, SrtpProfile::aes128_cm_sha1_80);
  const SrtpKeys theirs = p.client.keys();
  EXPECT_EQ(keys->local_master.size(), 30u);
  EXPECT_EQ(keys->local_master, theirs.remote_master);  // the server sends with the server key
  EXPECT_EQ(keys->remote_master, theirs.local_master);
}

TEST(DtlsTransport, ApplicationDataAfterHandshakeIsIgnored) {
  PlainPair p;
  p.handshake();
  ASSERT_TRUE(p.server.connected());
  for (const Bytes& d : p.client.write("data channels are not supported")) {
    const auto out = p.server.on_datagram(d);
    EXPECT_FALSE(out.failed);
    EXPECT_FALSE(out.closed_by_peer);
    EXPECT_TRUE(out.datagrams.empty());
  }
  EXPECT_TRUE(p.server.connected());
}

// --- DTLS-SRTP end to end ---------------------------------------------------------------

Bytes rtp_packet(uint16_t seq) {
  Bytes p = {
      0x80, 0xe0, static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq), 0, 0, 0, 1, 0xca, 0xfe,
      0xba, 0xbe};
  for (int i = 0; i < 200; ++i) p.push_back(static_cast<uint8_t>(i));
  return p;
}

const Bytes kRtcpReceiverReport = {0x80, 201, 0, 1, 0x01, 0x02, 0x03, 0x04};

void expect_round_trip(SrtpSession& sender, SrtpSession& receiver) {
  const Bytes plain = rtp_packet(42);
  Bytes packet = plain;
  ASSERT_TRUE(sender.protect_rtp(packet).ok());
  EXPECT_EQ(classify_packet(packet), PacketKind::rtp);
  auto length = receiver.unprotect_rtp(packet);
  ASSERT_TRUE(length.ok()) << length.error().message;
  EXPECT_EQ(Bytes(packet.begin(), packet.begin() + static_cast<long>(*length)), plain);

  Bytes report = kRtcpReceiverReport;
  ASSERT_TRUE(sender.protect_rtcp(report).ok());
  EXPECT_EQ(classify_packet(report), PacketKind::rtcp);
  auto rtcp_length = receiver.unprotect_rtcp(report);
  ASSERT_TRUE(rtcp_length.ok()) << rtcp_length.error().message;
  EXPECT_EQ(Bytes(report.begin(), report.begin() + static_cast<long>(*rtcp_length)),
            kRtcpReceiverReport);
}

TEST(DtlsSrtp, GcmKeysFromTheHandshakeProtectBothWays) {
  Connection c;
  c.handshake();
  ASSERT_TRUE(c.client.transport.keys() && c.server.transport.keys());
  auto client = SrtpSession::create(*c.client.transport.keys());
  auto server = SrtpSession::create(*c.server.transport.keys());
  ASSERT_TRUE(client.ok() && server.ok());
  expect_round_trip(**client, **server);
  expect_round_trip(**server, **client);
}

TEST(DtlsSrtp, CmKeysFromTheHandshakeProtectBothWays) {
  PlainPair p;
  p.handshake();
  ASSERT_TRUE(p.server.keys());
  auto server = SrtpSession::create(*p.server.keys());
  auto client = SrtpSession::create(p.client.keys());
  ASSERT_TRUE(client.ok() && server.ok());
  expect_round_trip(**client, **server);
  expect_round_trip(**server, **client);
}

}  // namespace
}  // namespace vela::protocol::dtls
