"""transport_needs, wrong in the classic ways."""

from tests.solutions.ftp.right_lines import transport_needs as _right


def everything_reliable():
    """Every application wants no loss (true of the data, not of what the user notices)."""
    return {app: ("no loss", bandwidth, timing) for app, (_, bandwidth, timing) in _right().items()}


def stored_like_live():
    """Stored audio/video as time-critical as a phone call (it can buffer seconds)."""
    needs = _right()
    needs["stored audio/video"] = ("loss-tolerant", "needs a minimum", "100s of ms")
    return needs


def games_elastic():
    """Interactive games as elastic (they need their few kbps, steadily)."""
    needs = _right()
    needs["interactive games"] = ("loss-tolerant", "elastic", "100s of ms")
    return needs


def missing_row():
    needs = _right()
    del needs["financial apps"]
    return needs


def made_up_word():
    needs = _right()
    needs["e-mail"] = ("reliable", "elastic", "no")
    return needs
