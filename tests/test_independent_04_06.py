"""Independent solutions of notebooks 04 (TCP), 05 (UDP/NTP) and 06 (select) against the checks.

The solutions in tests/solutions/independent/<assignment>/ were written from the student
versions of the notebooks only (not from the reference solutions or the checks):

- every right_*.py must pass the visible and the hidden check of every exercise;
- every wrong_*.py makes one classic mistake (named in its docstring) and must fail the
  checks with an AssertionError whose message names that mistake.

The checks are called exactly as the notebooks' test cells call them. A hidden test cell
runs the visible check first and then the hidden one, so each case here runs the visible
check once and then (if it passed) the hidden check once: the same outcome as running both
cells, without running the visible check twice.

Cases marked ``pytest.mark.xfail(strict=True, reason="check defect: ...")`` are defects of
the checks found this way (a wrong solution that passes, or a check that crashes instead of
failing with a message); they turn into failures (XPASS) once the check is fixed, so the
mark can then be removed.
"""
import importlib
import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every independent solution against both checks (make test, not make quick)

HERE = Path(__file__).parent / "solutions" / "independent"

# exercise -> (module of the checks, visible check, hidden check, names the cell passes)
EXERCISES = {
    "04-tcp": {
        "recv_exactly": ("tcp", "check_recv_exactly", "check_recv_exactly_hidden", ("recv_exactly",)),
        "socket_reader": ("tcp", "check_socket_reader", "check_socket_reader_hidden", ("SocketReader",)),
        "messages": ("tcp", "check_messages", "check_messages_hidden", ("send_msg", "recv_msg")),
        "echo_server": ("tcp", "check_echo_server", "check_echo_server_hidden", ("make_listener", "serve_echo")),
        "http_get": ("tcp", "check_http_get", "check_http_get_hidden", ("http_get",)),
        "ask": ("tcp", "check_ask", "check_ask_hidden", ("ask",)),
    },
    "05-udp-ntp": {
        "build_request": ("ntp", "check_build_request", "check_build_request_hidden", ("build_request",)),
        "parse_reply": ("ntp", "check_parse_reply", "check_parse_reply_hidden", ("parse_reply",)),
        "sntp_query": ("ntp", "check_sntp_query", "check_sntp_query_hidden", ("sntp_query",)),
        "ntp_server": ("ntp", "check_ntp_server", "check_ntp_server_hidden", ("make_ntp_socket", "serve_ntp")),
        "ping": ("ntp", "check_ping", "check_ping_hidden", ("ping",)),
    },
    "06-select": {
        "serve_ports": ("select", "check_serve_ports", "check_serve_ports_hidden", ("serve_ports",)),
        "serve_lines": ("select", "check_serve_lines", "check_serve_lines_hidden", ("serve_lines",)),
        "http_response": ("select", "check_http_response", "check_http_response_hidden", ("http_response",)),
        "serve_files": ("select", "check_serve_files", "check_serve_files_hidden", ("serve_files",)),
        "serve_files_epoll": ("select", "check_serve_files_epoll", "check_serve_files_epoll_hidden",
                              ("serve_files_epoll",)),
    },
}

RIGHT = {
    "04-tcp": ["right_bytearray", "right_chunks", "right_variants"],
    "05-udp-ntp": ["right_struct", "right_bytes", "right_connected"],
    "06-select": ["right_lists", "right_objects", "right_selectselector"],
}


# (assignment, wrong module, exercise, texts the failure message must contain[, marks]);
# a tuple of texts means "one of these" (where the outcome depends on how the bytes were cut)
WRONG = [
    # ---- 04-tcp, exercise 1: recv_exactly
    ("04-tcp", "wrong_recv_exactly_single_recv", "recv_exactly",
     ["returned only part of the message", "Call it in a loop"]),
    ("04-tcp", "wrong_recv_exactly_short_on_eof", "recv_exactly",
     ["returned a short result when the peer closed the connection", "expected: EOFError"]),
    ("04-tcp", "wrong_recv_exactly_reads_past_n", "recv_exactly",
     ["returned the wrong bytes (14 bytes instead of 10)", "b'0123456789NEXT'"]),
    ("04-tcp", "wrong_recv_exactly_drops_extra", "recv_exactly",
     ["which belong to the next message: they are lost now"]),
    ("04-tcp", "wrong_recv_exactly_zero_is_eof", "recv_exactly",
     ["recv_exactly(sock, 0) raised EOFError"]),
    ("04-tcp", "wrong_recv_exactly_loops_on_eof", "recv_exactly",
     ["never noticed EOF", "returns b'' forever"]),
    ("04-tcp", "wrong_recv_exactly_retries_after_eof", "recv_exactly",
     ["raised EOFError, as it should, but only after it had called recv() 1,000 more times",
      "do not call recv() again"]),
    # ---- 04-tcp, exercise 2: SocketReader
    ("04-tcp", "wrong_reader_newest_piece_only", "socket_reader",
     ["raised EOFError, but", "one byte at a time", "it may arrive split across two recv() results"]),
    ("04-tcp", "wrong_reader_drops_leftover", "socket_reader",
     ["your reader lost bytes it had already received", "Keep the extra bytes in a buffer"]),
    ("04-tcp", "wrong_reader_exactly_ignores_buffer", "socket_reader",
     ["reader.recv_exactly(5) raised EOFError, but b'abcde' (5 bytes) had arrived"]),
    ("04-tcp", "wrong_reader_without_delimiter", "socket_reader",
     ["reader.recv_until(b'\\r\\n') -> b'HELLO' (5 bytes)", "expected b'HELLO\\r\\n' (7 bytes)",
      "without the delimiter itself", "the b'\\r\\n' is part of the result"]),
    ("04-tcp", "wrong_reader_partial_line_at_eof", "socket_reader",
     ["returned a short result instead of raising EOFError"]),
    ("04-tcp", "wrong_reader_to_eof_drops_buffer", "socket_reader",
     ["reader.recv_to_eof() returned only part of what it should",
      "recv_to_eof returns the bytes still in your buffer"]),
    # ---- 04-tcp, exercise 3: send_msg / recv_msg
    ("04-tcp", "wrong_messages_send_not_sendall", "messages",
     ["went out", "send() may send fewer bytes than you give it"]),
    ("04-tcp", "wrong_messages_native_byte_order", "messages",
     ["the length prefix is little-endian"]),
    ("04-tcp", "wrong_messages_single_recv", "messages",
     ["was arriving one byte at a time, and recv_msg raised EOFError, but the peer had not closed the connection",
      "Reuse your recv_exactly: once for the prefix, once for the body"]),
    ("04-tcp", "wrong_messages_length_in_text", "messages",
     ["put the wrong bytes on the wire", "b'0005hello'"]),
    ("04-tcp", "wrong_messages_eof_before_prefix_is_empty", "messages",
     ["recv_msg returned b'' (0 bytes) instead of raising EOFError", "before the first byte of another message"]),
    # ---- 04-tcp, exercise 4: make_listener / serve_echo
    ("04-tcp", "wrong_echo_no_reuseaddr", "echo_server",
     ["Address already in use", "set SO_REUSEADDR before bind()"]),
    ("04-tcp", "wrong_echo_reuseaddr_after_bind", "echo_server",
     ["Address already in use", "set SO_REUSEADDR before bind()"]),
    ("04-tcp", "wrong_echo_send_not_sendall", "echo_server",
     ["the echo differs from what was sent", "send() may send fewer bytes than you give it"]),
    ("04-tcp", "wrong_echo_never_closes", "echo_server",
     ["did not close the connection", "Every accepted socket must be closed"]),
    ("04-tcp", "wrong_echo_single_recv", "echo_server",
     ["your server echoed only", "echo in a loop until recv() returns b''"]),
    ("04-tcp", "wrong_echo_ignores_eof", "echo_server",
     ["Your server was using all the CPU it could", "returns b'' forever"]),
    ("04-tcp", "wrong_echo_one_client", "echo_server",
     ["Your serve_echo had returned", "loops forever"]),
    ("04-tcp", "wrong_echo_reads_all_then_echoes", "echo_server",
     ["client 4 (interactive) sent b'ping\\n' and waited for its echo", "nothing came back within 2 s",
      "echoes the bytes as they arrive"]),
    # ---- 04-tcp, exercise 5: http_get
    ("04-tcp", "wrong_http_reads_to_eof", "http_get",
     ["did not return within 2 s", "kept the connection open"]),
    ("04-tcp", "wrong_http_case_sensitive", "http_get",
     ["header names are case-insensitive"]),
    ("04-tcp", "wrong_http_single_recv", "http_get",
     [("one recv() is not the whole body", "Read the head until b'\\r\\n\\r\\n' has arrived")]),
    ("04-tcp", "wrong_http_split_blank_lines", "http_get",
     ["/tricky.txt') returned the wrong body", "1,800 bytes expected"]),
    ("04-tcp", "wrong_http_status_str", "http_get",
     ["returned status '200'", "the status is its second word, as an int"]),
    ("04-tcp", "wrong_http_values_not_stripped", "http_get",
     ["' text/plain'", "with the spaces around them stripped"]),
    ("04-tcp", "wrong_http_requires_content_length", "http_get",
     ["raised KeyError: 'content-length'", "else everything until the server closes"]),
    ("04-tcp", "wrong_http_no_blank_line", "http_get",
     ["the server is still waiting for the end of your request (a blank line)"]),
    ("04-tcp", "wrong_http_uses_http_client", "http_get",
     ["http_get uses HTTPConnection", "write the client yourself"]),
    ("04-tcp", "wrong_http_no_host_header", "http_get",
     ["sent a request without a Host header", "b'Host: ' + host"]),
    # ---- 04-tcp, exercise 6: ask
    ("04-tcp", "wrong_ask_no_shutdown", "ask",
     ["did not return within 2 s", "a deadlock", "sock.shutdown(socket.SHUT_WR)"]),
    ("04-tcp", "wrong_ask_shut_rdwr", "ask",
     ["returned b'' although the server answered", "shutdown(SHUT_RDWR) (or SHUT_RD) also ends your reading"]),
    ("04-tcp", "wrong_ask_single_recv", "ask",
     ["read until recv() returns b'' (EOF), not until a recv() returns less"]),
    ("04-tcp", "wrong_ask_stops_on_short_recv", "ask",
     ["read until recv() returns b'' (EOF), not until a recv() returns less"]),
    ("04-tcp", "wrong_ask_close_instead", "ask",
     ["after close() the socket is gone in both directions"]),
    ("04-tcp", "wrong_ask_send_not_sendall", "ask",
     ["the server received only the first", "before your EOF", "sendall() loops until every byte is out"]),

    # ---- 05-udp-ntp, exercise 1: build_request
    ("05-udp-ntp", "wrong_build_unix_epoch", "build_request",
     ["the transmit timestamp (bytes 40-47) does not say 1000000000.5", "2067-10-16"]),
    ("05-udp-ntp", "wrong_build_little_endian", "build_request",
     ["does not say", "the bytes are little-endian"]),
    ("05-udp-ntp", "wrong_build_version3", "build_request",
     ["version is 3; this exercise asks for version 4"]),
    ("05-udp-ntp", "wrong_build_fields_swapped", "build_request",
     ["mode is 0 (reserved)", "LI << 6 | VN << 3 | mode"]),
    ("05-udp-ntp", "wrong_build_microseconds", "build_request",
     ["fraction 500000", "units of 1/10**6 (microseconds)"]),
    ("05-udp-ntp", "wrong_build_no_fraction", "build_request",
     ["fraction 0:", "the fraction of a second is missing"]),
    ("05-udp-ntp", "wrong_build_fraction_overflow", "build_request",
     ["build_request(0.9999999999) raised struct.error", "carry it into the seconds"]),
    ("05-udp-ntp", "wrong_build_originate_field", "build_request",
     ["the timestamp is in the originate field"]),
    ("05-udp-ntp", "wrong_build_uses_ntplib", "build_request",
     ["build_request uses ntplib"]),
    ("05-udp-ntp", "wrong_build_no_era", "build_request",
     ["build_request(2200000000.625) raised struct.error", "write the seconds modulo 2**32"]),
    # ---- 05-udp-ntp, exercise 2: parse_reply
    ("05-udp-ntp", "wrong_parse_struct_error_on_short", "parse_reply",
     ["raised struct.error", "must raise ValueError"]),
    ("05-udp-ntp", "wrong_parse_rejects_trailing", "parse_reply",
     ["parse_reply(<68 bytes>) raised struct.error", "ignore bytes after the 48th"]),
    ("05-udp-ntp", "wrong_parse_unix_epoch", "parse_reply",
     ["reference is 3908988736.0, expected 1699999936.0", "subtract NTP_EPOCH_OFFSET"]),
    ("05-udp-ntp", "wrong_parse_no_fraction", "parse_reply",
     ["originate is 1700000000.0, expected 1700000000.5", "the fraction of a second is missing"]),
    ("05-udp-ntp", "wrong_parse_version_unmasked", "parse_reply",
     ["version is 27, expected 3", "shifted but not masked"]),
    ("05-udp-ntp", "wrong_parse_signed_seconds", "parse_reply",
     ["reference is -2594967360.0, expected 1699999936.0"]),
    ("05-udp-ntp", "wrong_parse_fields_shifted", "parse_reply",
     ["reference is 1700000000.5, expected 1699999936.0", "reference is bytes 16-23"]),
    ("05-udp-ntp", "wrong_parse_uses_ntplib", "parse_reply",
     ["parse_reply uses ntplib"]),
    ("05-udp-ntp", "wrong_parse_no_era", "parse_reply",
     ["originate is -2094967295.75, expected 2200000000.25", "so this timestamp is in era 1"]),
    # ---- 05-udp-ntp, exercise 3: sntp_query
    ("05-udp-ntp", "wrong_query_no_retry", "sntp_query",
     ["drops the first 2 requests gave up", "after 1 request"]),
    ("05-udp-ntp", "wrong_query_same_request", "sntp_query",
     ["sent the same request 3 times", "a fresh request every try"]),
    ("05-udp-ntp", "wrong_query_trusts_any_reply", "sntp_query",
     ["believed a forged reply from another port"]),
    ("05-udp-ntp", "wrong_query_no_port_check", "sntp_query",
     ["believed a forged reply from another port (address right, port wrong)"]),
    ("05-udp-ntp", "wrong_query_no_originate_check", "sntp_query",
     ["believed a reply with a wrong originate timestamp"]),
    ("05-udp-ntp", "wrong_query_no_mode_check", "sntp_query",
     ["believed a mode-3 packet"]),
    ("05-udp-ntp", "wrong_query_crashes_on_short", "sntp_query",
     ["A truncated reply (40 bytes) crashed your client", "raised ValueError"]),
    ("05-udp-ntp", "wrong_query_timeout_per_datagram", "sntp_query",
     ["tries x timeout = 1.2 s", "a wait that starts again after the ignored stale reply"]),
    ("05-udp-ntp", "wrong_query_offset_sign", "sntp_query",
     ["says the offset is -12.", "the sign is flipped"]),
    ("05-udp-ntp", "wrong_query_delay_whole_round_trip", "sntp_query",
     ["(the server held the request 0.5 s) says the delay is", "minus the time the server held the request"]),
    ("05-udp-ntp", "wrong_query_returns_none", "sntp_query",
     ["returned None against a server that never answers", "expected: TimeoutError"]),
    ("05-udp-ntp", "wrong_query_host_as_given", "sntp_query",
     ["raised TimeoutError, but the server answered each of your 2 requests",
      "while sntp_query was called with ('localhost', ", "socket.gethostbyname(host)"]),
    ("05-udp-ntp", "wrong_query_accepts_unsynchronised", "sntp_query",
     ["from a reply saying leap indicator 3 (its clock is not synchronised)", "raise ConnectionError at once"]),
    ("05-udp-ntp", "wrong_query_retries_kiss_of_death", "sntp_query",
     ["raised TimeoutError after 3 requests, but the server answered every one", "ignoring such a reply is not enough"]),
    ("05-udp-ntp", "wrong_query_timeout_restarts", "sntp_query",
     ["while one stale reply arrives 0.28 s after each request", "tries x timeout = 1.2 s",
      "a wait that starts again after the ignored stale reply"]),
    ("05-udp-ntp", "wrong_query_no_era", "sntp_query",
     ["the server's clock reads 2040-01-01, in era 1", "that is 2**32 s (136 years) less"]),
    # ---- 05-udp-ntp, exercise 4: make_ntp_socket / serve_ntp
    ("05-udp-ntp", "wrong_server_unix_epoch", "ntp_server",
     ["the reply's receive timestamp says 2093-", "add NTP_EPOCH_OFFSET"]),
    ("05-udp-ntp", "wrong_server_originate_not_copied", "ntp_server",
     ["the reply's originate timestamp is not the request's transmit timestamp"]),
    ("05-udp-ntp", "wrong_server_crashes_on_short", "ntp_server",
     ["Your server stopped after it was sent a 47-byte request"]),
    ("05-udp-ntp", "wrong_server_answers_any_mode", "ntp_server",
     ["Your server answered a mode-4 packet"]),
    ("05-udp-ntp", "wrong_server_always_version4", "ntp_server",
     ["the reply says version 4; the request was version 3"]),
    ("05-udp-ntp", "wrong_server_stratum_zero", "ntp_server",
     ["reply says leap 0, stratum 0", "kiss-o'-death"]),
    ("05-udp-ntp", "wrong_server_real_clock", "ntp_server",
     ["that is time.time(); the server must tell the time of the clock it was given"]),
    ("05-udp-ntp", "wrong_server_replies_to_fixed_client", "ntp_server",
     ["received the reply meant for client #1", "never from a stored address"]),
    ("05-udp-ntp", "wrong_server_echoes_length", "ntp_server",
     ["the reply has 68 bytes, as many as the request; an SNTP reply has exactly 48",
      "instead of patching a copy of the request"]),
    ("05-udp-ntp", "wrong_server_no_era", "ntp_server",
     ["Your server stopped while 2 clients waited (a server whose clock reads 2036-02-07 06:28:16.25",
      "'I' format requires 0 <= number <= 4294967295", "Write them modulo 2**32 (era 1)"]),
    ("05-udp-ntp", "wrong_server_clock_once", "ntp_server",
     ["older than the request: a clock read once"]),
    ("05-udp-ntp", "wrong_server_poll_signed", "ntp_server",
     ["Your server stopped", "byte format requires -128 <= number <= 127", "a negative poll (chrony sends -6)"]),
    # ---- 05-udp-ntp, exercise 5: ping
    ("05-udp-ntp", "wrong_ping_any_echo", "ping",
     ["never got an echo, but you report a round-trip time", "you took the echo of an earlier"]),
    ("05-udp-ntp", "wrong_ping_retransmits", "ping",
     ["pings, but you were asked for 16", "each ping sent once (16 datagrams)", "send ping i once"]),
    ("05-udp-ntp", "wrong_ping_raises_on_loss", "ping",
     ["ping raised TimeoutError", "a lost ping is a None, not an error"]),
    ("05-udp-ntp", "wrong_ping_only_answered", "ping",
     ["entries for 16 pings", "expected: 16 entries, entry i for ping i"]),
    ("05-udp-ntp", "wrong_ping_time_from_start", "ping",
     ["a number of seconds between 0 and the timeout", "rtt = time.perf_counter() - sent_at"]),
    ("05-udp-ntp", "wrong_ping_all_at_once", "ping",
     ["each ping sent once", "then go on to ping i + 1"]),
    ("05-udp-ntp", "wrong_ping_full_timeout_per_recv", "ping",
     ["ping 1's echo came only 0.3 s after it was sent, later than the timeout (0.2 s)",
      "Copies of ping 0's echo", "one deadline, sent_at + timeout, that other datagrams do not extend"]),
    ("05-udp-ntp", "wrong_ping_host_as_given", "ping",
     ["you report all 3 pings lost, but the echo server answered 3 of them in time",
      "its echoes came from ('127.0.0.1', ", "socket.gethostbyname(host)"]),
    ("05-udp-ntp", "wrong_ping_milliseconds", "ping",
     ["looks like milliseconds", "return seconds"]),

    # ---- 06-select, exercise 1: serve_ports
    ("06-select", "wrong_ports_round_robin", "serve_ports",
     ["got no right reply within 1 s", "stuck in recvfrom()", "Ask select() which sockets are readable"]),
    ("06-select", "wrong_ports_reply_from_first", "serve_ports",
     ["from port A", "send each reply from the socket the request arrived on"]),
    ("06-select", "wrong_ports_first_service", "serve_ports",
     ["got:      b'A:hello, port B'", "services[sock](data)"]),
    ("06-select", "wrong_ports_small_buffer", "serve_ports",
     ["(514 bytes) from port C", "ask for at least that many"]),
    ("06-select", "wrong_ports_empty_means_closed", "serve_ports",
     ["sent:     b'' (0 bytes)", "got:      no reply", "an empty datagram (b'') is a datagram like any other",
      "keep the socket in your select() list"]),
    ("06-select", "wrong_ports_threads", "serve_ports",
     ["serve_ports uses threading"]),
    # ---- 06-select, exercise 2: serve_lines
    ("06-select", "wrong_lines_recv_until_newline", "serve_lines",
     ["did not get their lines back within 1 s", "stuck in recv()", "only once each time"]),
    ("06-select", "wrong_lines_no_buffer", "serve_lines",
     ["got bytes back although its line was not complete yet"]),
    ("06-select", "wrong_lines_shared_buffer", "serve_lines",
     ["got the wrong bytes back", "each client needs a buffer of its own"]),
    ("06-select", "wrong_lines_not_removed", "serve_lines",
     ["file descriptor cannot be a negative integer (-1)", "Remove a socket from your lists when you close it"]),
    ("06-select", "wrong_lines_not_closed", "serve_lines",
     ["your server never closed those connections"]),
    ("06-select", "wrong_lines_reset_kills", "serve_lines",
     ["serve_lines raised ConnectionResetError", "Catch it, close that socket"]),
    ("06-select", "wrong_lines_one_line_per_recv", "serve_lines",
     ["(several lines in one piece)", "send back every complete line"]),
    ("06-select", "wrong_lines_strips_newline", "serve_lines",
     ["got:      b'client 00 says hello' (20 bytes)"]),
    ("06-select", "wrong_lines_threads", "serve_lines",
     ["serve_lines uses threading"]),
    # ---- 06-select, exercise 3: http_response
    ("06-select", "wrong_http_text_length", "http_response",
     ["raised UnicodeDecodeError", "read the file in binary mode"]),
    ("06-select", "wrong_http_length_in_characters", "http_response",
     ["expected: Content-Length: 60000 (the size of data.bin in bytes)", "Content-Length counts bytes"]),
    ("06-select", "wrong_http_head_sends_body", "http_response",
     ["answered HEAD /hello.txt wrongly", "HEAD gets the same head as GET and no body"]),
    ("06-select", "wrong_http_path_traversal", "http_response",
     ["served a file from outside the folder"]),
    ("06-select", "wrong_http_folder_crash", "http_response",
     ["raised IsADirectoryError", "a name that is a folder is not a file"]),
    ("06-select", "wrong_http_bad_request_crash", "http_response",
     ["raised ValueError", "answer 400 Bad Request"]),
    ("06-select", "wrong_http_any_method_as_get", "http_response",
     ["answered a method other than GET and HEAD", "DELETE"]),
    ("06-select", "wrong_http_no_content_length_404", "http_response",
     ["answered GET /missing.txt wrongly", "no Content-Length header"]),
    ("06-select", "wrong_http_lf_only", "http_response",
     ["a line of the head that ends with b'\\n' alone", "HTTP ends every line of the head with b'\\r\\n'"]),
    ("06-select", "wrong_http_prefix_check", "http_response",
     ["served a file from outside the folder: GET /../site-private/secret.txt", "a string prefix is not a folder"]),
    # ---- 06-select, exercise 4: serve_files
    ("06-select", "wrong_files_sendall_blocking", "serve_files",
     ["got 0 bytes in 1 s, while another client did not read", "stuck in sendall()"]),
    ("06-select", "wrong_files_send_once", "serve_files",
     ["Content-Length: 1048576, then only", "bytes of body before the connection closed",
      "send() sends only what fits in the socket's send buffer", "select()'s write list"]),
    ("06-select", "wrong_files_recv_until_blank_line", "serve_files",
     ["got no complete response within 1 s", "stuck in recv()"]),
    ("06-select", "wrong_files_first_recv_is_request", "serve_files",
     ["although its request was not complete", "one recv() is not one request"]),
    ("06-select", "wrong_files_never_closes", "serve_files",
     ["but the connection stayed open", "close() the socket once the whole response has been sent"]),
    ("06-select", "wrong_files_reset_kills", "serve_files",
     ["serve_files raised ConnectionResetError", "another had reset in mid-download"]),
    ("06-select", "wrong_files_blocking_sockets", "serve_files",
     ["got 0 bytes in 1 s", "stuck in send()", "a blocking send() waits for a slow client"]),
    ("06-select", "wrong_files_threads", "serve_files",
     ["serve_files uses threading"]),
    # ---- 06-select, exercise 5: serve_files_epoll
    ("06-select", "wrong_epoll_uses_select", "serve_files_epoll",
     ["filedescriptor out of range in select()"]),
    ("06-select", "wrong_epoll_never_unregister", "serve_files_epoll",
     ["is already registered", "unregister() a socket before you close() it"]),
    ("06-select", "wrong_epoll_sendall", "serve_files_epoll",
     ["got 0 bytes in 1 s", "stuck in sendall()"]),
    ("06-select", "wrong_epoll_threads", "serve_files_epoll",
     ["serve_files_epoll uses threading"]),
]

_modules = {}


def load(assignment, name):
    """Import tests/solutions/independent/<assignment>/<name>.py under a unique module name."""
    key = (assignment, name)
    if key not in _modules:
        path = HERE / assignment / f"{name}.py"
        spec = importlib.util.spec_from_file_location(
            f"independent_{assignment.replace('-', '_')}_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _modules[key] = module
    return _modules[key]


def checks(assignment, exercise):
    topic, visible, hidden, names = EXERCISES[assignment][exercise]
    visible_module = importlib.import_module(f"netkit.checks.{topic}")
    hidden_module = importlib.import_module(f"netkit.hidden.{topic}")
    return getattr(visible_module, visible), getattr(hidden_module, hidden), names


def run_cells(assignment, exercise, module):
    """The visible test cell, then the hidden one (which runs the visible check first: once is enough)."""
    visible, hidden, names = checks(assignment, exercise)
    args = [getattr(module, name) for name in names]
    visible(*args)
    hidden(*args)


def test_every_exercise_is_covered():
    for assignment, exercises in EXERCISES.items():
        wrong_of = {exercise: 0 for exercise in exercises}
        for case in WRONG:
            if case[0] == assignment:
                wrong_of[case[2]] += 1
        assert all(count >= 1 for count in wrong_of.values()), (assignment, wrong_of)
        assert len(RIGHT[assignment]) >= 2
    on_disk = {(a, p.stem) for a in EXERCISES for p in (HERE / a).glob("wrong_*.py")}
    listed = {(case[0], case[1]) for case in WRONG}
    assert on_disk == listed, (on_disk - listed, listed - on_disk)


@pytest.mark.parametrize(
    "assignment,solution,exercise",
    [(a, s, e) for a, solutions in RIGHT.items() for s in solutions for e in EXERCISES[a]],
)
def test_right_solution_passes(assignment, solution, exercise):
    run_cells(assignment, exercise, load(assignment, solution))


@pytest.mark.parametrize(
    "assignment,solution,exercise,expected",
    [pytest.param(*case[:4], marks=case[4] if len(case) > 4 else (), id=f"{case[0]}-{case[1]}")
     for case in WRONG],
)
def test_wrong_solution_fails(assignment, solution, exercise, expected):
    module = load(assignment, solution)
    assert module.__doc__ and "Mistake" in module.__doc__, "name the mistake in the docstring"
    with pytest.raises(AssertionError) as failure:
        run_cells(assignment, exercise, module)
    message = str(failure.value)
    missing = [text for text in expected
               if not any(option in message for option in (text if isinstance(text, tuple) else (text,)))]
    assert not missing, f"the message does not mention {missing}:\n{message}"
