// TLS facts from OpenSSL: names in RFC 2253 form, notAfter as ISO 8601 UTC.
#include "probe/tls_facts.hpp"

#include "probe/text/utc_time.hpp"

#include <ctime>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace smtpprobe::probe {

namespace {

std::string name_text(X509_NAME* name)
{
    if (!name) {
        return {};
    }
    BIO* bio = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(len > 0 ? len : 0));
    BIO_free(bio);
    return out;
}

std::string time_text(const ASN1_TIME* t)
{
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
        return {};
    }
    return format_utc(days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
                      tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
}

} // namespace

TlsFacts describe_tls(SSL* ssl)
{
    TlsFacts f;
    f.version = SSL_get_version(ssl);
    if (const char* c = SSL_get_cipher_name(ssl)) {
        f.cipher = c;
    }
    X509* cert = SSL_get1_peer_certificate(ssl);
    if (cert) {
        f.subject = name_text(X509_get_subject_name(cert));
        f.issuer = name_text(X509_get_issuer_name(cert));
        f.not_after = time_text(X509_get0_notAfter(cert));
        X509_free(cert);
        long rc = SSL_get_verify_result(ssl);
        f.verified = rc == X509_V_OK;
        if (!f.verified) {
            f.verify_error = X509_verify_cert_error_string(rc);
        }
    } else {
        f.verified = false;
        f.verify_error = "no peer certificate";
    }
    return f;
}

boost::asio::ssl::context make_client_tls_context()
{
    boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_client);
    ctx.set_default_verify_paths();
    // Record the verification result; the session decides (--tls=require-valid).
    ctx.set_verify_mode(boost::asio::ssl::verify_none);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_VERSION);
    return ctx;
}

} // namespace smtpprobe::probe
