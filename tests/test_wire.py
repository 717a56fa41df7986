"""netkit.wire: chunks, recordings, hexdumps, the sequence diagram and capture()."""

import ftplib
import io
import itertools
import socket
import struct
import threading
import xml.etree.ElementTree as ET

import pytest

from netkit.ftp import ftp_server
from netkit.servers import echo_server, scripted_server, udp_server
from netkit.sntp import MARKS, SNTPPacket
from netkit.wire import Chunk, Recording, capture, hexdump, preview

SVG = "{http://www.w3.org/2000/svg}"
PLAIN_SOCKET = socket.socket


@pytest.fixture(autouse=True)
def quiet(capfd):
    """Recording and drawing never write to stderr."""
    yield
    assert capfd.readouterr().err == ""


def ftp_like():
    """A recording shaped like an FTP download: a control and a data connection."""
    rec = Recording()
    rec.peers.update({0: ("127.0.0.1", 2121), 1: ("127.0.0.1", 40001)})
    times = itertools.count(1)
    for conn, direction, data, event in [
        (0, "->", b"", "connect"), (0, "<-", b"220 ready\r\n", None), (0, "->", b"USER student\r\n", None),
        (0, "<-", b"331 Password required\r\n", None), (0, "->", b"PASV\r\n", None),
        (0, "<-", b"227 Entering passive mode (127,0,0,1,156,65).\r\n", None),
        (1, "->", b"", "connect"), (0, "->", b"RETR a.bin\r\n", None), (1, "<-", bytes(range(48)), None),
        (1, "<-", b"", "close"), (1, "->", b"", "close"), (0, "<-", b"226 Done <&>\r\n", None),
        (0, "->", b"", "reset"),
    ]:
        rec.add(conn, direction, data, event, t=next(times) / 1000)
    return rec


# --- Chunk and preview -------------------------------------------------------------------


def test_chunk_is_a_frozen_value_with_a_readable_repr():
    chunk = Chunk(0, "->", 0.0031, b"USER student\r\n")
    assert repr(chunk) == "Chunk(#0 -> 0.003s 14 bytes [55 53 45 52 20 73 74 75 …] b'USER student\\r\\n')"
    assert repr(Chunk(1, "<-", 1.5, event="reset")) == "Chunk(#1 <- 1.500s reset)"
    with pytest.raises(AttributeError):
        chunk.data = b""


@pytest.mark.parametrize("args, word", [
    ((0, "=>", 0.0, b"x"), "direction"), ((0, "->", 0.0, b"", "boom"), "event"),
    ((0, "->", 0.0, b"x", "close"), "no data"),
])
def test_chunk_refuses_nonsense(args, word):
    with pytest.raises(ValueError, match=word):
        Chunk(*args)


def test_preview_shows_text_escaped_and_binary_as_a_length():
    assert preview(b"USER student\r\n") == "USER student\\r\\n"
    assert preview(bytes(48)) == "48 bytes"
    assert preview(b"\x00") == "1 byte"
    long = preview(b"x" * 100, width=30)
    assert long.endswith("… (100 bytes)") and len(long) == 30


# --- hexdump -------------------------------------------------------------------------------


def test_hexdump_is_hexdump_minus_C():
    assert hexdump(b"USER student\r\n") == (
        "00000000  55 53 45 52 20 73 74 75  64 65 6e 74 0d 0a        |USER student..|")
    assert hexdump(bytes(range(0x1e, 0x31))) == (
        "00000000  1e 1f 20 21 22 23 24 25  26 27 28 29 2a 2b 2c 2d  |.. !\"#$%&'()*+,-|\n"
        "00000010  2e 2f 30                                          |./0|")
    assert hexdump(b"") == ""


def test_hexdump_marks_underline_fields_and_list_them():
    data = bytes.fromhex("1c0203e9000000100000002a")
    marks = [(0, 1, "mode"), (1, 1, "stratum"), (4, 4, "root delay"), (8, 4, "root dispersion")]
    assert hexdump(data, marks) == (
        "00000000  1c 02 03 e9 00 00 00 10  00 00 00 2a              |...........*|\n"
        "          a  b        └─── c ───┘  └─── d ───┘\n"
        "\n"
        " a  mode             @0    1 byte    1c\n"
        " b  stratum          @1    1 byte    02\n"
        " c  root delay       @4    4 bytes   00 00 00 10\n"
        " d  root dispersion  @8    4 bytes   00 00 00 2a")


def test_hexdump_marks_that_overlap_or_wrap_a_line():
    text = hexdump(bytes(range(0x41, 0x55)), [(0, 4, "header"), (2, 1, "flags"), (12, 8, "stamp")])
    assert text.splitlines()[:5] == [
        "00000000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|",
        "          └─── a ───┘                          └─── c ────",   # open end: goes on below
        "                b",                                            # overlaps a: its own row
        "00000010  51 52 53 54                                       |QRST|",
        "          ──── c ───┘",
    ]


def test_hexdump_refuses_a_mark_outside_the_data():
    with pytest.raises(ValueError, match=r"\(10, 4, 'x'\).*12 bytes"):
        hexdump(bytes(12), [(10, 4, "x")])


def test_an_sntp_packet_dissected_field_by_field():
    packet = SNTPPacket(mode=4, stratum=2, ref_id=b"LOCL").pack()
    text = hexdump(packet, MARKS)
    legend = text.split("\n\n")[1].splitlines()
    assert [line.split()[1] for line in legend] == [name for _o, _s, name in MARKS]
    assert " g  ref_id" in text and "4c 4f 43 4c" in text
    html = text._repr_html_()
    assert html.startswith("<pre") and html.count("background:") >= len(MARKS)


# --- Recording as text ------------------------------------------------------------------------


def test_to_text_is_compact_and_bounded():
    rec = ftp_like()
    lines = rec.to_text().splitlines()
    assert lines[0] == "#0 -> 0.001s  connect"
    assert lines[2] == "#0 -> 0.003s  b'USER student\\r\\n'"
    assert "#1 <- 0.010s  FIN" in lines and lines[-1] == "#0 -> 0.013s  RST"
    short = rec.to_text(limit=6).splitlines()
    assert len(short) == 6 and short[4] == "... 8 more chunks ..."
    assert Recording().to_text() == "(nothing crossed the wire)"
    binary = Recording()
    binary.add(0, "<-", bytes(range(200)), t=0)
    assert binary.to_text(width=40).endswith("…(200 bytes)") and len(binary.to_text(width=40)) < 80


def test_recording_hexdump_has_a_header_per_chunk():
    rec = Recording()
    rec.add(0, "->", b"USER student\r\n", t=0.0031)
    rec.add(0, "<-", event="close", t=0.01)
    assert rec.hexdump() == (
        "#0 -> 0.003s  14 bytes\n"
        "  00000000  55 53 45 52 20 73 74 75  64 65 6e 74 0d 0a        |USER student..|\n"
        "#0 <- 0.010s  FIN")


def test_recording_helpers_and_waiting_for_a_chunk():
    rec = ftp_like()
    assert rec.conns == [0, 1] and len(rec) == 13
    assert rec.data("<-", 1) == bytes(range(48))
    assert rec.events(1) == [(1, "->", "connect"), (1, "<-", "close"), (1, "->", "close")]
    assert "13 chunks on 2 connections" in repr(rec)
    late = threading.Timer(0.01, rec.add, args=(2, "->", b"late"))
    late.start()
    assert rec.wait_for(lambda chunks: chunks[-1].data == b"late", timeout=2)
    late.join()
    assert not rec.wait_for(lambda chunks: False, timeout=0.01)


# --- the sequence diagram --------------------------------------------------------------------


def parse(diagram):
    root = ET.fromstring(diagram.svg)
    assert root.tag == SVG + "svg"
    return root


def arrows(root):
    return [g for g in root.iter(SVG + "g") if g.get("class") == "arrow"]


def texts(element):
    return [t.text for t in element.iter(SVG + "text")]


def test_diagram_is_well_formed_svg_with_one_arrow_per_chunk():
    rec = ftp_like()
    diagram = rec.diagram(title="An FTP download")
    root = parse(diagram)
    assert root.get("width") == "800" and diagram.width == 800
    drawn = arrows(root)
    assert len(drawn) == len(rec.chunks)
    assert [(g.get("data-conn"), g.get("data-direction"), g.get("data-kind")) for g in drawn] == [
        (str(c.conn), c.direction, c.event or "data") for c in rec.chunks]
    labels = [texts(g)[0] for g in drawn]
    assert labels[2] == "USER student\\r\\n" and labels[8] == "48 bytes"
    assert labels[11] == "226 Done <&>\\r\\n"  # escaped in the XML, intact once parsed
    assert (labels[0], labels[9], labels[12]) == ("connect", "FIN", "RST")
    assert "An FTP download" in texts(root) and {"client", "server"} <= set(texts(root))


def test_diagram_names_the_lanes_of_an_ftp_session():
    root = parse(ftp_like().diagram())
    everything = texts(root)
    assert "control → port 2121" in everything and "data #1 → port 40001" in everything
    lanes = {g.get("data-conn"): texts(g)[-1] for g in arrows(root)}
    assert lanes == {"0": "control", "1": "data #1"}


def test_diagram_lanes_are_numbers_when_not_ftp_shaped_and_names_can_be_given():
    rec = Recording()
    for conn in (0, 1, 0, 1):
        rec.add(conn, "->", b"hi")
    assert rec.lane_names() == {0: "#0", 1: "#1"}
    lanes = {g.get("data-conn"): texts(g)[-1] for g in arrows(parse(rec.diagram(names={1: "second"})))}
    assert lanes == {"0": "#0", "1": "second"}


def many_clients(count=12):
    """A recording of ``count`` overlapping connections to one server port."""
    rec = Recording()
    for conn in range(count):
        rec.peers[conn] = ("127.0.0.1", 7)
        rec.add(conn, "->", event="connect")
    for conn in range(count):
        rec.add(conn, "->", b"x" * 200)
        rec.add(conn, "<-", b"y" * 200)
        rec.add(conn, "->", event="close")
    return rec


@pytest.mark.parametrize("recording", [ftp_like, many_clients])
def test_diagram_labels_do_not_overlap_and_fit_the_width(recording):
    root = parse(recording().diagram(title="A title that is not short at all, to see it fits"))
    boxes = []
    for text in root.iter(SVG + "text"):
        size = float(text.get("font-size"))
        width = len(text.text) * size * 0.62  # generous for DejaVu Sans (Mono: 0.60)
        x = float(text.get("x"))
        left = {"start": x, "middle": x - width / 2, "end": x - width}[text.get("text-anchor")]
        y = float(text.get("y"))
        boxes.append((left, y - size, left + width, y, text.text))
    for box in boxes:
        assert 0 <= box[0] and box[2] <= 800, box
    for a, b in itertools.combinations(boxes, 2):
        overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
        assert not overlap, (a, b)


def test_a_long_recording_is_drawn_head_and_tail():
    rec = Recording()
    for i in range(200):
        rec.add(0, "->" if i % 2 else "<-", b"x", t=i / 100)
    root = parse(rec.diagram(max_rows=40))
    assert len(arrows(root)) == 39 and "⋯  161 more chunks  ⋯" in texts(root)
    assert "time (s)" in texts(root)


def test_diagram_shows_in_jupyter_and_saves(tmp_path):
    rec = ftp_like()
    diagram = rec.diagram()
    assert diagram._repr_svg_() == diagram.svg
    assert diagram._repr_html_().startswith("<div") and diagram.svg in diagram._repr_html_()
    rec.save_svg(tmp_path / "ftp.svg", title="saved")
    assert "saved" in texts(ET.parse(tmp_path / "ftp.svg").getroot())
    assert len(arrows(parse(Recording().diagram()))) == 0


# --- capture() -----------------------------------------------------------------------------


def test_capture_records_a_whole_ftplib_session_with_its_data_connections():
    with ftp_server(files={"hello.txt": b"Hello, FTP!\r\n"}) as site:
        with capture() as rec:
            ftp = ftplib.FTP()
            ftp.connect(site.host, site.port, timeout=5)
            ftp.login(site.user, site.password)
            got = io.BytesIO()
            ftp.retrbinary("RETR hello.txt", got.write)
            ftp.storbinary("STOR up.bin", io.BytesIO(bytes(100)))
            ftp.quit()
        assert socket.socket is PLAIN_SOCKET
        assert (site.root / "up.bin").read_bytes() == bytes(100)
    assert got.getvalue() == b"Hello, FTP!\r\n"
    assert rec.conns == [0, 1, 2]  # control, RETR, STOR; nothing from the server's side
    control = rec.data("->", 0)
    assert control.startswith(b"USER student\r\nPASS secret\r\n") and control.endswith(b"QUIT\r\n")
    assert rec.data("<-", 0).startswith(b"220 ")  # read through ftplib's makefile()
    assert rec.data("<-", 1) == b"Hello, FTP!\r\n" and rec.data("->", 2) == bytes(100)
    assert rec.peers[0] == tuple(site.address)
    assert rec.lane_names() == {0: "control", 1: "data #1", 2: "data #2"}
    assert len(arrows(parse(rec.diagram()))) == len(rec.chunks)


def test_capture_sees_active_mode_data_connections_the_client_accepts():
    with ftp_server(files={"a.txt": b"A\r\n"}) as site:
        with capture() as rec:
            with ftplib.FTP() as ftp:
                ftp.connect(site.host, site.port, timeout=5)
                ftp.login(site.user, site.password)
                ftp.set_pasv(False)
                assert ftp.retrlines("RETR a.txt", lambda line: None).startswith("226")
    assert rec.conns == [0, 1]
    assert rec.events(1)[0] == (1, "<-", "connect")  # the server connected to us
    assert rec.data("<-", 1) == b"A\r\n"


def test_capture_records_makefile_reads_fins_and_the_peers_eof():
    with echo_server() as server:
        with capture() as rec:
            with socket.create_connection(server) as sock, sock.makefile("rb") as reader:
                sock.sendall(b"one\r\ntwo\r\n")
                assert reader.readline() == b"one\r\n"
                assert reader.readline() == b"two\r\n"
                sock.shutdown(socket.SHUT_WR)
                assert reader.read() == b""
    assert [(c.direction, c.event or c.data) for c in rec.chunks] == [
        ("->", "connect"), ("->", b"one\r\ntwo\r\n"), ("<-", b"one\r\ntwo\r\n"),
        ("->", "half_close"), ("<-", "close")]


def test_capture_records_a_reset_we_send_and_stops_at_the_end_of_the_block():
    with scripted_server(b"hi", then="hold") as server:
        with capture() as rec:
            sock = socket.create_connection(server)
            assert sock.recv(10) == b"hi"
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            kept = socket.create_connection(server)
        assert kept.recv(10) == b"hi"  # after the block: not recorded any more
        kept.close()
        outside = socket.create_connection(server)  # made after the block: a plain socket
        assert type(outside) is PLAIN_SOCKET
        outside.close()

    assert rec.events() == [(0, "->", "connect"), (0, "->", "reset"), (1, "->", "connect")]


def test_sockets_made_before_the_block_are_still_sockets_inside_it():
    with PLAIN_SOCKET() as before:
        with capture():
            assert isinstance(before, socket.socket) and issubclass(PLAIN_SOCKET, socket.socket)
            assert socket.socket is not PLAIN_SOCKET
        assert socket.socket is PLAIN_SOCKET


def test_capture_records_udp_datagrams():
    with udp_server(lambda data, addr: b"pong " + data) as server:
        with capture() as rec:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.settimeout(2)
                sock.sendto(b"ping", server)
                assert sock.recvfrom(100)[0] == b"pong ping"
    assert [(c.direction, c.data) for c in rec.chunks if c.data] == [("->", b"ping"), ("<-", b"pong ping")]
