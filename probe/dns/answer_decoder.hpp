// Turns one c-ares query outcome (status code + raw DNS response) into an Answer. Internal to
// the resolver; separate so the decoding of each record type reads on its own.
//
// Contract: never throws for anything the server sent; a malformed response becomes
// Status::error with a reason, an empty answer section Status::nodata.
#pragma once

#include "probe/dns/resolver.hpp"

#include <boost/asio/ip/address.hpp>
#include <string>

namespace smtpprobe::dns {

// DNS RR types we ask for (RFC 1035, RFC 3596).
enum class RecordType : int { a = 1, ptr = 12, mx = 15, txt = 16, aaaa = 28 };

// The printable name of a record type ("MX").
const char* record_type_name(RecordType type);

// status is the c-ares status handed to the query callback; response/length the raw message
// (may be null unless status is ARES_SUCCESS). name is the queried name (for messages);
// ptr_address the address a PTR query was about.
Answer decode_answer(RecordType type, const std::string& name, int status,
                     const unsigned char* response, int length,
                     const boost::asio::ip::address& ptr_address);

} // namespace smtpprobe::dns
