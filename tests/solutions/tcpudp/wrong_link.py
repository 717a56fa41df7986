"""classify_arrivals and measure_link, wrong in the classic ways (one mistake each)."""

import socket
import struct


def _lost_and_duplicated(count, arrivals):
    return ([n for n in range(count) if n not in arrivals],
            sorted({n for n in arrivals if arrivals.count(n) > 1}))


def arrivals_duplicate_as_reordered(count, arrivals):
    """'Reordered' = not above the highest so far, so a second copy counts as reordered."""
    lost, duplicated = _lost_and_duplicated(count, arrivals)
    reordered, highest = set(), -1
    for number in arrivals:
        if number <= highest:
            reordered.add(number)
        highest = max(highest, number)
    return {"lost": lost, "duplicated": duplicated, "reordered": sorted(reordered)}


def arrivals_previous_only(count, arrivals):
    """Compares with the previous arrival only: in 3, 1, 2 it misses 2."""
    lost, duplicated = _lost_and_duplicated(count, arrivals)
    reordered = {b for a, b in zip(arrivals, arrivals[1:]) if b < a}
    return {"lost": lost, "duplicated": duplicated, "reordered": sorted(reordered)}


def arrivals_blames_the_overtaker(count, arrivals):
    """Marks the datagram that jumped ahead, not the ones it overtook."""
    lost, duplicated = _lost_and_duplicated(count, arrivals)
    firsts = list(dict.fromkeys(arrivals))
    reordered = {a for i, a in enumerate(firsts) if any(b < a for b in firsts[i + 1:])}
    return {"lost": lost, "duplicated": duplicated, "reordered": sorted(reordered)}


def arrivals_every_extra_copy(count, arrivals):
    """Lists a duplicate once per extra copy."""
    lost, _ = _lost_and_duplicated(count, arrivals)
    seen, duplicated = set(), []
    for number in arrivals:
        if number in seen:
            duplicated.append(number)
        seen.add(number)
    highest, reordered = -1, set()
    for number in dict.fromkeys(arrivals):
        if number < highest:
            reordered.add(number)
        highest = max(highest, number)
    return {"lost": lost, "duplicated": sorted(duplicated), "reordered": sorted(reordered)}


def arrivals_lost_by_count(count, arrivals):
    """Counts instead of listing: how many were lost."""
    result = arrivals_every_extra_copy(count, arrivals)
    result["lost"] = count - len(set(arrivals))
    return result


def link_stops_after_count(address, count, timeout=0.5):
    """Reads at most `count` answers: duplicates make more come back."""
    arrivals = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(address)
        sock.settimeout(timeout)
        for number in range(count):
            sock.send(str(number).encode())
        for _ in range(count):
            try:
                arrivals.append(int(sock.recv(100)))
            except TimeoutError:
                break
    return arrivals


def link_no_timeout(address, count, timeout=0.5):
    """Waits for `count` answers with no timeout: one lost datagram and it waits forever."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(address)
        for number in range(count):
            sock.send(str(number).encode())
        return [int(sock.recv(100)) for _ in range(count)]


def link_total_deadline(address, count, timeout=0.5):
    """Uses `timeout` as the total time for receiving, not as the silence that ends it."""
    import time

    arrivals = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(address)
        for number in range(count):
            sock.send(str(number).encode())
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                arrivals.append(int(sock.recv(100)))
            except TimeoutError:
                break
    return arrivals


def link_binary_numbers(address, count, timeout=0.5):
    """Sends 4-byte binary numbers instead of the decimal text the exercise asks for."""
    arrivals = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(address)
        for number in range(count):
            sock.send(struct.pack("!I", number))
        sock.settimeout(timeout)
        try:
            while True:
                arrivals.append(struct.unpack("!I", sock.recv(100))[0])
        except TimeoutError:
            return arrivals


def link_sorted(address, count, timeout=0.5):
    """Returns the numbers sorted: the order they arrived in is the measurement."""
    arrivals = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(address)
        for number in range(count):
            sock.send(str(number).encode())
        sock.settimeout(timeout)
        try:
            while True:
                arrivals.append(int(sock.recv(100)))
        except TimeoutError:
            return sorted(arrivals)


def link_sender_is_address(address, count, timeout=0.5):
    """Keeps only the echoes whose sender equals `address` as given: with a name, none does."""
    arrivals = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(address)
        for number in range(count):
            sock.send(str(number).encode())
        sock.settimeout(timeout)
        try:
            while True:
                data, sender = sock.recvfrom(100)
                if sender == tuple(address):
                    arrivals.append(int(data))
        except TimeoutError:
            return arrivals
