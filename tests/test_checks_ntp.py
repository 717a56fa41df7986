"""netkit.checks.ntp (notebook 05) against right and wrong solutions.

Every right solution in tests/solutions/ntp/right_*.py passes every check, visible and
hidden, silently. Every wrong one (one function per classic mistake) fails the check
that exists to catch it, with the message a student would read.
"""

import importlib
import time

import pytest

from netkit.checks import ntp
from netkit.errors import CheckFailed
from netkit.hidden import ntp as ntp_hidden

RIGHT = ("right_struct", "right_bytes", "right_decimal", "reference")   # reference: the notebook's own

# exercise -> (visible check, hidden check, the names the checks take from a solution)
EXERCISES = {
    "request": (ntp.check_build_request, ntp_hidden.check_build_request_hidden, ("build_request",)),
    "reply": (ntp.check_parse_reply, ntp_hidden.check_parse_reply_hidden, ("parse_reply",)),
    "query": (ntp.check_sntp_query, ntp_hidden.check_sntp_query_hidden, ("sntp_query",)),
    "server": (ntp.check_ntp_server, ntp_hidden.check_ntp_server_hidden, ("make_ntp_socket", "serve_ntp")),
    "ping": (ntp.check_ping, ntp_hidden.check_ping_hidden, ("ping",)),
}


def solution(name):
    return importlib.import_module(f"tests.solutions.ntp.{name}")


@pytest.mark.parametrize("exercise", EXERCISES)
@pytest.mark.parametrize("name", RIGHT)
def test_right_solution_passes_every_check_quietly(name, exercise, capfd):
    module = solution(name)
    visible, hidden, names = EXERCISES[exercise]
    args = [getattr(module, n) for n in names]
    visible(*args)
    hidden(*args)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


# (module, function, exercise, the check that catches it, text of the message)
WRONG = [
    ("wrong_request", "epoch_1970", "request", "visible", "NTP counts from 1 January 1900"),
    ("wrong_request", "nanoseconds_fraction", "request", "visible", "units of 1/10**9 (nanoseconds)"),
    ("wrong_request", "fraction_2_16", "request", "visible", "units of 1/2**16"),
    ("wrong_request", "little_endian", "request", "visible", "little-endian (host order)"),
    ("wrong_request", "mode_4", "request", "visible", "mode 4 means 'server'"),
    ("wrong_request", "version_3_constant", "request", "visible", "version is 3"),
    ("wrong_request", "forty_seven_bytes", "request", "visible", "returned 47 bytes"),
    ("wrong_request", "rounds_without_carry", "request", "hidden", "can round to 2**32"),
    ("wrong_request", "uses_ntplib", "request", "hidden", "build_request uses ntplib"),
    ("wrong_request", "no_era_wrap", "request", "visible", "write the seconds modulo 2**32"),
    ("wrong_request", "no_era_wrap", "request", "hidden", "after 2036-02-07 06:28:16 UTC, when NTP's 32-bit seconds"),
    ("wrong_reply", "epoch_1970", "reply", "visible", "subtract NTP_EPOCH_OFFSET"),
    ("wrong_reply", "fraction_1e9", "reply", "visible", "divided by 10**9"),
    ("wrong_reply", "fraction_2_16", "reply", "visible", "divided by 2**16"),
    ("wrong_reply", "little_endian", "reply", "visible", "read little-endian"),
    ("wrong_reply", "unmasked_version", "reply", "visible", "shifted but not masked"),
    ("wrong_reply", "swapped_timestamps", "reply", "visible", "that is the receive timestamp"),
    ("wrong_reply", "no_length_check", "reply", "visible", "must raise ValueError"),
    ("wrong_reply", "rejects_trailing_bytes", "reply", "visible", "ignore bytes after the 48th"),
    ("wrong_reply", "uses_ntplib", "reply", "hidden", "parse_reply uses ntplib"),
    ("wrong_reply", "no_era", "reply", "visible", "have their top bit clear, so this timestamp is in era 1"),
    ("wrong_reply", "no_era", "reply", "hidden", "add 2**32 to them before subtracting NTP_EPOCH_OFFSET"),
    ("wrong_query", "offset_wrong_sign", "query", "visible", "the sign is flipped"),
    ("wrong_query", "delay_wrong_sign", "query", "hidden", "says the delay is"),
    ("wrong_query", "no_retransmit", "query", "visible", "gave up: it raised TimeoutError"),
    ("wrong_query", "accepts_any_reply", "query", "visible", "believed a forged reply from another port"),
    ("wrong_query", "trusts_the_address_only", "query", "hidden", "believed a reply with a wrong originate"),
    ("wrong_query", "crashes_on_truncated", "query", "hidden", "truncated reply (40 bytes) crashed your client"),
    ("wrong_query", "accepts_mode_3", "query", "hidden", "believed a mode-3 packet"),
    ("wrong_query", "never_gives_up", "query", "visible", "never gave up against a server that never answers"),
    ("wrong_query", "timeout_per_recv", "query", "hidden", "never gave up against a server that never answers, "
                                                           "while stale replies"),
    ("wrong_query", "waits_twice_as_long", "query", "visible", "tries x timeout = 1.2 s"),
    ("wrong_query", "waits_twice_as_long", "query", "visible", "an extra wait between tries"),
    ("wrong_query", "restarts_timeout_after_stray", "query", "visible",
     "a server that never answers, while one stale reply arrives 0.28 s after each request"),
    ("wrong_query", "restarts_timeout_after_stray", "query", "visible",
     "a wait that starts again after the ignored stale reply"),
    ("wrong_query", "compares_given_tuple", "query", "visible",
     "its replies came from ('127.0.0.1', "),
    ("wrong_query", "compares_given_tuple", "query", "visible",
     "while sntp_query was called with ('localhost', "),
    ("wrong_query", "compares_given_tuple", "query", "hidden", "socket.gethostbyname(host)"),
    ("wrong_query", "accepts_unsynchronised", "query", "visible",
     "from a reply saying leap indicator 3 (its clock is not synchronised)"),
    ("wrong_query", "accepts_unsynchronised", "query", "hidden", "from a reply saying stratum 0, a kiss-o'-death"),
    ("wrong_query", "ignores_unsynchronised", "query", "visible",
     "raised TimeoutError after 3 requests, but the server answered every one"),
    ("wrong_query", "kiss_code_not_named", "query", "hidden", "which does not name the kiss code"),
    ("wrong_query", "no_era", "query", "hidden", "that is 2**32 s (136 years) less"),
    ("wrong_query", "same_request_every_try", "query", "visible", "sent the same request 3 times"),
    ("wrong_query", "wrong_exception", "query", "visible", "raised RuntimeError"),
    ("wrong_server", "no_originate_echo", "server", "visible", "the originate field is zero"),
    ("wrong_server", "originate_is_own_time", "server", "visible", "holds the server's own time"),
    ("wrong_server", "replies_mode_3", "server", "visible", "a server replies in mode 4"),
    ("wrong_server", "uses_time_time", "server", "visible", "that is time.time()"),
    ("wrong_server", "epoch_1970", "server", "visible", "NTP counts from 1 January 1900"),
    ("wrong_server", "replies_to_first_client", "server", "visible", "received the reply meant for client"),
    ("wrong_server", "serves_once", "server", "visible", "Your server stopped"),
    ("wrong_server", "dies_on_junk", "server", "hidden", "stopped after it was sent a 47-byte request"),
    ("wrong_server", "answers_everything", "server", "hidden", "answered a mode-4 packet"),
    ("wrong_server", "always_version_4", "server", "hidden", "the request was version 3"),
    ("wrong_server", "appends_the_request_tail", "server", "hidden",
     "the reply has 68 bytes, as many as the request; an SNTP reply has exactly 48"),
    ("wrong_server", "no_era_wrap", "server", "visible", "its clock() said 2036-02-07 06:28:16"),
    ("wrong_server", "no_era_wrap", "server", "hidden", "Write them modulo 2**32 (era 1)"),
    ("wrong_server", "reads_clock_once", "server", "visible", "older than the request: a clock read once"),
    ("wrong_server", "poll_as_signed_byte", "server", "visible", "a negative poll (chrony sends -6)"),
    ("wrong_server", "unpacks_the_whole_datagram", "server", "hidden",
     "what follows its 48th byte (NTPv4 extension fields, a key ID and MAC) is not for this server"),
    ("wrong_ping", "takes_any_datagram", "ping", "visible", "The proxy duplicated ping 1"),
    ("wrong_ping", "takes_any_datagram", "ping", "hidden", "The late echo of ping 4"),
    ("wrong_ping", "counts_duplicates_twice", "ping", "visible", "counted as received twice"),
    ("wrong_ping", "timeout_is_an_error", "ping", "visible", "ping raised TimeoutError"),
    ("wrong_ping", "retransmits", "ping", "visible", "each ping sent once"),
    ("wrong_ping", "compares_given_tuple", "ping", "visible", "its echoes came from ('127.0.0.1', "),
    ("wrong_ping", "compares_given_tuple", "ping", "hidden", "while ping was called with ('localhost', "),
    ("wrong_ping", "milliseconds", "ping", "visible", "looks like milliseconds"),
    ("wrong_ping", "timeout_per_recv", "ping", "hidden", "ping 1's echo came only 0.3 s after it was sent, "
                                                          "later than the timeout (0.2 s)"),
]


def _args(module, function, exercise):
    wrong = getattr(module, function)
    if exercise == "server":
        return [solution("right_struct").make_ntp_socket, wrong]
    return [wrong]


@pytest.mark.parametrize("module, function, exercise, where, text", WRONG,
                         ids=[f"{m}.{f}-{w}" for m, f, _e, w, _t in WRONG])
def test_wrong_solution_fails_with_its_lesson(module, function, exercise, where, text):
    visible, hidden, _names = EXERCISES[exercise]
    check = visible if where == "visible" else hidden
    with pytest.raises(CheckFailed) as failure:
        check(*_args(solution(module), function, exercise))
    message = str(failure.value)
    assert text in message, message
    assert "Hint:" in message


# A blank notebook: every stub raises NotImplementedError, and the message says so plainly.


def build_request(transmit_time):
    raise NotImplementedError()


def parse_reply(data):
    raise NotImplementedError()


def sntp_query(server, timeout=0.5, tries=3):
    build_request(time.time())


def make_ntp_socket(host, port):
    raise NotImplementedError()


def serve_ntp(sock, clock=time.time):
    raise NotImplementedError()


def ping(server, count=10, timeout=0.2):
    raise NotImplementedError()


BLANK = {"build_request": build_request, "parse_reply": parse_reply, "sntp_query": sntp_query,
         "make_ntp_socket": make_ntp_socket, "serve_ntp": serve_ntp, "ping": ping}
NOT_WRITTEN = {"request": "build_request", "reply": "parse_reply", "query": "build_request",
               "server": "make_ntp_socket", "ping": "ping"}


@pytest.mark.parametrize("exercise", EXERCISES)
@pytest.mark.parametrize("which", ("visible", "hidden"))
def test_blank_stub_is_not_written_yet(exercise, which):
    visible, hidden, names = EXERCISES[exercise]
    start = time.monotonic()
    with pytest.raises(CheckFailed) as failure:
        (visible if which == "visible" else hidden)(*[BLANK[n] for n in names])
    assert f"{NOT_WRITTEN[exercise]} is not written yet" in str(failure.value)
    assert time.monotonic() - start < 1.0
