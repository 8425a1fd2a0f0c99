// What an established TLS session tells about the peer: protocol, cipher, the certificate's
// subject, issuer and expiry, and the verification result (against the system's CAs and the
// host name given as SNI). Verification failure is a fact to record, not an error.
#pragma once

#include "probe/probe_result.hpp"

#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>

namespace smtpprobe::probe {

// Facts of the handshake completed on ssl.
TlsFacts describe_tls(SSL* ssl);

// The client context every session shares: system CA paths, TLS 1.2+ preferred but 1.0+
// accepted (a probe must see what the peer offers), peer verification recorded, not enforced.
boost::asio::ssl::context make_client_tls_context();

} // namespace smtpprobe::probe
